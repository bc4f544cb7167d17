"""The card's figures: drawn from data/, byte for byte as committed, their numbers recounted."""

from __future__ import annotations

import io
import json
import shutil

import pandas as pd
from PIL import Image

import belgrade_stance
from belgrade_stance_build.card.figures import FIGURES, TOP_HOLDERS, figure_data, write_figures
from belgrade_stance_build.layout import Layout
from helpers import ROOT


def test_figures_are_fresh_and_carry_their_numbers(tmp_path):
    """A fresh drawing equals the committed PNG bytes; each PNG carries the numbers it draws."""
    shutil.copytree(ROOT / "data", tmp_path / "data")
    assert write_figures(Layout(tmp_path)) == [tmp_path / "figures" / f"{name}.png" for name in FIGURES]
    data = figure_data(ROOT / "data")
    for name in FIGURES:
        png = (tmp_path / "figures" / f"{name}.png").read_bytes()
        assert png == (ROOT / "figures" / f"{name}.png").read_bytes(), name
        with Image.open(io.BytesIO(png)) as im:
            assert im.format == "PNG" and im.size[0] > 400
            assert json.loads(im.text["Description"]) == {
                "figure": name,
                "data": json.loads(json.dumps(data[name])),
            }


def test_the_figures_numbers_are_the_data_recounted():
    """Label and entity counts per split and the holders' favor/against records, recounted with pandas."""
    data = figure_data(ROOT / "data")
    for split in belgrade_stance.splits():
        stance = belgrade_stance.load("stance", split, labels="names")
        for (target, label), n in stance.value_counts(["target", "label"]).items():
            assert data["labels"][split][target][label] == n
        assert sum(n for t in data["labels"][split].values() for n in t.values()) == len(stance)
        entities = belgrade_stance.load("sentences", split, labels="names").entities.explode().dropna()
        assert data["entities"][split] == {
            **dict.fromkeys(data["entities"][split], 0),
            **entities.str["label"].value_counts(),
        }
    rows = pd.concat(belgrade_stance.load("holders", labels="names").values(), ignore_index=True)
    shown, totals = data["holders"], rows.holder.value_counts()
    assert list(shown) == sorted(totals.index, key=lambda h: (-totals[h], h))[:TOP_HOLDERS]
    for holder, per in shown.items():
        mine = rows[rows.holder == holder]
        assert per["type"] == str(mine.holder_type.iloc[0])
        for target in belgrade_stance.inventories()["targets"]:
            for label in ("favor", "against"):
                assert per[target][label] == int(((mine.target == target) & (mine.label == label)).sum())
