"""Stage: docs — docs/errors.md: every rule id written in the code where a problem is found
(`problems.add(where, line, "rule-id", message)`, `LoadError("rule-id", message)`, …), with its
exit code, the modules that report it and the message written there ({…} for values)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from belgrade_stance.errors import USAGE, exit_code
from belgrade_stance.files import atomic_write
from belgrade_stance_build.layout import Layout

RULE_ID = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)+$|^schema$|^language$")
REPORTERS = re.compile(r"^(add|Problem|problem|_?rule|__init__|\w+Error|\w+Failed|\w+NotFound|\w+Refused)$")
"""Calls whose first string argument of the form of a rule id is one (and the next one its message)."""
PACKAGES = ("src/belgrade_stance", "schema/belgrade_stance_schema", "scripts/belgrade_stance_build")


def _text(node: ast.AST) -> str | None:
    """A message argument as written: a string, or an f-string with {…} for its values."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) else "{…}" for v in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _text(node.left), _text(node.right)
        return left + right if left is not None and right is not None else None
    return None


def reported_rules(root: Path) -> dict[str, dict[str, set[str]]]:
    """rule id → {"where": modules reporting it, "messages": messages written with it}."""
    found: dict[str, dict[str, set[str]]] = {}
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            module = str(path.relative_to(root))
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Dict):  # {"rule": "rule-id", ...}
                    args = [
                        v
                        for k, v in zip(node.keys, node.values)
                        if isinstance(k, ast.Constant) and k.value == "rule"
                    ]
                elif isinstance(node, ast.Call):
                    name = (
                        node.func.attr
                        if isinstance(node.func, ast.Attribute)
                        else getattr(node.func, "id", "")
                    )
                    args = list(node.args) if REPORTERS.match(name) else []
                    args += [k.value for k in node.keywords if k.arg == "rule"]
                else:
                    continue
                for i, arg in enumerate(args[:3]):
                    if (
                        isinstance(arg, ast.Constant)
                        and isinstance(arg.value, str)
                        and RULE_ID.match(arg.value)
                    ):
                        entry = found.setdefault(arg.value, {"where": set(), "messages": set()})
                        entry["where"].add(module)
                        message = _text(args[i + 1]) if i + 1 < len(args) else None
                        if message:
                            entry["messages"].add(" ".join(message.split()))
                        break
    return found


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("<", "&lt;")


def rules_page(root: Path) -> str:
    found = reported_rules(root)
    lines = [
        "# Errors",
        "",
        "Every problem `belgrade-stance` reports names a rule, as `file:line: [rule-id] message`.",
        "This page is generated from the code (`belgrade-stance build` reads every place that reports",
        "a problem); do not edit it by hand.",
        "",
        "Exit codes: **0** all held; **1** an input broke a rule (raw files, data files, predictions,",
        "an output folder); **2** a usage or environment problem (a wrong argument, a missing package,",
        "a verb that needs a source checkout); **130**, **143** stopped by SIGINT, SIGTERM. A command",
        "prints one line per problem, never a traceback.",
        "",
        f"{len(found)} rules.",
        "",
        "| rule | exit | reported by | message |",
        "|---|---|---|---|",
    ]
    for rule in sorted(found):
        where = ", ".join(f"`{m}`" for m in sorted(found[rule]["where"]))
        messages = "; ".join(sorted(found[rule]["messages"])) or "—"
        code = "130, 143" if rule == "interrupted-by-signal" else exit_code([rule])
        lines.append(
            f"| `{rule}` | {code}{' (usage)' if code == USAGE else ''} | {where} | {_cell(messages)} |"
        )
    return "\n".join(lines) + "\n"


def write_rules_page(layout: Layout) -> Path:
    """Write docs/errors.md from the code of this checkout."""
    return atomic_write(layout.root / "docs" / "errors.md", rules_page(Path(__file__).resolve().parents[2]))
