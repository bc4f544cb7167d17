from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

# Offline, with a Hugging Face cache of the test run's own: load_dataset starts from a fresh cache.
os.environ["HF_HOME"] = tempfile.mkdtemp(prefix="belgrade-stance-hf-")
os.environ["HF_DATASETS_OFFLINE"] = "1"
os.environ["HF_HUB_OFFLINE"] = "1"

# Every rule any code reports during the run (this process and the commands it starts) is
# appended here; tests/test_errors.py checks that every registered rule was reported.
os.environ.setdefault("BELGRADE_STANCE_RULE_LOG", str(Path(tempfile.mkdtemp(prefix="belgrade-stance-rules-")) / "rules.log"))

import pytest

from helpers import ROOT

LAST = "test_every_registered_rule_is_reported_by_some_test"


def pytest_collection_modifyitems(session, config, items):
    """The registry's coverage test runs last, after every test that reports rules; it knows
    whether the whole suite was selected."""
    last = [i for i in items if i.name == LAST]
    for item in last:
        items.remove(item)
        items.append(item)
    whole = not config.option.keyword and not config.option.markexpr and not config.getoption("deselect") \
        and not config.getoption("maxfail") and all(Path(a).resolve() == ROOT / "tests" or Path(a).resolve() == ROOT
                                                      for a in config.args)
    config.stash[WHOLE] = whole


WHOLE = pytest.StashKey[bool]()


@pytest.fixture
def whole_suite(request) -> bool:
    """Whether this run selected the whole test suite (no -k, -m, --deselect, -x or file arguments)."""
    return request.config.stash.get(WHOLE, False)


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
