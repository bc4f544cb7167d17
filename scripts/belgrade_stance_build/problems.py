"""The build's failure: every problem found, each naming the file, the line or record, and a
registered rule (belgrade_stance.errors)."""

from __future__ import annotations

from belgrade_stance.errors import Problem, Problems  # noqa: F401  (the one registry of rules)


class BuildFailed(Exception):
    """Raised by a stage when its input is bad; carries every problem found so far."""

    def __init__(self, problems: Problems, stage: str):
        self.problems = problems
        self.stage = stage
        super().__init__(f"{stage}: {len(problems)} problem(s)")
