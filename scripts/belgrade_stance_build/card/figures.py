"""Stage: figures — the card's PNG figures, drawn from data/ with matplotlib.

figures/labels.png      stance labels per target and split
figures/entities.png    entity mentions per type and split
figures/agreement.png   Cohen's κ and raw agreement of the two passes per target
figures/holders.png     who stands where: the most frequent holders × targets, favor/against records

Each PNG carries the numbers it draws as JSON in its `Description` text chunk, so
`check_figures` (run by `belgrade-stance card --check` and the tests) tells a stale figure
from a fresh one without comparing pixels.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

from belgrade_stance.files import atomic_write
from belgrade_stance_build.card.counts import split_counts
from belgrade_stance_build.layout import Layout
from belgrade_stance_schema.inventory import ENTITY_TYPES, SPLITS, STANCE_LABELS, TARGETS

FIGURES = {
    "labels": "Stance labels per target and split",
    "entities": "Entity mentions per type and split",
    "agreement": "Agreement of the two annotation passes per target",
    "holders": "Who stands where: favor / against records of the most frequent holders per target",
}
TOP_HOLDERS = 16
"""Holders the who-stands-where figure shows: the author, every entity and the groups, by records."""
COLOURS = {"none": "#c8c8c8", "against": "#d1495b", "favor": "#00798c"}
SPLIT_COLOURS = {"train": "#264653", "validation": "#e9c46a", "test": "#e76f51"}


def figure_data(data: Path, counts: dict | None = None) -> dict[str, dict]:
    """The numbers each figure shows, from the built data (counts: split_counts(data), if at hand)."""
    counts = counts or split_counts(data)
    labels = {s: {tg: {lab: counts[s].labels[(tg, i)] for i, lab in enumerate(STANCE_LABELS)} for tg in TARGETS}
              for s in SPLITS}
    entities = {s: {ty: counts[s].entity_types[i] for i, ty in enumerate(ENTITY_TYPES)} for s in SPLITS}
    agreement = json.loads((data / "agreement.json").read_text(encoding="utf-8"))
    per = {t: {"kappa": round(v["kappa"], 6), "raw": round(v["percent_agreement"], 6), "items": v["items"]}
           for t, v in agreement["per_target"].items()}
    return {"labels": labels, "entities": entities, "agreement": per, "holders": holder_counts(data)}


def holder_counts(data: Path) -> dict[str, dict]:
    """The TOP_HOLDERS holders with the most favor/against records (ties by name), each with its
    type and, per target, its favor and against records; streamed from the holders config."""
    from collections import Counter

    import pyarrow.parquet as pq

    from belgrade_stance.paths import split_file
    from belgrade_stance_schema.inventory import HOLDER_TYPES

    types = list(HOLDER_TYPES)
    records: Counter = Counter()
    kind: dict[str, str] = {}
    for s in SPLITS:
        for b in pq.ParquetFile(split_file(data, "holders", s)).iter_batches(
                columns=["holder", "holder_type", "target", "label"]):
            for h, ht, t, lab in zip(*(b.column(c).to_pylist() for c in ("holder", "holder_type", "target", "label"))):
                records[(h, t, STANCE_LABELS[lab])] += 1
                kind[h] = types[ht]
    totals = Counter()
    for (h, _, _), n in records.items():
        totals[h] += n
    top = sorted(totals, key=lambda h: (-totals[h], h))[:TOP_HOLDERS]
    return {h: {"type": kind[h], **{t: {lab: records[(h, t, lab)] for lab in ("favor", "against")} for t in TARGETS}}
            for h in top}


def _plot(name: str, values: dict):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    if name == "labels":
        fig, axes = plt.subplots(1, len(SPLITS), figsize=(11, 3.4), sharey=True)
        for ax, s in zip(axes, SPLITS):
            left = [0] * len(TARGETS)
            for lab in STANCE_LABELS:
                counts = [values[s][t][lab] for t in TARGETS]
                ax.barh(list(TARGETS), counts, left=left, color=COLOURS[lab], label=lab)
                left = [a + b for a, b in zip(left, counts)]
            ax.set_title(s)
            ax.set_xlabel("stance rows")
            ax.invert_yaxis()
        axes[-1].legend(loc="upper left", bbox_to_anchor=(1.02, 1), fontsize=8)
    elif name == "entities":
        fig, ax = plt.subplots(figsize=(8, 3.4))
        types = list(ENTITY_TYPES)
        left = [0] * len(types)
        for s in SPLITS:
            counts = [values[s][t] for t in types]
            ax.barh(types, counts, left=left, color=SPLIT_COLOURS[s], label=s)
            left = [a + b for a, b in zip(left, counts)]
        ax.invert_yaxis()
        ax.set_xlabel("mentions")
        ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1), fontsize=8)
    elif name == "holders":
        holders = list(values)
        fig, ax = plt.subplots(figsize=(9, 0.42 * len(holders) + 1.6))
        for i, h in enumerate(holders):
            for j, t in enumerate(TARGETS):
                f, a = values[h][t]["favor"], values[h][t]["against"]
                if f + a:
                    share = f / (f + a)  # 1 all favor, 0 all against
                    colour = COLOURS["favor"] if share > 0.5 else COLOURS["against"] if share < 0.5 else "#9d8df1"
                    ax.scatter(j, i, s=60 + 40 * (f + a), color=colour, alpha=0.85)
                    ax.annotate(f"{f}/{a}", (j, i), textcoords="offset points", xytext=(0, -13), ha="center",
                                fontsize=7)
        ax.set_xticks(range(len(TARGETS)), list(TARGETS), rotation=20)
        ax.set_yticks(range(len(holders)), [f"{h} ({values[h]['type']})" for h in holders], fontsize=8)
        ax.set_xlim(-0.6, len(TARGETS) - 0.4)
        ax.set_ylim(len(holders) - 0.4, -0.7)
        ax.grid(alpha=0.2)
        ax.set_xlabel("favor/against records (colour: the majority; size: the records)")
    else:
        fig, ax = plt.subplots(figsize=(8, 3.4))
        targets = [t for t in TARGETS if t in values]
        y = range(len(targets))
        ax.barh([i - 0.2 for i in y], [values[t]["kappa"] for t in targets], height=0.4, color="#264653",
                label="Cohen's κ")
        ax.barh([i + 0.2 for i in y], [values[t]["raw"] for t in targets], height=0.4, color="#e9c46a",
                label="raw agreement")
        ax.set_yticks(list(y), targets)
        ax.set_xlim(0, 1)
        ax.invert_yaxis()
        ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1), fontsize=8)
    fig.suptitle(FIGURES[name])
    fig.tight_layout()
    return fig, plt


def _description(name: str, values: dict) -> str:
    return json.dumps({"figure": name, "data": values}, sort_keys=True)


def write_figures(layout: Layout, counts: dict | None = None) -> list[Path]:
    """Draw every figure whose PNG is missing or stale; return the files written."""
    folder = layout.figures
    written = []
    for name, values in figure_data(layout.data, counts).items():
        path = folder / f"{name}.png"
        if _embedded(path) == _description(name, values):
            continue
        fig, plt = _plot(name, values)
        png = io.BytesIO()
        fig.savefig(png, format="png", dpi=110, metadata={"Software": None, "Description": _description(name, values)})
        plt.close(fig)
        atomic_write(path, png.getvalue())
        written.append(path)
    return written


def _embedded(path: Path) -> str | None:
    if not path.is_file():
        return None
    from PIL import Image

    with Image.open(path) as im:
        return im.text.get("Description") if hasattr(im, "text") else None


def check_figures(layout: Layout, counts: dict | None = None) -> list[str]:
    """Figures that are missing or show other numbers than data/ holds."""
    stale = []
    for name, values in figure_data(layout.data, counts).items():
        path = layout.figures / f"{name}.png"
        if _embedded(path) != _description(name, values):
            stale.append(f"{layout.rel(path)}: figure is {'missing' if not path.is_file() else 'stale'} "
                         "(run belgrade-stance card)")
    return stale
