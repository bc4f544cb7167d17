"""Structure: dependencies run one way (build → schemas → package); no sys.path edits; module
names unique; no private name imported across modules; the size budgets; ruff."""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

from helpers import ROOT

CODE = ("src", "schema", "scripts")


def _sources(*folders: str) -> list[Path]:
    return sorted(p for f in folders for p in (ROOT / f).rglob("*.py"))


def _tool(name: str) -> str:
    exe = Path(sys.executable).with_name(name)
    return str(exe) if exe.exists() else shutil.which(name) or name


def test_the_import_contracts_hold():
    done = subprocess.run([_tool("lint-imports")], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0 and "2 kept, 0 broken" in done.stdout, (
        done.stdout[-3000:] + done.stderr[-2000:]
    )


def test_the_shipped_package_never_names_the_build_or_the_schemas_and_nothing_edits_sys_path():
    hits = [
        f"{p.relative_to(ROOT)}:{n}"
        for p in _sources("src")
        for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
        if "belgrade_stance_build" in line or "belgrade_stance_schema" in line
    ]
    hits += [str(p.relative_to(ROOT)) for p in _sources(*CODE) if "sys.path" in p.read_text(encoding="utf-8")]
    assert hits == []


def test_module_names_are_unique_and_no_private_name_crosses_a_module():
    names = Counter(p.stem for p in _sources(*CODE) if p.stem not in ("__init__", "__main__"))
    assert [n for n, k in names.items() if k > 1] == []
    private = []
    for path in _sources(*CODE):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("belgrade_stance"):
                private += [
                    f"{path.relative_to(ROOT)}: {a.name}"
                    for a in node.names
                    if a.name.startswith("_") and not a.name.startswith("__")
                ]
    assert private == []


def test_no_machinery_that_serves_no_user():
    pattern = re.compile(r"multiprocessing|ProcessPoolExecutor|gc\.disable|RULE_LOG|renameat2")
    assert [
        str(p.relative_to(ROOT)) for p in _sources(*CODE) if pattern.search(p.read_text(encoding="utf-8"))
    ] == []


def _lines(*folders: str) -> dict[str, int]:
    return {
        str(p.relative_to(ROOT)): len(p.read_text(encoding="utf-8").splitlines()) for p in _sources(*folders)
    }


def test_the_size_budgets_hold():
    code, tests = _lines(*CODE), _lines("tests")
    assert sum(code.values()) <= 6500, sum(code.values())
    assert {p: n for p, n in code.items() if n > 450} == {}
    assert sum(tests.values()) <= 3500, sum(tests.values())


def test_ruff_check_and_format_pass():
    for args in (["check", "."], ["format", "--check", "."]):
        done = subprocess.run([_tool("ruff"), *args], cwd=ROOT, capture_output=True, text=True)
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-1000:]
