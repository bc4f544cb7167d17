from __future__ import annotations

import hashlib
import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def tree_digest(folder: Path) -> dict[str, str]:
    """sha256 of every file below folder, keyed by relative path."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the project's inputs and built data in a temporary folder."""
    dst = tmp_path / "proj"
    dst.mkdir()
    for name in ("raw", "data"):
        shutil.copytree(ROOT / name, dst / name)
    (dst / "schema").mkdir()
    shutil.copy(ROOT / "pyproject.toml", dst / "pyproject.toml")
    return dst


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> dict:
    """One fresh build of the real corpus (tables, agreement, manifest) in a temporary copy."""
    from belgrade_stance.paths import Layout
    from scripts.pipeline import build

    dst = tmp_path_factory.mktemp("built") / "proj"
    dst.mkdir()
    shutil.copytree(ROOT / "raw", dst / "raw")
    (dst / "schema").mkdir()
    shutil.copy(ROOT / "pyproject.toml", dst / "pyproject.toml")
    result = build(Layout(dst))
    result["root"] = dst
    return result
