"""Stage: data — Parquet files per config and split, agreement.json and data/manifest.json, written
into a new folder that replaces data/ only when the whole corpus holds (files.folder_swap)."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from belgrade_stance.paths import manifest_path, split_file
from belgrade_stance.verify import FORMAT_VERSION, sha256_file
from belgrade_stance_build.layout import Layout
from belgrade_stance_schema import inventory as inv
from belgrade_stance_schema.features import features


def arrow_table(config: str, table: pd.DataFrame) -> pa.Table:
    """A table (labels as names) → Arrow with the config's features (labels as ClassLabel ints)."""
    from datasets.table import cast_table_to_features

    feats = features(config)
    return cast_table_to_features(pa.Table.from_pandas(table[list(feats)], preserve_index=False), feats)


def check_target(layout: Layout, problems) -> None:
    """data/ may be replaced only if it is missing, empty, or holds only manifest.json and the files
    it lists; anything else is refused, never deleted."""
    from belgrade_stance.errors import LoadError
    from belgrade_stance.verify import read_manifest

    data = layout.data
    if data.is_symlink() or (data.exists() and not data.is_dir()):
        problems.add("data", None, "data-foreign", "is not a folder; the build will not replace it")
        return
    if not data.is_dir() or not any(data.iterdir()):
        return
    try:
        manifest = read_manifest(data)
    except LoadError as e:
        problems.add("data", None, "data-foreign", f"holds files but no manifest ({e.rule}); move them away")
        return
    listed = {"manifest.json"} | {e["path"] for s in manifest["configs"].values() for e in s.values()}
    listed |= {e.get("path") for e in manifest.get("reports", {}).values() if isinstance(e, dict)}
    files = sorted(str(p.relative_to(data)) for p in data.rglob("*") if not p.is_dir())
    if foreign := [f for f in files if f not in listed]:
        problems.add(
            "data", None, "data-foreign", f"holds {len(foreign)} file(s) no build wrote, e.g. {foreign[0]}"
        )


class DataWriter:
    """Streams the validated tables of each part into `<config>/<split>.parquet` of a new data
    folder, one row group per part and split, so memory holds one part at a time."""

    def __init__(self, folder: Path) -> None:
        self.writers: dict[tuple[str, str], pq.ParquetWriter] = {}
        for config, split in itertools.product(inv.CONFIGS, inv.SPLITS):
            path = split_file(folder, config, split)
            path.parent.mkdir(parents=True, exist_ok=True)
            schema = features(config).arrow_schema
            self.writers[config, split] = pq.ParquetWriter(
                path, schema, compression="zstd", write_page_checksum=True
            )

    def write(self, config: str, table: pa.Table) -> None:
        """Append one part's Arrow table of a config (every split) to the split files."""
        import pyarrow.compute as pc

        for split in inv.SPLITS:
            rows = table.filter(pc.equal(table["split"], split)).combine_chunks()
            if rows.num_rows:
                self.writers[config, split].write_table(rows)

    def close(self) -> dict[str, dict[str, dict]]:
        """Close every file; config → split → {path, sha256, rows} for the manifest."""
        files: dict[str, dict[str, dict]] = {}
        for (config, split), writer in self.writers.items():
            writer.close()
            rows = pq.read_metadata(writer.where).num_rows
            entry = {"path": f"{config}/{split}.parquet", "sha256": sha256_file(writer.where), "rows": rows}
            files.setdefault(config, {})[split] = entry
        return files


def write_manifest(folder: Path, layout: Layout, files: dict, metadata: list[dict], agreement: dict) -> dict:
    """Write agreement.json and manifest.json into the new data folder; return the manifest."""
    report = folder / "agreement.json"
    report.write_text(json.dumps(agreement, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    # every file under raw/: for one the build parsed, the sha256 of the bytes it parsed
    raw = {layout.rel(p): p for p in sorted(layout.raw.rglob("*")) if p.is_file()}
    labels = "stance_labels entity_types ner_tags holder_types boilerplate_kinds splits annotation_passes"
    inventories = {name: list(getattr(inv, name.upper())) for name in labels.split()}
    manifest = {
        "reports": {report.name: {"path": report.name, "sha256": sha256_file(report)}},
        "name": "belgrade-stance",
        "dataset_version": inv.DATASET_VERSION,
        "format_version": FORMAT_VERSION,
        "default_config": inv.DEFAULT_CONFIG,
        "configs": files,
        "raw_texts": {
            row["doc_id"]: {"file": f"raw/texts/{row['source_file']}", "sha256": row["sha256"]}
            for row in metadata
        },
        "raw_inputs": {rel: layout.reads.get(rel) or sha256_file(p) for rel, p in raw.items()},
        "inventories": {"targets": inv.TARGETS, "groups": inv.GROUPS, **inventories},
        "features": {c: features(c).to_dict() for c in inv.CONFIGS},
    }
    manifest_path(folder).write_text(
        json.dumps(manifest, indent=2, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8"
    )
    return manifest
