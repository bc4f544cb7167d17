"""The pandera schemas accept the real tables and reject tables that break a rule (each check can fail);
the record models refuse every character that does not show, a line separator in a metadata cell once."""

from __future__ import annotations

import pandas as pd
import pytest
from pydantic import ValidationError

from belgrade_stance.errors import Problems
from belgrade_stance_build.layout import Layout
from belgrade_stance_build.stages.metadata import read_metadata
from belgrade_stance_schema.records import ANNOTATION
from belgrade_stance_schema.tables import KEY_COLUMNS, SPLIT_BY_DOCUMENT, validate_corpus, validate_tables


def _first(df, where):
    return df.index[where(df)][0]


def duplicate_stance_id(t):
    t["stance"] = pd.concat([t["stance"], t["stance"].head(1)], ignore_index=True)


def label_outside_inventory(t):
    t["stance"].loc[0, "label"] = "neutral"


def missing_target(t):
    t["stance"] = t["stance"].drop(index=0).reset_index(drop=True)


def bio_tags_inconsistent(t):
    s = t["sentences"]
    i = _first(s, lambda d: d["entities"].map(len) > 0)
    s.at[i, "ner_tags"] = ["O"] * len(s.at[i, "ner_tags"])


def entity_text_not_at_offsets(t):
    s = t["sentences"]
    i = _first(s, lambda d: d["entities"].map(len) > 0)
    s.at[i, "entities"] = [{**s.at[i, "entities"][0], "start": s.at[i, "entities"][0]["start"] + 1}]


def document_in_two_splits(t):
    t["stance"].loc[_first(t["stance"], lambda d: d["split"] == "train"), "split"] = "test"


def holders_disagree_with_label(t):
    st = t["stance"]
    st.loc[_first(st, lambda d: (d["label"] == "against") & ~d["mixed"]), "label"] = "favor"


def sentence_not_at_raw_offsets(t):
    t["sentences"].loc[0, ["raw_start", "raw_end"]] += 1


def stance_text_differs(t):
    t["stance"].loc[0, "text"] += " "


def stance_id_not_its_own(t):
    t["stance"].loc[0, "id"] = "d01-s000-war"


def description_not_the_targets(t):
    t["stance"]["target_description"] = "not a description"


def only_holders_row_of_an_item_missing(t):
    item = t["holders"]["sentence_id"] + "-" + t["holders"]["target"]
    t["holders"] = t["holders"].drop(index=item[item.map(item.value_counts()) == 1].index[0])


def white_space_token(t):
    s = t["sentences"]
    s.at[0, "tokens"] = [s.at[0, "tokens"][0], " ", *s.at[0, "tokens"][1:]]


CASES = {
    white_space_token: "tokens: in order",
    duplicate_stance_id: "unique",
    label_outside_inventory: "isin",
    missing_target: "every sentence has every target exactly once",
    bio_tags_inconsistent: "ner_tags",
    entity_text_not_at_offsets: "entities",
    document_in_two_splits: "disjoint by document",
    holders_disagree_with_label: "label/holders",
    sentence_not_at_raw_offsets: "raw_text[raw_start:raw_end]",
    stance_text_differs: "stance text/split/doc_id",
    stance_id_not_its_own: "id is <sentence_id>-<target>",
    description_not_the_targets: "target_description",
    only_holders_row_of_an_item_missing: "one holders row per favor/against record",
}


def test_the_real_tables_validate(tables):
    assert validate_tables({n: df.copy() for n, df in tables.items()}) == []
    assert validate_corpus({n: tables[n][c].copy() for n, c in KEY_COLUMNS.items()}) == []


@pytest.mark.parametrize("change", CASES, ids=lambda f: f.__name__)
def test_a_broken_table_is_refused(tables, change):
    broken = {n: df.copy(deep=True) for n, df in tables.items()}
    change(broken)
    failures = validate_tables(broken)
    assert any(CASES[change] in f[2] or CASES[change] in f[3] for f in failures), failures[:5]


@pytest.mark.parametrize("broken", ["documents", "sentences", "split"])
def test_rules_across_parts_hold_on_the_key_columns(tables, broken):
    keys = {n: tables[n][c].copy() for n, c in KEY_COLUMNS.items()}
    if broken == "split":
        keys["sentences"].loc[keys["sentences"].index[:6], "split"] = "test"
    else:
        keys[broken] = pd.concat([keys[broken], keys[broken].head(3)], ignore_index=True)
    failures = validate_corpus(keys)
    expected = SPLIT_BY_DOCUMENT if broken == "split" else "unique"
    assert any(expected in f[2] for f in failures), failures


@pytest.mark.parametrize("c", "\x00\x1b\x85\xad\u200b\u200f\u202e\u2066\ufeff\u2028")  # Cc, Cf, Zl
def test_a_hidden_character_is_refused_in_every_string_of_a_record(c):
    bad = dict(type="entity", sentence=f"s{c}", start=0, end=1, text=f"a{c}", label="GPE", entity_id="x")
    with pytest.raises(ValidationError) as refused:
        ANNOTATION.adapter.validate_python([{**bad, "reason": f"r{c}r"}])
    found = {(e["loc"][-1], e["type"]) for e in refused.value.errors()}
    assert found == {(k, "control-character") for k in ("sentence", "text", "reason")}


def test_a_line_separator_in_a_metadata_cell_is_one_problem(project):
    path, problems = project / "raw/metadata.csv", Problems()
    path.write_text(path.read_text(encoding="utf-8").replace("a few", "a few\u2028"), encoding="utf-8")
    read_metadata(Layout(project), problems)
    assert [(p.line, p.rule) for p in problems.items] == [(3, "control-character")], problems.report()
