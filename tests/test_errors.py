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
REPORTERS = {"add", "Problem", "LoadError", "PredictionError", "PublishFailed", "OutputRefused", "LabelStudioError", "DatasetError",
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
                        isinstance(node.elts[1], (ast.JoinedStr, ast.IfExp)) or
                        (isinstance(node.elts[1], ast.Constant) and isinstance(node.elts[1].value, str)
                         and " " in node.elts[1].value)):  # (rule, message): a message has words
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


# --------------------------------------------------------------------------- named cases beyond the build
# Each: a bad input or environment outside raw/, the rule it must be refused with, and no traceback.

def _data_copy(tmp_path: Path) -> Path:
    import shutil

    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    return data


def _rewrite(data: Path, rel: str, table) -> None:
    """Replace a data file and make the manifest vouch for it (a self-consistent but wrong folder)."""
    import hashlib
    import json

    import pyarrow.parquet as pq

    pq.write_table(table, data / rel)
    m = json.loads((data / "manifest.json").read_text())
    config, split = rel.removesuffix(".parquet").split("/")
    m["configs"][config][split].update(sha256=hashlib.sha256((data / rel).read_bytes()).hexdigest(), rows=table.num_rows)
    (data / "manifest.json").write_text(json.dumps(m))


def case_file_is_a_folder(tmp_path, monkeypatch, request):
    import belgrade_stance

    data = _data_copy(tmp_path)
    (data / "stance/test.parquet").unlink()
    (data / "stance/test.parquet").mkdir()
    belgrade_stance.load("stance", "test", data_dir=data)


def case_rows_differ_from_manifest(tmp_path, monkeypatch, request):
    import json

    import belgrade_stance

    data = _data_copy(tmp_path)
    m = json.loads((data / "manifest.json").read_text())
    m["configs"]["stance"]["test"]["rows"] += 1
    (data / "manifest.json").write_text(json.dumps(m))
    belgrade_stance.load("stance", "test", data_dir=data)


def case_predictions_a_number(tmp_path, monkeypatch, request):
    import belgrade_stance

    belgrade_stance.evaluate(42, samples=0)


def case_predictions_dataframe_without_label(tmp_path, monkeypatch, request):
    import pandas as pd

    import belgrade_stance

    belgrade_stance.evaluate(pd.DataFrame({"id": ["x"]}), samples=0)


def case_no_target_left(tmp_path, monkeypatch, request):
    from belgrade_stance.cli import main

    pred = ROOT / "results/predictions/majority/split.jsonl"
    return main(["evaluate", str(pred), "--targets", ",", "--samples", "0"])


def case_tokens_do_not_cover_text(tmp_path, monkeypatch, request):
    import pyarrow.parquet as pq

    from belgrade_stance.export import export_spacy

    data = _data_copy(tmp_path)
    table = pq.read_table(data / "sentences/test.parquet")
    tokens = table.column("tokens").to_pylist()
    tokens[0] = list(reversed(tokens[0]))
    table = table.set_column(table.schema.get_field_index("tokens"), "tokens", [tokens])
    _rewrite(data, "sentences/test.parquet", table)
    export_spacy(tmp_path / "out", data)


def case_export_onto_a_file(tmp_path, monkeypatch, request):
    from belgrade_stance.cli import main

    out = tmp_path / "out"
    out.write_text("a file")
    return main(["export", "conll", "--out", str(out)])


def case_export_name_too_long(tmp_path, monkeypatch, request):
    from belgrade_stance.cli import main

    return main(["export", "conll", "--out", str(tmp_path / ("x" * 300))])  # the system refuses the name


def case_raw_file_not_in_manifest(tmp_path, monkeypatch, request):
    import shutil

    from belgrade_stance.cli import main

    for name in ("raw", "data", "docs", "figures", "results"):
        shutil.copytree(ROOT / name, tmp_path / name)
    for name in ("pyproject.toml", "README.md", "DATASET_CARD.md", "workflow.lock"):
        shutil.copy(ROOT / name, tmp_path / name)
    (tmp_path / "raw/texts/notes.txt").write_text("a note")
    return main(["verify", "--root", str(tmp_path)])


def case_table_breaks_its_schema(tmp_path, monkeypatch, request):
    from belgrade_stance_build.pipeline import _schema_problems
    from belgrade_stance_build.problems import BuildFailed
    from belgrade_stance_schema.tables import validate_tables
    tables = {name: frame.copy() for name, frame in request.getfixturevalue("built")["tables"].items()}
    tables["stance"]["target_description"] = "not a description"
    problems = Problems()
    _schema_problems(validate_tables(tables), problems)
    raise BuildFailed(problems, "tables")


