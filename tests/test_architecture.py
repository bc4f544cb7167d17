"""Dependencies run one way: the build (scripts/belgrade_stance_build) imports the schemas
(schema/belgrade_stance_schema) and the shipped package (src/belgrade_stance), never the reverse;
no module changes sys.path; no import cycle; the workflow's declaration is whole."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import ROOT

PACKAGES = {"belgrade_stance": ROOT / "src", "belgrade_stance_schema": ROOT / "schema",
            "belgrade_stance_build": ROOT / "scripts"}


def _sources(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.py"))


def test_the_import_contracts_hold():
    exe = Path(sys.executable).with_name("lint-imports")
    cmd = [str(exe)] if exe.exists() else [shutil.which("lint-imports") or "lint-imports"]
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "2 kept, 0 broken" in done.stdout


@pytest.mark.parametrize("folder", ["src", "scripts", "schema"])
def test_no_module_changes_sys_path(folder):
    hits = [f"{p.relative_to(ROOT)}:{n}" for p in _sources(ROOT / folder)
            for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1) if "sys.path" in line]
    assert hits == []


def test_the_shipped_package_never_names_the_build_or_the_schemas():
    """Stronger than the import graph: no import, import_module or string names them."""
    hits = [f"{p.relative_to(ROOT)}:{n}" for p in _sources(ROOT / "src")
            for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
            if "belgrade_stance_build" in line or "belgrade_stance_schema" in line]
    assert hits == []


def _import_graph() -> dict[str, set[str]]:
    """module → the project modules it imports (at any depth of the module, lazy imports too)."""
    modules = {}
    for package, folder in PACKAGES.items():
        for path in _sources(folder / package):
            rel = path.relative_to(folder).with_suffix("")
            name = ".".join(rel.parts[:-1] if rel.name == "__init__" else rel.parts)
            modules[name] = path
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        targets = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets.update(a.name for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                targets.update([node.module] + [f"{node.module}.{a.name}" for a in node.names])
        graph[name] = {t for t in targets if t in modules and t != name}
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    state: dict[str, int] = {}
    cycles = []

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                cycles.append(path[path.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt, path + [nxt])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    return cycles


def test_no_import_cycle():
    assert _cycles(_import_graph()) == []


def test_the_cycle_test_sees_real_edges_and_cycles():
    graph = _import_graph()
    assert "belgrade_stance.files" in graph["belgrade_stance_build.pipeline"]
    assert "belgrade_stance_build.stages.annotations" in graph["belgrade_stance_build.stages.adjudication"]
    assert not any(t.startswith("belgrade_stance_") for m, ts in graph.items() if m.startswith("belgrade_stance.")
                   for t in ts)
    looped = {**graph, "belgrade_stance_build.stages.annotations":
              graph["belgrade_stance_build.stages.annotations"] | {"belgrade_stance_build.stages.adjudication"}}
    assert _cycles(looped)


def test_the_workflow_declaration_is_whole():
    from importlib.util import find_spec

    from belgrade_stance_build.pipeline import STAGES, check_order
    from belgrade_stance_build.steps import STEPS, order

    assert check_order() == []
    assert [s.name for s in order()] == ["data", "figures", "baselines", "card", "docs", "publish"]
    for module in {m for s in STEPS for m in s.code} | {m for s in STAGES for m in s.code}:
        assert find_spec(module) is not None, module
    for step in STEPS:
        for ref in filter(None, (step.run, step.check)):
            module, name = ref.split(":")
            assert callable(getattr(__import__(module, fromlist=[name]), name)), ref


def test_a_stage_reading_what_no_earlier_stage_makes_is_refused():
    from dataclasses import replace

    from belgrade_stance_build.pipeline import STAGES, check_order

    swapped = (STAGES[0], STAGES[2], STAGES[1], *STAGES[3:])  # segments before texts
    assert any("'text'" in p for p in check_order(swapped))
    assert check_order((replace(STAGES[0], outputs=()), *STAGES[1:]))


def test_a_circle_of_steps_is_refused():
    from dataclasses import replace

    from belgrade_stance_build.steps import STEPS, order

    data = replace(STEPS[0], deps=("raw/**", "figures/*.png"))
    with pytest.raises(ValueError, match="circle"):
        order((data, *STEPS[1:]))
