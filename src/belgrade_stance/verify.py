"""Integrity check of a data folder against its manifest (and of raw/ in a source checkout)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from belgrade_stance.errors import LoadError, Problem
from belgrade_stance.paths import manifest_path, packaged_data_dir

FORMAT_VERSION = 1
"""Version of the on-disk layout of a data folder (manifest + Parquet): the build writes it, the
loader checks it."""


def sha256_file(path: Path) -> str:
    """sha256 of a file, read in chunks."""
    with path.open("rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


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
            if not (
                isinstance(entry, dict)
                and isinstance(entry.get("path"), str)
                and isinstance(entry.get("sha256"), str)
                and type(entry.get("rows")) is int
            ):
                return f"configs.{config}.{split} needs path, sha256 and rows"
    reports, raw = manifest.get("reports", {}), manifest.get("raw_inputs", {})
    if not isinstance(reports, dict) or not isinstance(raw, dict):
        return "has reports or raw_inputs that are not objects"
    entries = [*reports.values(), *(e for splits in manifest["configs"].values() for e in splits.values())]
    for rel in [*(e.get("path") if isinstance(e, dict) else e for e in entries), *raw]:
        if not isinstance(rel, str) or Path(rel).is_absolute() or ".." in Path(rel).parts:
            return f"path {rel!r} leaves the data folder or the checkout"
    if manifest["default_config"] not in manifest["configs"]:
        return f"default_config {manifest['default_config']!r} is not a config"
    return None


def read_manifest(data_dir: Path) -> dict:
    """The manifest of a data folder; LoadError (a ValueError with a rule id) if there is none, or
    it is unreadable, of another format version, or not of the manifest's shape."""
    path = manifest_path(data_dir)
    if not path.is_file():
        raise LoadError("missing-manifest", "no manifest; build the dataset first", str(path))
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as e:
        raise LoadError(
            "manifest-unreadable", f"not a JSON manifest ({type(e).__name__})", str(path)
        ) from None
    except OSError as e:
        raise LoadError("unreadable-file", e.strerror or str(e), str(path)) from None
    version = manifest.get("format_version") if isinstance(manifest, dict) else None
    if isinstance(manifest, dict) and version != FORMAT_VERSION:
        raise LoadError(
            "format-version", f"format_version {version!r}, this package reads {FORMAT_VERSION}", str(path)
        )
    wrong = _manifest_shape(manifest)
    if wrong:
        raise LoadError("manifest-malformed", f"the manifest {wrong}", str(path))
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


def read_checked(data_dir: Path, entry: dict, verify: bool = True):
    """One data file as a pyarrow.Table. With verify (the default everywhere), the bytes are
    read once, their sha256 and row count checked against the manifest entry, and the table
    parsed from those same bytes: what was checked is what is returned."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    where = f"{data_dir.name}/{entry['path']}"
    try:
        data = (data_dir / entry["path"]).read_bytes()
    except OSError as e:
        raise LoadError("unreadable-file", e.strerror or str(e), where) from None
    digest = hashlib.sha256(data).hexdigest()
    if verify and digest != entry["sha256"]:  # without verify, the pages' CRC checksums are still checked
        raise LoadError(
            "sha256-mismatch",
            f"{digest} != manifest {entry['sha256']} (the file has changed "
            "since it was built: reinstall or rebuild; verify=False reads it anyway)",
            where,
        )
    try:
        # decoded in this thread: with Arrow's pools, an in-memory read could leave pool threads
        # that abort the interpreter at exit ("terminate called without an active exception")
        table = pq.read_table(
            pa.BufferReader(data), use_threads=False, pre_buffer=False, page_checksum_verification=True
        )
    except (pa.ArrowException, OSError, ValueError) as e:
        raise LoadError("unreadable-parquet", str(e), where) from None
    if verify and table.num_rows != entry["rows"]:
        raise LoadError("row-count", f"{table.num_rows} rows != manifest {entry['rows']}", where)
    return table


def verify(data_dir: Path | None = None, root: Path | None = None) -> list[str]:
    """Every mismatch between files and manifest, as messages; [] when all holds.

    Checks each Parquet file's sha256, row count, columns and embedded features, files present
    but not listed, and, when ``root`` is a source checkout, the sha256 of every raw input file.
    """
    data_dir = packaged_data_dir() if data_dir is None else Path(data_dir)
    try:
        manifest = read_manifest(data_dir)
    except LoadError as e:
        return [str(e)]
    problems: list[str] = []

    def add(where: str, rule: str, message: str) -> None:
        problems.append(str(Problem(where, None, rule, message)))

    listed = set()
    for config, splits in manifest["configs"].items():
        for split, entry in splits.items():
            path = data_dir / entry["path"]
            listed.add(path.resolve())
            where = f"{data_dir.name}/{entry['path']}"
            if not path.is_file():
                add(where, "missing-file", f"listed in the manifest for {config}/{split}")
                continue
            try:
                table = read_checked(data_dir, entry)
            except LoadError as e:
                problems.append(str(e))
                continue
            wrong = _features_problem(table.schema, manifest["features"].get(config))
            if wrong:
                add(where, "features-mismatch", wrong)
    for _name, entry in manifest.get("reports", {}).items():
        path = data_dir / entry["path"]
        listed.add(path.resolve())
        if not path.is_file():
            add(f"{data_dir.name}/{entry['path']}", "missing-file", "listed in the manifest")
        elif sha256_file(path) != entry["sha256"]:
            add(f"{data_dir.name}/{entry['path']}", "sha256-mismatch", "changed since the build")
    data_files = (
        p for p in data_dir.rglob("*") if p.suffix in {".parquet", ".json"} and p.name != "manifest.json"
    )
    for path in sorted(data_files):
        if path.resolve() not in listed:
            add(f"{data_dir.name}/{path.relative_to(data_dir)}", "unlisted-file", "not in the manifest")
    for left in sorted(p for kind in ("new", "old") for p in data_dir.parent.glob(f".data-{kind}-????????")):
        add(str(left), "leftover-folder", "a temporary folder of a killed build; the next build removes it")
    if root is not None:
        raw = root / "raw"
        expected = manifest.get("raw_inputs", {})
        for rel, sha in sorted(expected.items()):
            path = root / rel
            if not path.is_file():
                add(rel, "missing-raw-file", "listed in the manifest")
            elif sha256_file(path) != sha:
                add(rel, "raw-sha256-mismatch", "changed since the data was built")
        for path in sorted(p for p in raw.rglob("*") if p.is_file()):
            rel = str(path.relative_to(root))
            if rel not in expected:
                add(rel, "unlisted-raw-file", "not in the manifest (rebuild the data)")
    return problems
