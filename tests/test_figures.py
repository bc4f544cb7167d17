"""The card's figures: drawn from data/, embedded in the card, shipped in the Hub folder, and
reported stale when the data changes."""

from __future__ import annotations

import json
import re

from PIL import Image

from belgrade_stance_build.layout import Layout
from belgrade_stance_build.card.render import check_card, write_card
from belgrade_stance_build.card.figures import FIGURES, check_figures, figure_data
from helpers import ROOT


def test_figures_are_fresh_and_show_the_data():
    assert check_figures(Layout(ROOT)) == []
    data = figure_data(ROOT / "data")
    for name in FIGURES:
        with Image.open(ROOT / "figures" / f"{name}.png") as im:
            assert im.format == "PNG" and im.size[0] > 400
            shown = json.loads(im.text["Description"])
        assert shown == {"figure": name, "data": json.loads(json.dumps(data[name]))}
    # the label figure's numbers are the stance table's
    import belgrade_stance

    test = belgrade_stance.load("stance", split="test")
    war = test[test.target == "war"].label.value_counts()
    assert data["labels"]["test"]["war"]["against"] == int(war.get(1, 0))


def test_card_embeds_every_figure_and_the_hub_folder_has_them(hub):
    card = (ROOT / "DATASET_CARD.md").read_text(encoding="utf-8")
    embedded = set(re.findall(r"!\[[^\]]+\]\(figures/([a-z]+)\.png\)", card))
    assert embedded == set(FIGURES)
    for name in FIGURES:
        assert (hub / "figures" / f"{name}.png").read_bytes() == (ROOT / "figures" / f"{name}.png").read_bytes()


def test_changed_data_makes_figures_stale_until_redrawn(project):
    import shutil

    for name in ("DATASET_CARD.md", "README.md", "figures", "results"):
        src = ROOT / name
        (shutil.copytree if src.is_dir() else shutil.copy)(src, project / name)
    layout = Layout(project)
    assert check_card(layout) == []
    agreement = json.loads((project / "data/agreement.json").read_text(encoding="utf-8"))
    agreement["per_target"]["war"]["kappa"] = 0.5
    (project / "data/agreement.json").write_text(json.dumps(agreement), encoding="utf-8")
    assert check_figures(layout) == ["figures/agreement.png: figure is stale (run belgrade-stance card)"]
    written = write_card(layout)
    assert project / "figures/agreement.png" in written
    assert project / "figures/labels.png" not in written
    assert check_figures(layout) == []
    (project / "figures/entities.png").unlink()
    assert check_figures(layout) == ["figures/entities.png: figure is missing (run belgrade-stance card)"]


def test_the_who_stands_where_figure_counts_the_holder_records():
    """Its numbers are the holders config's favor/against records, recounted here with pandas."""
    import pandas as pd

    import belgrade_stance
    from belgrade_stance_build.card.figures import TOP_HOLDERS

    rows = pd.concat(belgrade_stance.load("holders", labels="names").values(), ignore_index=True)
    shown = figure_data(ROOT / "data")["holders"]
    totals = rows.holder.value_counts()
    assert list(shown) == sorted(totals.index, key=lambda h: (-totals[h], h))[:TOP_HOLDERS]
    for holder, per in shown.items():
        mine = rows[rows.holder == holder]
        assert per["type"] == str(mine.holder_type.iloc[0])
        for target in belgrade_stance.inventories()["targets"]:
            for label in ("favor", "against"):
                assert per[target][label] == int(((mine.target == target) & (mine.label == label)).sum())
    assert "figures/holders.png" in (ROOT / "DATASET_CARD.md").read_text(encoding="utf-8")
