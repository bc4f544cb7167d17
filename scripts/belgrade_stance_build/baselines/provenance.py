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
