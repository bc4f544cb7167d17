"""The sdist carries the data and the wheel built from it (as pip builds one from an sdist) installs into
a fresh venv (no checkout on the path, dependencies from the configured package index) and loads it."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

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


def use_blocks(name: str = "README.md") -> list[str]:
    """The python blocks of the README's Use section (or of a whole page), in order."""
    text = (ROOT / name).read_text(encoding="utf-8")
    section = text.split("\n## Use\n", 1)[1].split("\n## ", 1)[0] if "\n## Use\n" in text else text
    return re.findall(r"```python\n(.*?)```", section, re.S)


@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    cmd = [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out)]  # the wheel from the sdist
    subprocess.run([*cmd, str(ROOT)], check=True, capture_output=True, text=True)
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
    for block in (use_blocks()[0], use_blocks("docs/pypi.md")[0]):  # the README's, the PyPI page's
        run = subprocess.run([str(bin / "python"), "-c", block], capture_output=True, text=True, cwd=where)
        assert run.returncode == 0, "a first Use block fails after a plain install:\n" + run.stderr[-3000:]
    run = subprocess.run([str(bin / "python"), "-c", CHECK], capture_output=True, text=True, cwd=where)
    assert run.returncode == 0, run.stderr[-3000:]
    got = json.loads(run.stdout.strip().splitlines()[-1])
    assert got["rows"] == got["expected"] > 0
    assert "site-packages" in got["file"] and str(ROOT) not in got["file"]
    assert "pip install 'belgrade-stance[evaluate]'" in got["evaluate_error"]
    assert got["conll"] == ["train.ner", "validation.ner", "test.ner"]  # with pyarrow alone
    assert got["pages"][0] == "index.html" and len(got["pages"]) == 1 + got["documents"]
    return got


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
    """Every data file; PEP 639: License-Expression and the licence files; the PyPI page and the
    published metadata are for wheel users."""
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
    assert files == ["LICENSE", *sorted(f"LICENSES/{p.name}" for p in (ROOT / "LICENSES").glob("*.txt"))]
    for f in files:
        assert z.read(f"{meta.rsplit('/', 1)[0]}/licenses/{f}") == (ROOT / f).read_bytes()
    # the PyPI page (docs/pypi.md): opens with pip install, links only absolutely; twine check --strict
    page = (ROOT / "docs/pypi.md").read_text(encoding="utf-8")
    assert page.startswith("# belgrade-stance\n\n```bash\npip install belgrade-stance\n```\n\n```python\n")
    links = re.findall(r'(?:href|src)="([^"]*)"', MarkdownIt("commonmark").render(page))
    assert links and all(link.startswith("https://") for link in links), links
    subprocess.run([sys.executable, "-m", "twine", "check", "--strict", *dist.iterdir()], check=True)
    # no development extras, no exact pins; classifiers (hatchling checks each one) and keywords
    head, body = z.read(meta).decode("utf-8").split("\n\n", 1)
    fields = [tuple(line.split(": ", 1)) for line in head.splitlines()]
    assert body == page and {"Classifier", "Keywords", "Project-URL"} <= {k for k, _ in fields}
    extras = {v for k, v in fields if k == "Provides-Extra"}  # the development tools are groups
    assert extras == {"pandas", "datasets", "evaluate", "spacy", "llm"}
    pins = [v for k, v in fields if k == "Requires-Dist" and "==" in v.split(";")[0]]
    assert pins == [] and not [v for k, v in fields if k == "Classifier" and v.startswith("License ::")]