def case_draft_quotes_text_not_in_sentence(tmp_path, monkeypatch, request):
    import json

    from belgrade_stance_build.annotation.anchor import anchor

    monkeypatch.chdir(ROOT)
    draft = json.dumps({"sentence": "d01-s000", "entities": [{"text": "Atlantis", "label": "gpe", "entity_id": "atlantis"}],
                        "stance": {}})
    _, problems = anchor(draft, "d01", "draft.jsonl")
    raise ValueError("\n".join(problems))


def case_publish_disk_full(tmp_path, monkeypatch, request):
    from belgrade_stance.cli import main
    from belgrade_stance_build.publish import hub_folder

    def full(*a, **k):
        raise OSError(28, "No space left on device", str(tmp_path / "hub"))

    monkeypatch.setattr(hub_folder, "fill", full)
    return main(["publish", "--root", str(ROOT), "--out", str(tmp_path / "hub")])


def case_not_a_project(tmp_path, monkeypatch, request):
    from belgrade_stance.cli import main

    return main(["validate", "--root", str(tmp_path)])


def case_unknown_config(tmp_path, monkeypatch, request):
    import belgrade_stance

    belgrade_stance.load("tokens")


def case_unknown_format(tmp_path, monkeypatch, request):
    import belgrade_stance

    belgrade_stance.load("stance", format="polars")


def case_negative_samples(tmp_path, monkeypatch, request):
    import belgrade_stance

    belgrade_stance.evaluate(ROOT / "results/predictions/majority/split.jsonl", samples=-1)


def case_manifest_missing(tmp_path, monkeypatch, request):
    import belgrade_stance

    belgrade_stance.load("stance", data_dir=tmp_path)


def case_config_a_list(tmp_path, monkeypatch, request):
    import belgrade_stance

    belgrade_stance.load(["stance"])


def case_data_dir_a_number(tmp_path, monkeypatch, request):
    import belgrade_stance

    belgrade_stance.load("stance", data_dir=5)


def case_targets_a_number(tmp_path, monkeypatch, request):
    import belgrade_stance

    belgrade_stance.evaluate(ROOT / "results/predictions/majority/split.jsonl", targets=5, samples=0)


def case_negative_seed(tmp_path, monkeypatch, request):
    import belgrade_stance

    belgrade_stance.evaluate(ROOT / "results/predictions/majority/split.jsonl", samples=5, seed=-1)


CASES = {
    "load-config-a-list": (case_config_a_list, "unknown-config"),
    "load-data-dir-a-number": (case_data_dir_a_number, "bad-argument"),
    "evaluate-targets-a-number": (case_targets_a_number, "bad-argument"),
    "evaluate-negative-seed": (case_negative_seed, "bad-argument"),
    "load-file-is-a-folder": (case_file_is_a_folder, "unreadable-file"),
    "load-rows-differ-from-manifest": (case_rows_differ_from_manifest, "row-count"),
    "load-unknown-config": (case_unknown_config, "unknown-config"),
    "load-unknown-format": (case_unknown_format, "unknown-format"),
    "load-manifest-missing": (case_manifest_missing, "missing-manifest"),
    "evaluate-predictions-a-number": (case_predictions_a_number, "predictions-type"),
    "evaluate-dataframe-without-label": (case_predictions_dataframe_without_label, "predictions-type"),
    "evaluate-no-target-left": (case_no_target_left, "nothing-to-score"),
    "evaluate-negative-samples": (case_negative_samples, "bad-argument"),
    "export-tokens-do-not-cover-text": (case_tokens_do_not_cover_text, "tokens-mismatch"),
    "export-onto-a-file": (case_export_onto_a_file, "out-not-folder"),
    "export-name-too-long": (case_export_name_too_long, "io-error"),
    "verify-raw-file-not-in-manifest": (case_raw_file_not_in_manifest, "unlisted-raw-file"),
    "build-table-breaks-its-schema": (case_table_breaks_its_schema, "schema"),
    "anchor-quotes-text-not-in-sentence": (case_draft_quotes_text_not_in_sentence, "draft-span-not-found"),
    "publish-disk-full": (case_publish_disk_full, "publish-write"),
    "cli-not-a-project": (case_not_a_project, "not-a-project"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input_beyond_the_build_names_its_rule(case, tmp_path, monkeypatch, capsys, request):
    from belgrade_stance_build.problems import BuildFailed

    run, rule_id = CASES[case]
    try:
        code = run(tmp_path, monkeypatch, request)
    except DatasetError as e:
        assert e.rule == rule_id or rule_id in getattr(e, "rules", ()), str(e)
        assert e.exit == RULES[e.rule].exit
        return
    except BuildFailed as e:
        assert rule_id in e.problems.rules()
        return
    except ValueError as e:  # a tool's own list of problems
        assert f"[{rule_id}]" in str(e)
        return
    err = capsys.readouterr().err
    assert code == RULES[rule_id].exit, err
    assert f"[{rule_id}]" in err and "Traceback" not in err, err
