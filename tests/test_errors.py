"""The one error registry (belgrade_stance.errors): every rule the code reports is registered,
documented in docs/errors.md, and reported by some test of this suite."""

from __future__ import annotations

import ast
import os
import re
from pathlib import Path

import pytest

from belgrade_stance.errors import RULE_LOG, RULES, DatasetError, LoadError, Problem, Problems, markdown, rule
from helpers import ROOT

RULE_ID = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)+$|^schema$|^language$")
REPORTERS = {"add", "Problem", "LoadError", "PredictionError", "PublishFailed", "LabelStudioError", "DatasetError",
             "PydanticCustomError", "ProjectNotFound", "rule", "_rule", "__init__"}
"""Callables whose string arguments in rule position are rule ids."""


def _rule_literals() -> dict[str, list[str]]:
    """rule id → where it is reported, for every literal rule id in the code: the arguments of the
    reporting calls above, the first item of (rule, message) pairs, and {"rule": …} extras."""
    found: dict[str, list[str]] = {}
    for folder in ("src", "scripts", "schema"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                values: list[ast.AST] = []
                if isinstance(node, ast.Call):
                    name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
                    if name in REPORTERS:
                        values = list(node.args[:3])
                    elif name == "append" and node.args and isinstance(node.args[0], ast.Tuple):
                        values = [node.args[0].elts[0]]
                elif isinstance(node, ast.Tuple) and len(node.elts) == 2 and (
                        isinstance(node.elts[1], ast.JoinedStr) or
                        (isinstance(node.elts[1], ast.Constant) and isinstance(node.elts[1].value, str))):
                    values = [node.elts[0]]
                elif isinstance(node, ast.Dict):
                    values = [v for k, v in zip(node.keys, node.values)
                              if isinstance(k, ast.Constant) and k.value in ("rule", "type_rule")]
                for v in values:
                    if isinstance(v, ast.Constant) and isinstance(v.value, str) and RULE_ID.match(v.value):
                        found.setdefault(v.value, []).append(f"{path.relative_to(ROOT)}:{v.lineno}")
    return found


def test_every_rule_the_code_reports_is_registered():
    found = _rule_literals()
    assert len(found) > 100, f"the scan found only {len(found)} rule ids: it no longer sees the code"
    unregistered = {r: w for r, w in found.items() if r not in RULES}
    assert not unregistered, f"rules reported but not in belgrade_stance.errors.RULES: {unregistered}"
    unused = sorted(set(RULES) - set(found))
    assert not unused, f"registered rules no code reports: {unused}"


def test_an_unregistered_rule_is_a_bug_not_a_message():
    with pytest.raises(KeyError, match="not registered"):
        Problem("raw/metadata.csv", 2, "no-such-rule", "x")
    with pytest.raises(KeyError, match="not registered"):
        LoadError("no-such-rule", "x")
    with pytest.raises(KeyError, match="not registered"):
        Problems().add("f", 1, "no-such-rule", "x")


def test_the_registry_is_well_formed():
    stages = {"build", "verify", "load", "evaluate", "export", "viewer", "label-studio", "anchor", "publish", "cli"}
    for rule_id, r in RULES.items():
        assert RULE_ID.match(rule_id), rule_id
        assert r.exit in (1, 2), rule_id
        assert r.stages and set(r.stages) <= stages, rule_id
        assert r.description.endswith(".") and len(r.description) > 15, rule_id


def test_errors_carry_their_rule_and_exit_code():
    e = LoadError("unknown-config", "unknown config 'x'")
    assert isinstance(e, DatasetError) and isinstance(e, ValueError)
    assert (e.rule, e.exit, str(e)) == ("unknown-config", 2, "[unknown-config] unknown config 'x'")
    e = LoadError("sha256-mismatch", "changed", "data/stance/test.parquet")
    assert (e.exit, str(e)) == (1, "data/stance/test.parquet: [sha256-mismatch] changed")
    assert str(Problem("raw/metadata.csv", 3, "bad-date", "no")) == "raw/metadata.csv:3: [bad-date] no"


def test_docs_errors_md_is_the_registry_page():
    page = (ROOT / "docs" / "errors.md").read_text(encoding="utf-8")
    assert page == markdown(), "docs/errors.md is stale: run belgrade-stance build"
    for rule_id in RULES:
        assert f"| `{rule_id}` |" in page


def test_the_rule_log_records_what_is_reported(tmp_path, monkeypatch):
    log = tmp_path / "rules.log"
    monkeypatch.setenv(RULE_LOG, str(log))
    Problems().add("f", 1, "bad-date", "x")
    rule("too-long")
    assert log.read_text().split() == ["bad-date", "too-long"]


def test_every_registered_rule_is_reported_by_some_test(whole_suite):
    """Runs last (conftest): every rule of the registry was reported while the suite ran."""
    if not whole_suite:
        pytest.skip("only meaningful when the whole suite runs")
    log = Path(os.environ[RULE_LOG])
    reported = set(log.read_text(encoding="utf-8").split()) if log.is_file() else set()
    missing = sorted(set(RULES) - reported)
    assert not missing, f"registered rules no test made the code report: {missing}"
