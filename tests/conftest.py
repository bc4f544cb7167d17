from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

# Offline, with a Hugging Face cache of the test run's own: load_dataset starts from a fresh cache.
os.environ["HF_HOME"] = tempfile.mkdtemp(prefix="belgrade-stance-hf-")
os.environ["HF_DATASETS_OFFLINE"] = "1"
os.environ["HF_HUB_OFFLINE"] = "1"

import pytest  # noqa: E402

from helpers import ROOT  # noqa: E402


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the project's raw inputs and built data in a temporary folder."""
    dst = tmp_path / "proj"
    for name in ("raw", "data"):
        shutil.copytree(ROOT / name, dst / name)
    shutil.copy(ROOT / "pyproject.toml", dst / "pyproject.toml")
    return dst


@pytest.fixture
def checkout(project: Path) -> Path:
    """The project copy with everything else a whole build reads (the card, README, results, docs)."""
    from belgrade_stance_build.build import INPUTS

    for name in (n for n in INPUTS if not (project / n).exists()):
        (shutil.copytree if (ROOT / name).is_dir() else shutil.copy)(ROOT / name, project / name)
    return project


@pytest.fixture(scope="session")
def hub(tmp_path_factory) -> Path:
    """The Hub folder published from the checkout's committed data."""
    from belgrade_stance_build.layout import Layout
    from belgrade_stance_build.publish.hub_folder import publish

    return publish(Layout(ROOT), tmp_path_factory.mktemp("hub") / "hub")


@pytest.fixture(scope="session")
def tables() -> dict:
    """The four tables of the real corpus as the build validates them (labels as names)."""
    from belgrade_stance.errors import Problems
    from belgrade_stance_build.build import read_corpus, read_document
    from belgrade_stance_build.layout import Layout
    from belgrade_stance_build.stages.rows import tables as rows

    layout, problems = Layout(ROOT), Problems()
    metadata = read_corpus(layout)
    part = {m["doc_id"]: {"meta": m, **read_document(layout, m, problems)[1]} for m in metadata}
    assert not problems, problems.report()
    return rows(part, {m["doc_id"]: i for i, m in enumerate(metadata)})
