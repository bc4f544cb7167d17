"""Every number in README.md and DATASET_CARD.md is generated from data/ and up to date."""

from __future__ import annotations

import re

import pytest

from belgrade_stance.errors import DatasetError
from belgrade_stance_build.build import build
from belgrade_stance_build.card.figures import FIGURES
from belgrade_stance_build.card.render import BLOCK, blocks, count_blocks, release_blocks, render
from belgrade_stance_build.layout import Layout
from belgrade_stance_schema.inventory import DATASET_VERSION
from helpers import ROOT, need


def test_generated_blocks_equal_a_fresh_rendering():
    generated = blocks(Layout(ROOT))
    for name in ("DATASET_CARD.md", "README.md"):
        text = (ROOT / name).read_text(encoding="utf-8")
        found = list(BLOCK.finditer(text))
        assert {m["name"] for m in found} <= set(generated) | {"stages"}, name
        assert all(m["body"].strip() for m in found), name
        assert render(text, generated) == text, name
    card = (ROOT / "DATASET_CARD.md").read_text(encoding="utf-8")
    assert {m["name"] for m in BLOCK.finditer(card)} == set(generated)  # the stage diagram is the README's


# Numerals the card may write by hand name things, not counts: the invasion's year, cited works, CC BY 4.0,
# "24 Instant News", the guidelines' rules and versions; and releases (x.y.z: changelog, errata).
ALLOWED_NUMERALS = {*"2022 2016 2015 10 2003 4.0 24 1.1 1.2 3.1 3.2 3.3 3.6 3.9 6.2 6.5".split()}


def test_no_hand_written_number_outside_the_generated_blocks():
    """Every count in the card comes from a generated block; only names and versions are free."""
    text = BLOCK.sub("", (ROOT / "DATASET_CARD.md").read_text(encoding="utf-8"))
    text = re.sub(r"`[^`]*`|\b\d+\.\d+\.\d+\b", "", text)  # identifiers such as `d00`, releases
    numerals = set(re.findall(r"(?<![\w.])\d+(?:\.\d+)*", text))
    assert numerals <= ALLOWED_NUMERALS, sorted(numerals - ALLOWED_NUMERALS)


def test_card_has_the_hub_template_sections_every_figure_and_the_current_version_first_in_the_changelog():
    text = (ROOT / "DATASET_CARD.md").read_text(encoding="utf-8")
    headings = """## Dataset description|## Uses|### Direct use|### Out-of-scope use|## Dataset structure
        |### Splits|## Dataset creation|### Curation rationale|### Source data|### Annotations
        |#### Annotation process|#### Who are the annotators?|### Personal and sensitive information
        |## Bias, risks and limitations|## Licensing|## Citation|## Changelog"""
    for heading in headings.split("|"):
        assert f"\n{heading.strip()}\n" in text, heading
    assert set(re.findall(r"!\[[^\]]+\]\(figures/([a-z]+)\.png\)", text)) == set(FIGURES)
    assert text.split("## Changelog\n", 1)[1].split("\n### ")[1].startswith(f"[{DATASET_VERSION}] - ")
    assert "machine-generated" in text.split("---")[1] and "docs/annotation-guidelines.md" in text


def test_the_release_metadata_agrees_or_the_build_names_the_file(tmp_path):
    """DATASET_VERSION, its CHANGELOG.md date, pyproject's Homepage, CITATION.cff and the PyPI page."""
    for name in ("CITATION.cff", "CHANGELOG.md", "pyproject.toml", "docs/pypi.md"):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_bytes((ROOT / name).read_bytes())
    layout, v = Layout(tmp_path), DATASET_VERSION
    assert f"url          = {{{layout.hub_url()}}}" in release_blocks(layout)["citation"]
    changes = [("CITATION.cff", f"version: {v}", "version: 9.9.9", "citation-stale")]
    changes += [("CHANGELOG.md", f"## [{v}]", "## [9.9.9]", "changelog-missing")]
    changes += [("docs/pypi.md", "belgrade-stance>", "other>", "pypi-page-stale")]
    changes += [("pyproject.toml", "belgrade-stance/belgrade-stance", "someone/fork", "citation-stale")]
    changes += [("CITATION.cff", "cff-version", "title: [unclosed\ncff-version", "citation-unreadable")]
    for name, old, new, rule in changes:
        original = (tmp_path / name).read_text(encoding="utf-8")
        (tmp_path / name).write_text(original.replace(old, new), encoding="utf-8")
        with pytest.raises(DatasetError, match=rf"\[{rule}\]"):
            release_blocks(layout)
        (tmp_path / name).write_text(original, encoding="utf-8")
    try:
        from cffconvert import Citation
    except ImportError:
        need("cffconvert", "pip install cffconvert (in the test group)")
    Citation((ROOT / "CITATION.cff").read_text(encoding="utf-8")).validate()  # raises where invalid


def table_rows(text: str):
    """(cells, row, header) of every Markdown table row outside code fences; cells end at unescaped `|`."""
    header, fenced = None, False
    for line in text.splitlines():
        fenced ^= line.startswith("```")
        if fenced or not line.startswith("|"):
            header = None
            continue
        cells = len(re.findall(r"(?<!\\)\|", line.replace("\\\\", ""))) - 1
        header = header or (cells, line)
        yield cells, line, header


def test_every_table_row_has_as_many_cells_as_its_header():
    for name in ("DATASET_CARD.md", "README.md"):
        rows = list(table_rows((ROOT / name).read_text(encoding="utf-8")))
        assert rows and [(name, row) for cells, row, header in rows if cells != header[0]] == []


def test_metadata_with_a_pipe_or_html_renders_literally(project):
    metadata = project / "raw/metadata.csv"
    text = metadata.read_text(encoding="utf-8").replace(",Devdiscourse,Reuters,", ",Devdiscourse,A | B <b>,")
    metadata.write_text(text, encoding="utf-8")
    build(Layout(project))
    table = count_blocks(project / "data")["documents"]
    assert "| Devdiscourse | A \\| B &lt;b&gt; |" in table
    assert {cells for cells, _, _ in table_rows(table)} == {8}
