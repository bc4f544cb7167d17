"""Step: card — the generated blocks of DATASET_CARD.md and README.md, computed from data/.

Every number in the card and README stands between marker comments
`<!-- generated:NAME -->` … `<!-- /generated:NAME -->` and is rewritten from the built Parquet
files and data/agreement.json; `check_card` reports blocks that are stale.
"""

from __future__ import annotations

import re
from pathlib import Path

from belgrade_stance.files import atomic_write
from belgrade_stance_build.card.counts import split_counts
from belgrade_stance_build.layout import Layout

BLOCK = re.compile(r"(<!-- generated:(?P<name>[a-z_]+) -->\n)(?P<body>.*?)(<!-- /generated:(?P=name) -->)", re.S)
YAML_BLOCK = re.compile(r"(# generated:(?P<name>[a-z_]+)\n)(?P<body>.*?)(# /generated:(?P=name))", re.S)


def render(text: str, generated: dict[str, str]) -> str:
    def sub(m: re.Match) -> str:
        name = m.group("name")
        if name not in generated:
            return m.group(0)
        return m.group(1) + generated[name] + m.group(4)

    return YAML_BLOCK.sub(sub, BLOCK.sub(sub, text))


def _all_blocks(text: str):
    yield from BLOCK.finditer(text)
    yield from YAML_BLOCK.finditer(text)


def targets(layout: Layout) -> list[Path]:
    return [p for p in (layout.card, layout.readme) if p.is_file()]


def generated_blocks(data: Path, results: Path | None = None, counts: dict | None = None) -> dict[str, str]:
    """Every generated block: counts from the data, structure from the features and inventory,
    the Hub YAML (configs, dataset_info, size category), the pipeline diagram from the workflow's
    declaration, and the benchmark tables from the baselines' results file (when given and present)."""
    from belgrade_stance_build.card.counts import blocks
    from belgrade_stance_build.card.leaderboard import benchmark_blocks
    from belgrade_stance_build.card.structure import structure_blocks
    from belgrade_stance_build.card.hub_yaml import hub_yaml

    from belgrade_stance_build.steps import diagram

    bench = benchmark_blocks(data, results) if results is not None else {}
    return {**blocks(data, counts), **structure_blocks(data), "hub": hub_yaml(data), "pipeline": diagram(), **bench}


def write_blocks(layout: Layout, counts: dict | None = None) -> list[Path]:
    """Rewrite the generated blocks of the card and README; return the files changed."""
    generated = generated_blocks(layout.data, layout.baseline_results, counts or split_counts(layout.data))
    changed = []
    for path in targets(layout):
        old = path.read_text(encoding="utf-8")
        new = render(old, generated)
        if new != old:
            atomic_write(path, new)
            changed.append(path)
    return changed


def check_blocks(layout: Layout, counts: dict | None = None) -> list[str]:
    """Stale generated blocks of the card and README, as "file: block" lines."""
    generated = generated_blocks(layout.data, layout.baseline_results, counts or split_counts(layout.data))
    stale = []
    for path in targets(layout):
        text = path.read_text(encoding="utf-8")
        for m in _all_blocks(text):
            if m.group("name") in generated and m.group("body") != generated[m.group("name")]:
                stale.append(f"{layout.rel(path)}: block '{m.group('name')}' is stale (run belgrade-stance card)")
    return stale


def write_card(layout: Layout) -> list[Path]:
    """Redraw stale figures, rewrite the generated blocks of the card and README; return the files changed."""
    from belgrade_stance_build.card.figures import write_figures

    counts = split_counts(layout.data)
    return write_figures(layout, counts) + write_blocks(layout, counts)


def check_card(layout: Layout) -> list[str]:
    """Stale figures and stale generated blocks."""
    from belgrade_stance_build.card.figures import check_figures

    counts = split_counts(layout.data)
    return check_figures(layout, counts) + check_blocks(layout, counts)
