"""The workflow (placeholder, replaced below)."""
from __future__ import annotations

import sys

from belgrade_stance_build.layout import Layout


def run_build(layout: Layout, write: bool = True, force: bool = False) -> int:
    from belgrade_stance_build.card.render import write_card
    from belgrade_stance_build.pipeline import build
    from belgrade_stance_build.problems import BuildFailed

    try:
        result = build(layout, write=write)
    except BuildFailed as failed:
        print(failed.problems.report(), file=sys.stderr)
        print(f"build failed at stage '{failed.stage}'; data/ left unchanged", file=sys.stderr)
        return 1
    if write:
        for path in write_card(layout):
            print(f"updated {layout.rel(path)}")
    verb = "built" if write else "validated (nothing written)"
    print(f"belgrade-stance {verb}: {layout.rel(layout.data) if write else layout.rel(layout.raw)}")
    print(result["summary"])
    return 0


def stale_steps(layout: Layout) -> list[str]:
    return []
