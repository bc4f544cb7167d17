"""The pandera schemas accept the real tables and reject tables that break a rule (each check can fail)."""

from __future__ import annotations

import pandas as pd
import pytest

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


CASES = {
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
