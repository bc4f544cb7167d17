"""Typed features of every config (Hugging Face `datasets.Features`), carried in the Parquet files'
metadata, and a line on every column (columns.toml): the card and Croissant are generated from them."""

from __future__ import annotations

import tomllib
from pathlib import Path

from belgrade_stance_schema.inventory import ENTITY_TYPES, HOLDER_TYPES, NER_TAGS, STANCE_LABELS

DESCRIPTIONS = tomllib.loads(Path(__file__).with_name("columns.toml").read_text(encoding="utf-8"))
"""config → column → its line on the card and in Croissant, every column of every config in order."""


def features(config: str):
    """The config's features. A column has one type in every config, a string unless named here
    (the documents' entities also name their sentence)."""
    from datasets import ClassLabel, Features, List, Value

    string, int32, flag = Value("string"), Value("int32"), Value("bool")
    stance, holder_type = ClassLabel(names=list(STANCE_LABELS)), ClassLabel(names=list(HOLDER_TYPES))
    holder = dict(holder_type=holder_type, holder=string, holder_description=string, label=stance)
    holder |= dict(holder_text=string, evidence_text=string, primary=flag)
    entity = dict(
        start=int32, end=int32, text=string, label=ClassLabel(names=list(ENTITY_TYPES)), entity_id=string
    )
    if config == "documents":
        entity["sentence_id"] = string
    types = {
        **dict.fromkeys(["label", "label_a", "label_b"], stance),
        **dict.fromkeys(["passes_agree", "mixed", "primary"], flag),
        "holder_type": holder_type,
        "holders": List(holder),
        "tokens": List(string),
        "ner_tags": List(ClassLabel(names=list(NER_TAGS))),
        "entities": List(entity),
        "stance": List({"target": string, **holder}),
        "boilerplate": List({"start": int32, "end": int32, "kind": string, "text": string}),
    }

    def type_of(name: str):
        integer = name in ("fold", "n_sentences") or name.endswith(("_start", "_end", "_index"))
        return int32 if integer else types.get(name, string)

    return Features({name: type_of(name) for name in DESCRIPTIONS[config]})
