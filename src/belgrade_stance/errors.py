"""Problems and the one exception of belgrade-stance (standard library only): each names its place
and a stable rule id, ``file:line: [rule-id] message``, written where the problem is found
(docs/errors.md lists them). Exit codes: 0 all held; 1 an input broke a rule; 2 a usage or
environment problem (the rules in USAGE_RULES)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

INPUT, USAGE = 1, 2
"""Exit codes: 1 an input broke a rule, 2 a usage or environment problem."""

USAGE_RULES = frozenset(
    {
        "unknown-config",  # load() of a config the data does not have
        "unknown-format",  # load() in a format it does not offer
        "missing-extra",  # an optional package is not installed
        "bad-argument",  # an argument of the wrong kind or value
        "publish-repo-id",  # --repo-id is not a Hub repo id
        "publish-no-token",  # no Hub token
        "not-a-project",  # --root is not a project folder
        "needs-checkout",  # a verb of a source checkout, run from a wheel
        "missing-dependency",  # a verb's Python package is not installed
    }
)
"""Rules that mean a usage or environment problem (exit 2); every other rule exits 1."""


def exit_code(rules) -> int:
    """The exit code of a command that stopped on these rules: 2 if any is a usage problem, else 1."""
    return USAGE if any(r in USAGE_RULES for r in rules) else INPUT


def clip(value, width: int = 80) -> str:
    """A value as quoted in a message (a string's repr, else its str), cut to about width characters."""
    try:
        text = repr(value) if isinstance(value, str) else str(value)
    except ValueError:  # an int of more digits than Python converts
        return "a number too long to show"
    return text if len(text) <= width else f"{text[: width - 12]}… ({len(text)} characters)"


@dataclass(frozen=True)
class Problem:
    file: str
    line: int | None
    rule: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        return f"{where}: [{self.rule}] {self.message}" if where else f"[{self.rule}] {self.message}"


@dataclass
class Problems:
    """Collects every problem of a run instead of stopping at the first."""

    items: list[Problem] = field(default_factory=list)

    def add(self, file: str, line: int | None, rule: str, message: str) -> None:
        self.items.append(Problem(str(file), line, rule, message))

    def __bool__(self) -> bool:
        return bool(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def rules(self) -> set[str]:
        return {p.rule for p in self.items}

    def report(self) -> str:
        """Every problem, a line each, then the count per rule."""
        counts = Counter(p.rule for p in self.items)
        total = f"{len(self.items)} problem(s): " + ", ".join(f"{r} {n}" for r, n in sorted(counts.items()))
        return "\n".join([*(str(p) for p in self.items), total])


class DatasetError(ValueError):
    """An error of this package that names its rule: ``where: [rule] message``."""

    def __init__(self, rule_id: str, message: str, where: str | None = None):
        self.rule = rule_id
        self.where = where
        self.message = message
        self.exit = exit_code([rule_id])
        super().__init__(str(Problem(where or "", None, rule_id, message)))


class LoadError(DatasetError):
    """A request the shipped data cannot answer (unknown config, split or format, bad files)."""
