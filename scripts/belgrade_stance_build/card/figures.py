"""The card's figures (figures/NAME.png), drawn from data/ with matplotlib; each PNG carries the
numbers it draws as JSON in its `Description` text chunk."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pyarrow as pa
from matplotlib.figure import Figure

from belgrade_stance.files import atomic_write
from belgrade_stance_build.card.render import count, items, read
from belgrade_stance_build.layout import Layout
from belgrade_stance_schema.inventory import ENTITY_TYPES, HOLDER_TYPES, SPLITS, STANCE_LABELS, TARGETS

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


def figure_data(data: Path) -> dict[str, dict]:
    """The numbers each figure shows, counted from the built data."""
    stance = read(data, "stance", ["split", "target", "label"])
    mentions = items(read(data, "sentences", ["split", "entities"]), "entities", ["label"])
    labels, entities = count(stance, "split", "target", "label"), count(mentions, "split", "label")
    agreement = json.loads((data / "agreement.json").read_text(encoding="utf-8"))["per_target"]
    # the holders with the most favor/against records (ties by name): type, records per target and label
    rows = read(data, "holders", ["holder", "holder_type", "target", "label"]).to_pandas()
    records, totals = (
        count(pa.Table.from_pandas(rows), "holder", "target", "label"),
        rows.holder.value_counts(),
    )
    kind = dict(zip(rows.holder, rows.holder_type))
    holders = {}
    for h in sorted(totals.index, key=lambda h: (-totals[h], h))[:TOP_HOLDERS]:
        holders[h] = {"type": list(HOLDER_TYPES)[kind[h]]}
        for t in TARGETS:
            holders[h][t] = {lab: records[(h, t, STANCE_LABELS.index(lab))] for lab in ("favor", "against")}
    return {
        "labels": {
            s: {t: {lab: labels[(s, t, i)] for i, lab in enumerate(STANCE_LABELS)} for t in TARGETS}
            for s in SPLITS
        },
        "entities": {s: {ty: entities[(s, i)] for i, ty in enumerate(ENTITY_TYPES)} for s in SPLITS},
        "agreement": {
            t: {"kappa": round(v["kappa"], 6), "raw": round(v["percent_agreement"], 6), "items": v["items"]}
            for t, v in agreement.items()
        },
        "holders": holders,
    }


def _stacked(ax, names: list[str], values: dict, colours: dict[str, str]) -> None:
    """Horizontal bars of names, one stacked segment per key of colours (values[key][name])."""
    left = [0] * len(names)
    for key, colour in colours.items():
        counts = [values[key][n] for n in names]
        ax.barh(names, counts, left=left, color=colour, label=key)
        left = [a + b for a, b in zip(left, counts)]
    ax.invert_yaxis()


def draw(name: str, values: dict) -> Figure:
    """One figure, drawn from its numbers (figure_data)."""
    fig = Figure(figsize={"labels": (11, 3.4), "holders": (9, 0.42 * len(values) + 1.6)}.get(name, (8, 3.4)))
    axes = fig.subplots(1, len(SPLITS), sharey=True) if name == "labels" else [fig.subplots()]
    ax = axes[-1]
    if name == "labels":
        for axis, s in zip(axes, SPLITS):
            by_label = {lab: {t: values[s][t][lab] for t in TARGETS} for lab in STANCE_LABELS}
            _stacked(axis, list(TARGETS), by_label, COLOURS)
            axis.set_title(s)
            axis.set_xlabel("stance rows")
    elif name == "entities":
        _stacked(ax, list(ENTITY_TYPES), values, SPLIT_COLOURS)
        ax.set_xlabel("mentions")
    elif name == "holders":
        under = {"textcoords": "offset points", "xytext": (0, -13), "ha": "center", "fontsize": 7}
        points = []  # (x, y, size, colour): one scatter call, as one call per point costs ~5 ms each
        for i, h in enumerate(values):
            for j, t in enumerate(TARGETS):
                f, a = values[h][t]["favor"], values[h][t]["against"]
                if f + a:  # colour: the majority (purple for a tie)
                    colour = COLOURS["favor"] if f > a else COLOURS["against"] if f < a else "#9d8df1"
                    points.append((j, i, 60 + 40 * (f + a), colour))
                    ax.annotate(f"{f}/{a}", (j, i), **under)
        x, y, size, colour = zip(*points)
        ax.scatter(x, y, s=size, c=colour, alpha=0.85)
        ax.set_xticks(range(len(TARGETS)), list(TARGETS), rotation=20)
        ax.set_yticks(range(len(values)), [f"{h} ({v['type']})" for h, v in values.items()], fontsize=8)
        ax.set_xlim(-0.6, len(TARGETS) - 0.4)
        ax.set_ylim(len(values) - 0.4, -0.7)
        ax.grid(alpha=0.2)
        ax.set_xlabel("favor/against records (colour: the majority; size: the records)")
    else:  # agreement, in the order of data/agreement.json (the card's agreement table)
        y = range(len(values))
        kappa, raw = [v["kappa"] for v in values.values()], [v["raw"] for v in values.values()]
        ax.barh([i - 0.2 for i in y], kappa, height=0.4, color="#264653", label="Cohen's κ")
        ax.barh([i + 0.2 for i in y], raw, height=0.4, color="#e9c46a", label="raw agreement")
        ax.set_yticks(list(y), list(values))
        ax.set_xlim(0, 1)
        ax.invert_yaxis()
    if name != "holders":
        ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1), fontsize=8)
    fig.suptitle(FIGURES[name])
    fig.tight_layout()
    return fig


def write_figures(layout: Layout, write: bool = True) -> list[Path]:
    """Draw every figure from data/; write (if write) and return those that differ from figures/."""
    stale = []
    for name, values in figure_data(layout.data).items():
        png, path = io.BytesIO(), layout.figures / f"{name}.png"
        description = json.dumps({"figure": name, "data": values}, sort_keys=True)
        metadata = {"Software": None, "Description": description}
        draw(name, values).savefig(png, format="png", dpi=110, metadata=metadata)
        if not path.is_file() or path.read_bytes() != png.getvalue():
            stale.append(path)
            if write:
                atomic_write(path, png.getvalue())
    return stale
