"""Every number in README.md and DATASET_CARD.md is generated from data/ and up to date."""

from __future__ import annotations

import re

from belgrade_stance_build.layout import Layout
from belgrade_stance_build.card.counts import blocks
from belgrade_stance_build.card.render import BLOCK, YAML_BLOCK, check_card, generated_blocks, render
from helpers import ROOT


def test_card_and_readme_are_not_stale():
    assert check_card(Layout(ROOT)) == []


def test_every_block_is_filled_and_known():
    generated = generated_blocks(ROOT / "data", ROOT / "results" / "baselines.json")
    for name in ("DATASET_CARD.md", "README.md"):
        text = (ROOT / name).read_text(encoding="utf-8")
        found = [m.group("name") for m in (*BLOCK.finditer(text), *YAML_BLOCK.finditer(text))]
        assert found, name
        assert set(found) <= set(generated)
        assert all(m.group("body").strip() for m in (*BLOCK.finditer(text), *YAML_BLOCK.finditer(text)))
    card = (ROOT / "DATASET_CARD.md").read_text(encoding="utf-8")
    readme_only = {"pipeline"}  # the checkout's workflow: for maintainers, not on the Hub
    assert {m.group("name") for m in (*BLOCK.finditer(card), *YAML_BLOCK.finditer(card))} == set(generated) - readme_only


# Numerals the card may write by hand: they name things, they do not count the data.
ALLOWED_NUMERALS = {
    "2022",  # the year of the invasion, in prose about the topic
    "2016",  # SemEval-2016, the stance task whose definitions are used
    "2015",  # Zhu (2015), the citation of the task's official eval.pl
    "10",  # SemEval-2022 Task 10, whose graph F1 the holders scorer follows
    "2003",  # CoNLL-2003, the name of an export format
    "4.0",  # CC BY 4.0
    "24",  # the outlet "24 Instant News"
    "3.1", "3.2", "3.3", "3.6",  # rule numbers of the guidelines
    "1.1",  # the guidelines' version
    "0.1.0",  # the previous release, in the changelog and the errata
}


def test_no_hand_written_number_outside_the_generated_blocks():
    """Every count in the card comes from a generated block; only names and versions are free."""
    from belgrade_stance_schema.inventory import DATASET_VERSION

    text = (ROOT / "DATASET_CARD.md").read_text(encoding="utf-8")
    text = YAML_BLOCK.sub("", BLOCK.sub("", text))
    text = re.sub(r"`[^`]*`", "", text)  # identifiers such as `d00`
    text = text.replace(DATASET_VERSION, "")
    numerals = set(re.findall(r"(?<![\w.])\d+(?:\.\d+)*", text))
    assert numerals <= ALLOWED_NUMERALS, sorted(numerals - ALLOWED_NUMERALS)


def test_card_has_the_hub_template_sections_and_the_current_version_first_in_the_changelog():
    from belgrade_stance_schema.inventory import DATASET_VERSION

    text = (ROOT / "DATASET_CARD.md").read_text(encoding="utf-8")
    for heading in ("## Dataset description", "## Uses", "### Direct use", "### Out-of-scope use",
                    "## Dataset structure", "### Splits", "## Dataset creation", "### Curation rationale",
                    "### Source data", "### Annotations", "#### Annotation process", "#### Who are the annotators?",
                    "### Personal and sensitive information", "## Bias, risks and limitations", "## Licensing",
                    "## Citation", "## Changelog"):
        assert f"\n{heading}\n" in text, heading
    changelog = text.split("## Changelog\n", 1)[1]
    assert changelog.strip().startswith(f"* {DATASET_VERSION} ")
    assert "@misc{" in text and f"version = {{{DATASET_VERSION}}}" in text


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


def test_no_workflow_step_of_the_checkout_is_stale():
    """workflow.lock matches the checkout: every step that ran has the inputs and code it ran
    with, and its outputs hold (rerun `belgrade-stance build` after changing either)."""
    from belgrade_stance_build.workflow import read_lock, stale_steps

    assert {"data", "figures", "card"} <= set(read_lock(Layout(ROOT)))
    assert stale_steps(Layout(ROOT)) == []


def test_a_code_change_makes_its_steps_stale(tmp_path, monkeypatch):
    import shutil

    from belgrade_stance_build import workflow

    for name in ("raw", "data", "figures", "results", "docs"):
        shutil.copytree(ROOT / name, tmp_path / name)
    for name in ("pyproject.toml", "README.md", "DATASET_CARD.md", workflow.LOCK):
        shutil.copy(ROOT / name, tmp_path / name)
    assert workflow.stale_steps(Layout(tmp_path)) == []
    real = workflow._sha256
    target = str(ROOT / "scripts/belgrade_stance_build/card/figures.py")
    monkeypatch.setattr(workflow, "_sha256", lambda p: "0" * 64 if str(p) == target else real(p))
    stale = workflow.stale_steps(Layout(tmp_path))
    assert stale and all(line.startswith("[stale-step] figures: inputs changed") for line in stale), stale
    (tmp_path / "raw/segments/d01.jsonl").write_text("\n", encoding="utf-8")
    assert any("data: inputs changed" in line and "raw/segments/d01.jsonl" in line
               for line in workflow.stale_steps(Layout(tmp_path)))
