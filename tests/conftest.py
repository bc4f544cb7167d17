from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

# Offline, with a Hugging Face cache of the test run's own: load_dataset starts from a fresh cache.
os.environ["HF_HOME"] = tempfile.mkdtemp(prefix="belgrade-stance-hf-")
os.environ["HF_DATASETS_OFFLINE"] = "1"
os.environ["HF_HUB_OFFLINE"] = "1"

import pytest

from helpers import ROOT


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the project's inputs and built data in a temporary folder."""
    dst = tmp_path / "proj"
    dst.mkdir()
    for name in ("raw", "data"):
        shutil.copytree(ROOT / name, dst / name)
    shutil.copy(ROOT / "pyproject.toml", dst / "pyproject.toml")
    return dst


@pytest.fixture(scope="session")
def hub(tmp_path_factory) -> Path:
    """The Hub folder published from the checkout's committed data."""
    from belgrade_stance_build.layout import Layout
    from belgrade_stance_build.publish.hub_folder import publish

    return publish(Layout(ROOT), tmp_path_factory.mktemp("hub") / "hub")


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> dict:
    """One fresh build of the real corpus (tables, agreement, manifest) in a temporary copy."""
    from belgrade_stance_build.layout import Layout
    from belgrade_stance_build.pipeline import build

    dst = tmp_path_factory.mktemp("built") / "proj"
    dst.mkdir()
    shutil.copytree(ROOT / "raw", dst / "raw")
    shutil.copy(ROOT / "pyproject.toml", dst / "pyproject.toml")
    result = build(Layout(dst), keep_frames=True)
    result["root"] = dst
    return result
