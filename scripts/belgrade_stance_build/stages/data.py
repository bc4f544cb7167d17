"""Stage: data — Parquet files per config and split plus data/manifest.json, written atomically.

The parts stream into a new data folder next to data/, which is swapped in only when the whole
corpus holds (belgrade_stance.files.folder_swap); a failed build leaves data/ exactly as it was.
Files are deterministic: two builds are byte-identical.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from belgrade_stance_schema.features import features
from belgrade_stance_schema.inventory import (
    ANNOTATION_PASSES,
    BOILERPLATE_KINDS,
    CONFIGS,
    DATASET_VERSION,
    DEFAULT_CONFIG,
    ENTITY_TYPES,
    HOLDER_TYPES,
    NER_TAGS,
    SPLITS,
    STANCE_LABELS,
    TARGETS,
)

from belgrade_stance.paths import manifest_path, split_file
from belgrade_stance.verify import FORMAT_VERSION, sha256_file
from belgrade_stance_build.layout import Layout


def _named_type(feature) -> pa.DataType:
    """The Arrow type of a feature with its ClassLabels still written as names (strings)."""
    from datasets import ClassLabel, List

    if isinstance(feature, ClassLabel):
        return pa.string()
    if isinstance(feature, List):
        return pa.list_(_named_type(feature.feature))
    if isinstance(feature, dict):
        return pa.struct([(k, _named_type(f)) for k, f in feature.items()])
    return feature.pa_type


def _encode(arr: pa.Array, feature, storage: pa.DataType) -> pa.Array:
    """Arrow values with label names → the feature's storage (ClassLabel names → ints)."""
    import pyarrow.compute as pc
    from datasets import ClassLabel, List

    if isinstance(feature, ClassLabel):
        codes = pc.index_in(arr, value_set=pa.array(feature.names))
        if codes.null_count != arr.null_count:
            unknown = sorted(set(pc.filter(arr, pc.and_(pc.is_null(codes), pc.is_valid(arr))).to_pylist()))
            raise ValueError(f"labels {unknown} are not among {feature.names}")
        return codes.cast(storage)
    if isinstance(feature, List):
        values = _encode(arr.values, feature.feature, storage.value_type)
        return pa.ListArray.from_arrays(arr.offsets, values, type=storage, mask=arr.is_null())
    if isinstance(feature, dict):
        children = [_encode(arr.field(k), f, storage.field(k).type) for k, f in feature.items()]
        return pa.StructArray.from_arrays(children, fields=list(storage), mask=arr.is_null())
    return arr


def arrow_table(config: str, table: pd.DataFrame) -> pa.Table:
    """A table (labels as names) → Arrow with the config's features (labels as ClassLabel ints)."""
    feats = features(config)
    schema = feats.arrow_schema
    arrays = [
        _encode(
            pa.array(table[name], type=_named_type(feature), from_pandas=True),
            feature,
            schema.field(name).type,
        )
        for name, feature in feats.items()
    ]
    return pa.Table.from_arrays(arrays, schema=schema)


def raw_inputs(layout: Layout) -> dict[str, str]:
    """sha256 of every raw input file, keyed by its path relative to the project root: for a file
    the build parsed, of the bytes it parsed (layout.reads); for any other file under raw/, now."""
    out = {}
    for p in sorted(layout.raw.rglob("*")):
        if p.is_file():
            rel = layout.rel(p)
            out[rel] = layout.reads[rel] if rel in layout.reads else sha256_file(p)
    return out


