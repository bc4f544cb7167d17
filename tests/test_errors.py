"""Errors: docs/errors.md lists every rule id the code reports (read from the code); bad inputs
beyond the build end in their rule, the right exit code and no traceback."""

from __future__ import annotations

import json
import re
import shutil

import pandas as pd
import pytest

import belgrade_stance
from belgrade_stance.cli import main
from belgrade_stance.errors import USAGE_RULES, DatasetError, exit_code
from belgrade_stance_build.rules import reported_rules, rules_page
from helpers import ROOT

MAJORITY = ROOT / "results/predictions/majority/split.jsonl"


def test_the_errors_page_lists_every_rule_the_code_reports():
    found = reported_rules(ROOT)
    assert len(found) > 100, f"the scan found only {len(found)} rule ids: it no longer sees the code"
    assert {"span-text-mismatch", "sha256-mismatch", "split-leak", "out-foreign", "unknown-config"} <= set(
        found
    )
    assert USAGE_RULES <= set(found), sorted(USAGE_RULES - set(found))
    page = (ROOT / "docs" / "errors.md").read_text(encoding="utf-8")
    assert page == rules_page(ROOT)
    assert f"{len(found)} rules." in page and "| `unknown-config` | 2 (usage) |" in page


def test_every_rule_a_test_expects_is_on_the_page():
    """Rule ids named by the tests (in `[rule]` or as expected values) are ids the code reports."""
    found = set(reported_rules(ROOT))
    named = set()
    for path in [*(ROOT / "tests").glob("test_*.py"), *(ROOT / "tests").rglob("bad-inputs/**/*")]:
        if path.is_file():
            named |= set(
                re.findall(r"\[([a-z][a-z0-9]+(?:-[a-z0-9]{2,})+)\]", path.read_text(errors="replace"))
            )
    assert named and named <= found, sorted(named - found)


def _data(tmp_path):
    return shutil.copytree(ROOT / "data", tmp_path / "data")


def file_is_a_folder(tmp_path):
    data = _data(tmp_path)
    (data / "stance/test.parquet").unlink()
    (data / "stance/test.parquet").mkdir()
    belgrade_stance.load("stance", "test", data_dir=data)


def rows_differ_from_manifest(tmp_path):
    data = _data(tmp_path)
    m = json.loads((data / "manifest.json").read_text())
    m["configs"]["stance"]["test"]["rows"] += 1
    (data / "manifest.json").write_text(json.dumps(m))
    belgrade_stance.load("stance", "test", data_dir=data)


def export_onto_a_file(tmp_path):
    (tmp_path / "out").write_text("a file")
    return main(["export", "conll", "--out", str(tmp_path / "out")])


CASES = {
    "load-config-a-list": (lambda t: belgrade_stance.load(["stance"]), "unknown-config"),
    "load-data-dir-a-number": (lambda t: belgrade_stance.load("stance", data_dir=5), "bad-argument"),
    "load-unknown-config": (lambda t: belgrade_stance.load("tokens"), "unknown-config"),
    "load-unknown-format": (lambda t: belgrade_stance.load("stance", format="polars"), "unknown-format"),
    "load-manifest-missing": (lambda t: belgrade_stance.load("stance", data_dir=t), "missing-manifest"),
    "load-file-is-a-folder": (file_is_a_folder, "unreadable-file"),
    "load-rows-differ-from-manifest": (rows_differ_from_manifest, "row-count"),
    "evaluate-targets-a-number": (
        lambda t: belgrade_stance.evaluate(MAJORITY, targets=5, samples=0),
        "bad-argument",
    ),
    "evaluate-negative-seed": (
        lambda t: belgrade_stance.evaluate(MAJORITY, samples=5, seed=-1),
        "bad-argument",
    ),
    "evaluate-negative-samples": (lambda t: belgrade_stance.evaluate(MAJORITY, samples=-1), "bad-argument"),
    "evaluate-predictions-a-number": (lambda t: belgrade_stance.evaluate(42, samples=0), "predictions-type"),
    "evaluate-frame-without-label": (
        lambda t: belgrade_stance.evaluate(pd.DataFrame({"id": ["x"]})),
        "predictions-type",
    ),
    "evaluate-no-target-left": (
        lambda t: main(["evaluate", str(MAJORITY), "--targets", ",", "--samples", "0"]),
        "nothing-to-score",
    ),
    "export-onto-a-file": (export_onto_a_file, "out-not-folder"),
    "export-name-too-long": (lambda t: main(["export", "conll", "--out", str(t / ("x" * 300))]), "io-error"),
    "cli-not-a-project": (lambda t: main(["build", "--check", "--root", str(t)]), "not-a-project"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input_beyond_the_build_names_its_rule(case, tmp_path, capsys):
    run, rule_id = CASES[case]
    try:
        code = run(tmp_path)
    except DatasetError as e:
        assert e.rule == rule_id or rule_id in getattr(e, "rules", ()), str(e)
        assert e.exit == exit_code([rule_id])
        return
    err = capsys.readouterr().err
    assert code == exit_code([rule_id]) and f"[{rule_id}]" in err and "Traceback" not in err, err
