"""Locations of the installed package's data, every path it reads: a data folder holds `manifest.json` and
`<config>/<split>.parquet`; the package reads its own or the caller's, never a source checkout."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


def manifest_path(data_dir: Path) -> Path:
    return data_dir / "manifest.json"


def split_file(data_dir: Path, config: str, split: str) -> Path:
    """data/<config>/<split>.parquet"""
    return data_dir / config / f"{split}.parquet"


def packaged_data_dir() -> Path:
    """The data folder the installed package reads.

    In a wheel the Parquet files live inside the package (belgrade_stance/data); in a source
    checkout (editable install) they are the checkout's data/ folder.
    """
    inside = resources.files("belgrade_stance") / "data"
    if Path(str(inside)).is_dir():
        return Path(str(inside))
    return PACKAGE_DIR.parents[1] / "data"
