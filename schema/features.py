"""Typed features of every config (Hugging Face `datasets.Features`), built from the inventory.

Parquet files carry these features in their schema metadata, and the card's YAML
`dataset_info` is generated from them, so the Hub folder, the loader and the files agree.
"""

from __future__ import annotations

from schema.inventory import ENTITY_TYPES, NER_TAGS, STANCE_LABELS


def features(config: str):
    from datasets import ClassLabel, Features, List, Value

    stance_label = ClassLabel(names=list(STANCE_LABELS))
    entity_label = ClassLabel(names=list(ENTITY_TYPES))
    holder = {
        "holder_type": Value("string"),
        "holder": Value("string"),
        "label": stance_label,
        "holder_text": Value("string"),
        "evidence_text": Value("string"),
        "primary": Value("bool"),
    }
    if config == "stance":
        return Features({
            "id": Value("string"),
            "sentence_id": Value("string"),
            "doc_id": Value("string"),
            "text": Value("string"),
            "target": Value("string"),
            "target_description": Value("string"),
            "label": stance_label,
            "label_a": stance_label,
            "label_b": stance_label,
            "passes_agree": Value("bool"),
            "mixed": Value("bool"),
            "holders": List(holder),
            "split": Value("string"),
            "fold": Value("int32"),
        })
    if config == "sentences":
        return Features({
            "id": Value("string"),
            "doc_id": Value("string"),
            "paragraph_index": Value("int32"),
            "sentence_index": Value("int32"),
            "text": Value("string"),
            "body_start": Value("int32"),
            "body_end": Value("int32"),
            "raw_start": Value("int32"),
            "raw_end": Value("int32"),
            "tokens": List(Value("string")),
            "ner_tags": List(ClassLabel(names=list(NER_TAGS))),
            "entities": List({
                "start": Value("int32"),
                "end": Value("int32"),
                "text": Value("string"),
                "label": entity_label,
                "entity_id": Value("string"),
            }),
            "stance": List({"target": Value("string"), **holder}),
            "annotation_status": Value("string"),
            "split": Value("string"),
            "fold": Value("int32"),
        })
    if config == "documents":
        return Features({
            "doc_id": Value("string"),
            "source_file": Value("string"),
            "raw_sha256": Value("string"),
            "outlet": Value("string"),
            "publisher": Value("string"),
            "author": Value("string"),
            "headline": Value("string"),
            "date": Value("string"),
            "date_precision": Value("string"),
            "date_evidence": Value("string"),
            "language": Value("string"),
            "rights": Value("string"),
            "annotation_status": Value("string"),
            "split": Value("string"),
            "fold": Value("int32"),
            "raw_text": Value("string"),
            "body_text": Value("string"),
            "boilerplate": List({
                "start": Value("int32"),
                "end": Value("int32"),
                "kind": Value("string"),
                "text": Value("string"),
            }),
            "entities": List({
                "start": Value("int32"),
                "end": Value("int32"),
                "text": Value("string"),
                "label": entity_label,
                "entity_id": Value("string"),
                "sentence_id": Value("string"),
            }),
            "n_sentences": Value("int32"),
        })
    raise KeyError(config)
