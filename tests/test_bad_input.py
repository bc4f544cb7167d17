"""Bad raw input: the build refuses it with every problem on one line naming its file, line and rule,
and leaves data/ as it was. The cases are data, in tests/bad-inputs/build/ (see cases.toml)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from belgrade_stance_build.build import BuildFailed, build
from belgrade_stance_build.layout import Layout
from helpers import tree_digest

BAD = Path(__file__).parent / "bad-inputs" / "build"
TABLE = tomllib.loads((BAD / "cases.toml").read_text(encoding="utf-8"))
CASES = {f"{rule}/{name}": (rule, case) for rule, cases in TABLE.items() for name, case in cases.items()}


def edits(case: dict) -> list[dict]:
    return case.get("edits", [case] if "file" in case else [])


def apply(project: Path, case: dict) -> None:
    """Change the project's raw files as the case says (cases.toml explains the keys)."""
    if "copy" in case:
        shutil.copytree(BAD / case["copy"], project, dirs_exist_ok=True)
    for edit in edits(case):
        path = project / edit["file"]
        if edit.get("delete"):
            path.unlink()
            continue
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True) + [""]
        n, new = edit["line"] - 1, edit["new"] * edit.get("times", 1)
        if "old" in edit:
            assert edit["old"] in lines[n], f"{edit['file']}:{edit['line']} no longer holds {edit['old']!r}"
            lines[n] = lines[n].replace(edit["old"], new, 1)
        else:
            lines[n] = new + "\n"
        path.write_text("".join(lines), encoding="utf-8")


def place(case: dict) -> str:
    """Where the case's problem must be reported: `where`, or else the (first) edited line."""
    if "where" in case:
        return case["where"]
    first = edits(case)[0]
    return f"{first['file']}:{first['line']}" if "line" in first else first["file"]


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_input_is_refused_with_its_rule_and_place(project, name):
    rule, case = CASES[name]
    apply(project, case)
    before = tree_digest(project / "data")
    with pytest.raises(BuildFailed) as failed:
        build(Layout(project), write=True)
    assert tree_digest(project / "data") == before, "data/ changed"
    assert not list(project.glob(".data-*")), "a half-written data folder is left behind"
    problems = failed.value.problems.items
    assert all(p.file and "\n" not in str(p) for p in problems), problems
    found = [p for p in problems if p.rule == rule]
    assert found, f"no [{rule}] among:\n" + "\n".join(map(str, problems))
    places = [f"{p.file}:{p.line}" if p.line is not None else p.file for p in found]
    assert place(case) in places, places
    assert any(case.get("says", "") in p.message for p in found), found


def test_the_cases_cover_seventy_rules_and_every_fixture_folder_is_used():
    assert len({rule for rule, _ in CASES.values()}) >= 70
    used = {case["copy"] for _, case in CASES.values() if "copy" in case}
    assert used == {f"{d.parent.name}/{d.name}" for d in BAD.glob("*/*") if d.is_dir()}


CLI_CASES = ["unknown-entity-label/entity-unknown-label", "invalid-utf8/metadata-in-windows-1252"]


@pytest.mark.parametrize("name", CLI_CASES)
def test_the_command_prints_one_line_per_problem_and_exits_1(project, name):
    rule, case = CASES[name]
    apply(project, case)
    before = tree_digest(project / "data")
    command = [sys.executable, "-m", "belgrade_stance", "build", "--root", str(project)]
    run = subprocess.run(command, capture_output=True, text=True)
    assert run.returncode == 1, run.stderr
    assert "Traceback" not in run.stderr and f"{place(case)}: [{rule}] " in run.stderr, run.stderr
    problems = [line for line in run.stderr.splitlines() if re.match(r"\S+: \[[a-z0-9-]+\] \S", line)]
    assert f"\n{len(problems)} problem(s): " in run.stderr, run.stderr
    assert tree_digest(project / "data") == before


def spoil_data(project: Path, name: str) -> None:
    data = project / "data"
    if name == "a-file-named-data":
        shutil.rmtree(data)
        data.write_text("my notes")
    elif name == "a-foreign-file-in-data":
        (data / "notes.txt").write_text("mine")
    elif name == "an-old-folder-in-data":
        (data / "old").mkdir()
        (data / "old/x.parquet").write_bytes(b"x")
    elif name == "data-without-manifest":
        (data / "manifest.json").unlink()
    elif name == "data-a-symlink":
        data.rename(project / "elsewhere")
        data.symlink_to(project / "elsewhere")


@pytest.mark.parametrize(
    "name",
    [
        "a-file-named-data",
        "a-foreign-file-in-data",
        "an-old-folder-in-data",
        "data-without-manifest",
        "data-a-symlink",
    ],
)
def test_the_build_never_replaces_what_it_did_not_write(project, name):
    spoil_data(project, name)
    before = tree_digest(project), (project / "data").is_symlink()
    with pytest.raises(BuildFailed) as failed:
        build(Layout(project), write=True)
    assert "data-foreign" in failed.value.problems.rules(), failed.value.problems.report()
    assert (tree_digest(project), (project / "data").is_symlink()) == before


def test_a_byte_order_mark_and_a_logged_entity_exception_are_accepted(project):
    """A spreadsheet's byte order mark on the metadata is no content; the corpus-wide entity rule
    yields to a mention that gives its reason."""
    metadata = project / "raw/metadata.csv"
    metadata.write_bytes(b"\xef\xbb\xbf" + metadata.read_bytes())
    exception = TABLE["inconsistent-entity"]["entity-type-differs-across-documents"]
    apply(
        project, {**exception, "new": exception["new"] + ', "reason": "the region itself, not its peoples"'}
    )
    assert build(Layout(project), write=False)["sizes"]
