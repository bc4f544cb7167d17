"""The wheel and the sdist carry the data: each installs into a fresh venv (no checkout on the
path, dependencies from the configured package index) and loads the test split."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from helpers import ROOT

CHECK = """
import json, sys, belgrade_stance as b
t = b.load("stance", split="test", format="arrow", verify=True)
m = b.manifest()
try:
    b.evaluate([])  # the scorer's numpy and scikit-learn are an extra too
    evaluate_error = None
except b.LoadError as e:
    evaluate_error = str(e)
import pathlib, tempfile
from belgrade_stance.export import export
from belgrade_stance.viewer import write_viewer
out = pathlib.Path(tempfile.mkdtemp())
conll = [p.name for p in export("conll", out / "conll")]
pages = [p.name for p in write_viewer(out / "site")]
expected = m["configs"]["stance"]["test"]["rows"]
documents = sum(v["rows"] for v in m["configs"]["documents"].values())
print(json.dumps({"conll": conll, "pages": pages, "evaluate_error": evaluate_error, "rows": t.num_rows,
                  "expected": expected, "file": b.__file__, "documents": documents}))
"""


def use_blocks() -> list[str]:
    """The python blocks of the README's Use section, in order."""
    import re

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## Use\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```python\n(.*?)```", section, re.S)


@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "build",
            "--no-isolation",
            "--sdist",
            "--wheel",
            "--outdir",
            str(out),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    return out


def _venv(artifact: Path, where: Path) -> Path:
    env_dir = where / "venv"
    venv.EnvBuilder(with_pip=True, clear=True).create(env_dir)
    done = subprocess.run(
        [str(env_dir / "bin/python"), "-m", "pip", "install", "--quiet", str(artifact)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return env_dir / "bin"


def _check(bin: Path, where: Path) -> dict:
    first = subprocess.run(
        [str(bin / "python"), "-c", use_blocks()[0]], capture_output=True, text=True, cwd=where
    )
    assert first.returncode == 0, (
        "the README's first Use block fails after a plain install:\n" + first.stderr[-3000:]
    )
    run = subprocess.run([str(bin / "python"), "-c", CHECK], capture_output=True, text=True, cwd=where)
    assert run.returncode == 0, run.stderr[-3000:]
    got = json.loads(run.stdout.strip().splitlines()[-1])
    assert got["rows"] == got["expected"] > 0
    assert "site-packages" in got["file"] and str(ROOT) not in got["file"]
    assert "pip install 'belgrade-stance[evaluate]'" in got["evaluate_error"]
    assert got["conll"] == ["train.conll", "validation.conll", "test.conll"]  # with pyarrow alone
    assert got["pages"][0] == "index.html" and len(got["pages"]) == 1 + got["documents"]
    return got


@pytest.mark.slow
def test_the_sdist_installs_and_loads_the_data(dist, tmp_path):
    (sdist,) = dist.glob("*.tar.gz")
    _check(_venv(sdist, tmp_path), tmp_path)


@pytest.mark.slow
def test_the_wheel_in_a_fresh_venv_loads_offers_only_what_works_and_scores_as_reported(dist, tmp_path):
    (wheel,) = dist.glob("*.whl")
    bin = _venv(wheel, tmp_path)
    _check(bin, tmp_path)
    exe = str(bin / "belgrade-stance")
    helped = subprocess.run([exe, "--help"], capture_output=True, text=True, cwd=tmp_path)
    listed = {line.split()[0] for line in helped.stdout.splitlines() if re.match(r"    \S", line)}
    assert listed == {"verify", "evaluate", "compare", "export", "viewer", "from-harness"}, helped.stdout
    for cwd in (tmp_path, ROOT):  # even inside this checkout, the build verbs are not offered
        for verb in ("build", "publish", "label-studio"):
            run = subprocess.run([exe, verb], capture_output=True, text=True, cwd=cwd)
            assert run.returncode == 2 and run.stdout == "", (verb, run.stdout, run.stderr)
            assert len(run.stderr.strip().splitlines()) == 1 and "source checkout" in run.stderr, run.stderr
    ok = subprocess.run([exe, "verify"], capture_output=True, text=True, cwd=ROOT)
    assert ok.returncode == 0 and "site-packages" in ok.stdout, ok.stdout + ok.stderr
    # with the evaluate extra, outside the checkout, the scorer reproduces the committed reports
    extra = subprocess.run(
        [str(bin / "python"), "-m", "pip", "install", "--quiet", f"{wheel}[evaluate]"],
        capture_output=True,
        text=True,
    )
    assert extra.returncode == 0, extra.stderr[-3000:]
    results = json.loads((ROOT / "results" / "baselines.json").read_text(encoding="utf-8"))
    for protocol in ("split", "lodo"):
        entry = results["stance"]["tfidf-lr"][protocol]
        run = subprocess.run(
            [exe, "evaluate", "--json", "--protocol", protocol, str(ROOT / "results" / entry["predictions"])],
            capture_output=True,
            text=True,
            cwd=tmp_path,
        )
        assert run.returncode == 0 and json.loads(run.stdout) == entry["report"], run.stderr[-3000:]


def test_the_wheel_carries_every_data_file_the_guidelines_and_its_licences(dist):
    """Every data file, and PEP 639: License-Expression and the licence files."""
    import zipfile

    from belgrade_stance_schema.inventory import LICENSE_EXPRESSION

    (wheel,) = dist.glob("*.whl")
    z = zipfile.ZipFile(wheel)
    names = set(z.namelist())
    manifest = json.loads((ROOT / "data/manifest.json").read_text())
    for entry in (e for splits in manifest["configs"].values() for e in splits.values()):
        assert f"belgrade_stance/data/{entry['path']}" in names
    assert {"belgrade_stance/data/manifest.json", "belgrade_stance/data/annotation-guidelines.md"} <= names
    assert {n.split("/")[0] for n in names} == {
        "belgrade_stance",
        f"belgrade_stance-{manifest['dataset_version']}.dist-info",
    }
    meta = next(n for n in names if n.endswith(".dist-info/METADATA"))
    lines = z.read(meta).decode("utf-8").splitlines()
    assert f"License-Expression: {LICENSE_EXPRESSION}" in lines
    assert not any(line.startswith("License:") for line in lines)  # no legacy free-text field
    files = [line.split(": ", 1)[1] for line in lines if line.startswith("License-File: ")]
    assert files == ["LICENSE", "LICENSES/LicenseRef-Third-Party-Texts.txt"]
    for f in files:
        assert z.read(f"{meta.rsplit('/', 1)[0]}/licenses/{f}") == (ROOT / f).read_bytes()
