"""Collected input problems: each names the file, the line or record, and the rule broken."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Problem:
    file: str
    line: int | None
    rule: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        return f"{where}: [{self.rule}] {self.message}"


@dataclass
class Problems:
    """Collects every problem of a build instead of stopping at the first."""

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
        lines = [str(p) for p in self.items]
        counts = Counter(p.rule for p in self.items)
        lines.append(
            f"{len(self.items)} problem(s): "
            + ", ".join(f"{rule} {n}" for rule, n in sorted(counts.items()))
        )
        return "\n".join(lines)


class BuildFailed(Exception):
    """Raised by a stage when its input is bad; carries every problem found so far."""

    def __init__(self, problems: Problems, stage: str):
        self.problems = problems
        self.stage = stage
        super().__init__(f"{stage}: {len(problems)} problem(s)")
