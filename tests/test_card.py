"""Every number in README.md and DATASET_CARD.md is generated from data/ and up to date."""

from __future__ import annotations

import re

from belgrade_stance.paths import Layout
from scripts.card import BLOCK, blocks, check_card, render
from tests.conftest import ROOT


def test_card_and_readme_are_not_stale():
    assert check_card(Layout(ROOT)) == []


def test_every_block_is_filled_and_known():
    generated = blocks(ROOT / "data")
    for name in ("DATASET_CARD.md", "README.md"):
        text = (ROOT / name).read_text(encoding="utf-8")
        found = [m.group("name") for m in BLOCK.finditer(text)]
        assert found, name
        assert set(found) <= set(generated)
        assert all(m.group("body").strip() for m in BLOCK.finditer(text))


def test_a_changed_number_is_detected(tmp_path):
    import shutil

    for name in ("DATASET_CARD.md", "README.md", "pyproject.toml"):
        shutil.copy(ROOT / name, tmp_path / name)
    shutil.copytree(ROOT / "data", tmp_path / "data")
    card = tmp_path / "DATASET_CARD.md"
    text = card.read_text(encoding="utf-8")
    card.write_text(re.sub(r"Cohen's κ = [0-9.]+", "Cohen's κ = 0.123", text), encoding="utf-8")
    stale = check_card(Layout(tmp_path))
    assert any("agreement" in s for s in stale)
    assert render(card.read_text(encoding="utf-8"), blocks(tmp_path / "data")) == text


def test_card_states_machine_generated_annotations():
    text = (ROOT / "DATASET_CARD.md").read_text(encoding="utf-8")
    front = text.split("---")[1]
    assert "machine-generated" in front
    assert "docs/annotation-guidelines.md" in text
