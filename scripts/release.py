"""Stage: data — Parquet files per config and split plus data/manifest.json, written atomically.

The whole new data folder is written next to data/ and swapped in only when complete; a failed
build leaves data/ exactly as it was. Files are deterministic: two builds are byte-identical.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from belgrade_stance.paths import Layout, manifest_path, split_file
from schema.features import features
from schema.inventory import (
    ANNOTATION_PASSES, BOILERPLATE_KINDS, CONFIGS, DATASET_VERSION, DEFAULT_CONFIG, ENTITY_TYPES,
    FORMAT_VERSION, HOLDER_TYPES, NER_TAGS, SPLITS, STANCE_LABELS, TARGETS,
)


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def arrow_table(config: str, rows: list[dict]) -> pa.Table:
    feats = features(config)
    encoded = [feats.encode_example(r) for r in rows]
    return pa.Table.from_pylist(encoded, schema=feats.arrow_schema)


def raw_inputs(layout: Layout) -> dict[str, str]:
    """sha256 of every raw input file, keyed by its path relative to the project root."""
    return {
        layout.rel(p): sha256_file(p)
        for p in sorted(layout.raw.rglob("*"))
        if p.is_file()
    }


def write_data(layout: Layout, tables: dict[str, list[dict]], metadata: list[dict], agreement: dict) -> dict:
    """Write every config/split and the manifest into a fresh folder, then swap it for data/."""
    layout.data.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".data-new-", dir=layout.root))
    try:
        files = {}
        for config in CONFIGS:
            files[config] = {}
            for split in SPLITS:
                rows = [r for r in tables[config] if r["split"] == split]
                path = split_file(tmp, config, split)
                path.parent.mkdir(parents=True, exist_ok=True)
                pq.write_table(arrow_table(config, rows), path, compression="zstd")
                files[config][split] = {
                    "path": f"{config}/{split}.parquet",
                    "sha256": sha256_file(path),
                    "rows": len(rows),
                }
        reports = {}
        for name, content in (("agreement.json", agreement),):
            path = tmp / name
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
        manifest_path(tmp).write_text(json.dumps(manifest, indent=2, ensure_ascii=False, sort_keys=True) + "\n",
                                      encoding="utf-8")
        _swap(tmp, layout.data)
        return manifest
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _swap(new: Path, target: Path) -> None:
    """Replace target by new: rename the old folder aside, rename the new one in, drop the old."""
    os.chmod(new, 0o755)
    old = None
    if target.exists():
        old = Path(tempfile.mkdtemp(prefix=".data-old-", dir=target.parent))
        os.rmdir(old)
        os.replace(target, old)
    try:
        os.replace(new, target)
    except BaseException:
        if old is not None:
            os.replace(old, target)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
