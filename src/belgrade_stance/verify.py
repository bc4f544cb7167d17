"""Integrity check of a data folder against its manifest (and of raw/ in a source checkout)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from belgrade_stance.paths import manifest_path

FORMAT_VERSION = 1
"""Version of the on-disk layout of a data folder (manifest + Parquet): the build writes it, the
loader checks it."""


def sha256_file(path: Path) -> str:
    """sha256 of a file, read in chunks."""
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _manifest_shape(manifest) -> str | None:
    """What is wrong with a manifest's structure (None if the fields every reader uses hold)."""
    if not isinstance(manifest, dict):
        return "is not a JSON object"
    for key, kind in (("configs", dict), ("default_config", str), ("inventories", dict), ("features", dict)):
        if not isinstance(manifest.get(key), kind):
            return f"lacks {key!r} ({kind.__name__})"
    for config, splits in manifest["configs"].items():
        if not isinstance(splits, dict) or not splits:
            return f"config {config!r} lists no splits"
        for split, entry in splits.items():
            if not (isinstance(entry, dict) and isinstance(entry.get("path"), str)
                    and isinstance(entry.get("sha256"), str) and type(entry.get("rows")) is int):
                return f"configs.{config}.{split} needs path, sha256 and rows"
            if Path(entry["path"]).is_absolute() or ".." in Path(entry["path"]).parts:
                return f"configs.{config}.{split}.path {entry['path']!r} leaves the data folder"
    if manifest["default_config"] not in manifest["configs"]:
        return f"default_config {manifest['default_config']!r} is not a config"
    return None


def read_manifest(data_dir: Path) -> dict:
    """The manifest of a data folder; FileNotFoundError if there is none, ValueError (with a rule
    id) if it is unreadable, of another format version, or not of the manifest's shape."""
    path = manifest_path(data_dir)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no manifest; build the dataset first")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as e:
        raise ValueError(f"{path}: [manifest-unreadable] not a JSON manifest ({type(e).__name__})") from None
    version = manifest.get("format_version") if isinstance(manifest, dict) else None
    if isinstance(manifest, dict) and version != FORMAT_VERSION:
        raise ValueError(f"{path}: [format-version] format_version {version!r}, this package reads {FORMAT_VERSION}")
    wrong = _manifest_shape(manifest)
    if wrong:
        raise ValueError(f"{path}: [manifest-malformed] the manifest {wrong}")
    return manifest


def _features_problem(schema, features: dict | None) -> str | None:
    """How a file's columns and embedded `datasets` features differ from the manifest's features
    of its config (None if they agree)."""
    if not isinstance(features, dict):
        return "the manifest has no features for this config"
    if sorted(schema.names) != sorted(features):  # the manifest stores features with sorted keys
        return f"columns {sorted(schema.names)} are not the manifest's {sorted(features)}"
    try:
        embedded = json.loads((schema.metadata or {})[b"huggingface"])["info"]["features"]
    except (KeyError, TypeError, ValueError):
        return "the file carries no datasets features"
    if embedded != features:
        changed = sorted(k for k in features if embedded.get(k) != features[k])
        return f"the file's features of {', '.join(changed) or 'some columns'} are not the manifest's"
    return None


def verify(data_dir: Path, root: Path | None = None) -> list[str]:
    """Every mismatch between files and manifest, as messages; [] when all holds.

    Checks each Parquet file's sha256, row count, columns and embedded features, files present
    but not listed, and, when
    ``root`` is a source checkout, the sha256 of every raw input file.
    """
    import pyarrow.parquet as pq

    try:
        manifest = read_manifest(data_dir)
    except (FileNotFoundError, ValueError, json.JSONDecodeError) as e:
        return [str(e)]
    problems: list[str] = []
    listed = set()
    for config, splits in manifest["configs"].items():
        for split, entry in splits.items():
            path = data_dir / entry["path"]
            listed.add(path.resolve())
            where = f"{data_dir.name}/{entry['path']}"
            if not path.is_file():
                problems.append(f"{where}: [missing-file] listed in the manifest for {config}/{split}")
                continue
            digest = sha256_file(path)
            if digest != entry["sha256"]:
                problems.append(f"{where}: [sha256-mismatch] {digest} != manifest {entry['sha256']}")
                continue
            try:
                meta = pq.read_metadata(path)
            except (OSError, ValueError) as e:  # pyarrow's own errors derive from these
                problems.append(f"{where}: [unreadable-parquet] {e}")
                continue
            if meta.num_rows != entry["rows"]:
                problems.append(f"{where}: [row-count] {meta.num_rows} rows != manifest {entry['rows']}")
            wrong = _features_problem(meta.schema.to_arrow_schema(), manifest["features"].get(config))
            if wrong:
                problems.append(f"{where}: [features-mismatch] {wrong}")
    for name, entry in manifest.get("reports", {}).items():
        path = data_dir / entry["path"]
        listed.add(path.resolve())
        if not path.is_file():
            problems.append(f"{data_dir.name}/{entry['path']}: [missing-file] listed in the manifest")
        elif sha256_file(path) != entry["sha256"]:
            problems.append(f"{data_dir.name}/{entry['path']}: [sha256-mismatch] changed since the build")
    data_files = (p for p in data_dir.rglob("*") if p.suffix in {".parquet", ".json"} and p.name != "manifest.json")
    for path in sorted(data_files):
        if path.resolve() not in listed:
            problems.append(f"{data_dir.name}/{path.relative_to(data_dir)}: [unlisted-file] not in the manifest")
    if root is not None:
        raw = root / "raw"
        expected = manifest.get("raw_inputs", {})
        for rel, sha in sorted(expected.items()):
            path = root / rel
            if not path.is_file():
                problems.append(f"{rel}: [missing-raw-file] listed in the manifest")
            elif sha256_file(path) != sha:
                problems.append(f"{rel}: [raw-sha256-mismatch] changed since the data was built")
        for path in sorted(p for p in raw.rglob("*") if p.is_file()):
            rel = str(path.relative_to(root))
            if rel not in expected:
                problems.append(f"{rel}: [unlisted-raw-file] not in the manifest (rebuild the data)")
    return problems