def check_target(layout: Layout, problems) -> None:
    """data/ may be replaced only if it is missing, empty, or holds nothing but what a build wrote
    there: manifest.json and the files it lists. Anything else (a file named data, a file the
    manifest does not list, a folder without a readable manifest) is refused, never deleted."""
    from belgrade_stance.errors import LoadError
    from belgrade_stance.verify import read_manifest

    data, where = layout.data, "data"
    if data.is_symlink() or (data.exists() and not data.is_dir()):
        problems.add(
            where, None, "data-foreign", "is not a folder; the build writes data/ and will not replace it"
        )
        return
    if not data.is_dir() or not any(data.iterdir()):
        return
    try:
        manifest = read_manifest(data)
    except LoadError as e:
        problems.add(
            where,
            None,
            "data-foreign",
            f"holds files but no manifest of a build ({e.rule}); move them away and build again",
        )
        return
    listed = (
        {"manifest.json"}
        | {e["path"] for splits in manifest["configs"].values() for e in splits.values()}
        | {e.get("path") for e in manifest.get("reports", {}).values() if isinstance(e, dict)}
    )
    foreign = sorted(
        str(p.relative_to(data))
        for p in data.rglob("*")
        if not p.is_dir() and str(p.relative_to(data)) not in listed
    )
    if foreign:
        problems.add(
            where,
            None,
            "data-foreign",
            f"holds {len(foreign)} file(s) no build wrote, e.g. "
            f"{', '.join(foreign[:3])}; move them away and build again",
        )


class DataWriter:
    """Streams the validated tables of each part into `<config>/<split>.parquet` of a new data
    folder: one ParquetWriter per file, one row group per part and split, so memory holds one
    part at a time. Files are deterministic: the same parts give the same bytes."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.writers: dict[tuple[str, str], pq.ParquetWriter] = {}
        self.rows: dict[tuple[str, str], int] = {}
        for config in CONFIGS:
            schema = features(config).arrow_schema
            for split in SPLITS:
                path = split_file(folder, config, split)
                path.parent.mkdir(parents=True, exist_ok=True)
                self.writers[(config, split)] = pq.ParquetWriter(
                    path, schema, compression="zstd", write_page_checksum=True
                )
                self.rows[(config, split)] = 0

    def write(self, config: str, table: pa.Table) -> None:
        """Append one part's Arrow table of a config (every split) to the split files."""
        import pyarrow.compute as pc

        for split in SPLITS:
            rows = table.filter(pc.equal(table["split"], split)).combine_chunks()
            if rows.num_rows:
                self.writers[(config, split)].write_table(rows)
                self.rows[(config, split)] += rows.num_rows

    def close(self) -> dict[str, dict[str, dict]]:
        """Close every file; config → split → {path, sha256, rows} for the manifest."""
        files: dict[str, dict[str, dict]] = {}
        for (config, split), writer in self.writers.items():
            writer.close()
            files.setdefault(config, {})[split] = {
                "path": f"{config}/{split}.parquet",
                "sha256": sha256_file(split_file(self.folder, config, split)),
                "rows": self.rows[(config, split)],
            }
        return files


def write_manifest(folder: Path, layout: Layout, files: dict, metadata: list[dict], agreement: dict) -> dict:
    """Write agreement.json and manifest.json (sha256 and rows of every file, raw inputs,
    inventories, features) into the new data folder; return the manifest."""
    reports = {}
    for name, content in (("agreement.json", agreement),):
        path = folder / name
        path.write_text(json.dumps(content, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        reports[name] = {"path": name, "sha256": sha256_file(path)}
    manifest = {
        "reports": reports,
        "name": "belgrade-stance",
        "dataset_version": DATASET_VERSION,
        "format_version": FORMAT_VERSION,
        "default_config": DEFAULT_CONFIG,
        "configs": files,
        "raw_texts": {
            row["doc_id"]: {"file": f"raw/texts/{row['source_file']}", "sha256": row["sha256"]}
            for row in metadata
        },
        "raw_inputs": raw_inputs(layout),
        "inventories": {
            "targets": TARGETS,
            "stance_labels": list(STANCE_LABELS),
            "entity_types": list(ENTITY_TYPES),
            "ner_tags": list(NER_TAGS),
            "holder_types": list(HOLDER_TYPES),
            "boilerplate_kinds": list(BOILERPLATE_KINDS),
            "splits": list(SPLITS),
            "annotation_passes": list(ANNOTATION_PASSES),
        },
        "features": {c: features(c).to_dict() for c in CONFIGS},
    }
    manifest_path(folder).write_text(
        json.dumps(manifest, indent=2, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8"
    )
    return manifest
