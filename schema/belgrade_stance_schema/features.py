"""Typed features of every config (Hugging Face `datasets.Features`), built from the inventory.

Parquet files carry these features in their schema metadata, and the card's YAML
`dataset_info` is generated from them, so the Hub folder, the loader and the files agree.
"""

from __future__ import annotations

from belgrade_stance_schema.inventory import ENTITY_TYPES, HOLDER_TYPES, NER_TAGS, STANCE_LABELS


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
    entity = {  # a mention: offsets in the sentence (sentences) or the raw text (documents)
        "start": Value("int32"),
        "end": Value("int32"),
        "text": Value("string"),
        "label": entity_label,
        "entity_id": Value("string"),
    }
    item = {  # the first columns of a row about a (sentence, target) item: stance and holders
        "id": Value("string"),
        "sentence_id": Value("string"),
        "doc_id": Value("string"),
        "text": Value("string"),
        "target": Value("string"),
    }
    if config == "stance":
        return Features(
            {
                **item,
                "target_description": Value("string"),
                "context": Value("string"),
                "label": stance_label,
                "label_a": stance_label,
                "label_b": stance_label,
                "passes_agree": Value("bool"),
                "mixed": Value("bool"),
                "holders": List(holder),
                "split": Value("string"),
                "fold": Value("int32"),
            }
        )
    if config == "holders":
        return Features(
            {
                **item,
                "label": stance_label,
                "holder_type": ClassLabel(names=list(HOLDER_TYPES)),
                "holder": Value("string"),
                "holder_start": Value("int32"),
                "holder_end": Value("int32"),
                "holder_text": Value("string"),
                "evidence_start": Value("int32"),
                "evidence_end": Value("int32"),
                "evidence_text": Value("string"),
                "primary": Value("bool"),
                "mixed": Value("bool"),
                "split": Value("string"),
                "fold": Value("int32"),
            }
        )
    if config == "sentences":
        return Features(
            {
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
                "entities": List(entity),
                "stance": List({"target": Value("string"), **holder}),
                "annotation_status": Value("string"),
                "split": Value("string"),
                "fold": Value("int32"),
            }
        )
    if config == "documents":
        return Features(
            {
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
                "boilerplate": List(
                    {
                        "start": Value("int32"),
                        "end": Value("int32"),
                        "kind": Value("string"),
                        "text": Value("string"),
                    }
                ),
                "entities": List({**entity, "sentence_id": Value("string")}),
                "n_sentences": Value("int32"),
            }
        )
    raise KeyError(config)


# One line per field of every config: the card's structure section and the Croissant fields are
# generated from these (a test checks that every feature has one and no description is stale).
DESCRIPTIONS: dict[str, dict[str, str]] = {
    "stance": {
        "id": "Row id: `<sentence_id>-<target>`.",
        "sentence_id": "Id of the body sentence (`<doc_id>-sNNN`).",
        "doc_id": "Id of the source document.",
        "text": "The sentence, exactly as in the raw text.",
        "target": "The stance target (see Targets).",
        "target_description": "The target's definition from the guidelines, to feed to a classifier "
        "with the text.",
        "context": "The sentences before this one in its paragraph; for a paragraph's first sentence, the "
        "previous sentence (quotes run across paragraph breaks); empty for the document's first.",
        "label": "Gold stance of the sentence towards the target (ClassLabel none / against / favor).",
        "label_a": "Label of annotation pass A (null if the document has no pass A).",
        "label_b": "Label of annotation pass B (null if the document has no pass B).",
        "passes_agree": "Whether passes A and B gave the same label (null if a pass is missing).",
        "mixed": "True if holders in the sentence take opposite stances; `label` is then the "
        "primary holder's.",
        "holders": "Who holds the favor/against stance: holder type (author, entity, group), holder "
        "(entity id or description), label, holder text, evidence text, primary flag. "
        "Empty for none.",
        "split": "train, validation or test (by document).",
        "fold": "Leave-one-document-out fold: the document's index.",
    },
    "holders": {
        "id": "Row id: `<sentence_id>-<target>-<n>`, n numbering the records of the item.",
        "sentence_id": "Id of the body sentence (`<doc_id>-sNNN`).",
        "doc_id": "Id of the source document.",
        "text": "The sentence, exactly as in the raw text; every offset of the row is into it.",
        "target": "The stance target (see Targets).",
        "label": "The holder's stance (ClassLabel none / against / favor; never none here).",
        "holder_type": "author, entity or group (ClassLabel).",
        "holder": "Who holds it: `author`, an entity id of the document, or a group's normalised "
        "description.",
        "holder_start": "Start (characters, in text) of the holder's mention; null where the "
        "sentence names no holder.",
        "holder_end": "End (exclusive) of the holder's mention; null with holder_start.",
        "holder_text": "text[holder_start:holder_end]; null with holder_start.",
        "evidence_start": "Start (characters, in text) of the evidence: the smallest stretch "
        "expressing the stance.",
        "evidence_end": "End (exclusive) of the evidence.",
        "evidence_text": "text[evidence_start:evidence_end].",
        "primary": "True on the record whose label is the item's label where holders disagree.",
        "mixed": "True if holders of the item take opposite stances.",
        "split": "train, validation or test (by document).",
        "fold": "Leave-one-document-out fold: the document's index.",
    },
    "sentences": {
        "id": "Sentence id (`<doc_id>-sNNN`).",
        "doc_id": "Id of the source document.",
        "paragraph_index": "Index of the body paragraph holding the sentence.",
        "sentence_index": "Index of the sentence in the document body.",
        "text": "The sentence, exactly as in the raw text.",
        "body_start": "Start offset (characters) in the document's body_text.",
        "body_end": "End offset (exclusive) in body_text.",
        "raw_start": "Start offset (characters) in the document's raw_text.",
        "raw_end": "End offset (exclusive) in raw_text.",
        "tokens": "spaCy English tokenizer tokens of the sentence.",
        "ner_tags": "BIO entity tags, one per token (ClassLabel over B-/I- of every entity type and O).",
        "entities": "Entity mentions: start/end in the sentence, text, type (ClassLabel), canonical "
        "entity id.",
        "stance": "Gold favor/against records of the sentence (target, holder type, holder, label, "
        "holder text, evidence text, primary).",
        "annotation_status": "gold for adjudicated documents; pending documents carry no labels.",
        "split": "train, validation or test (by document).",
        "fold": "Leave-one-document-out fold: the document's index.",
    },
    "documents": {
        "doc_id": "Document id.",
        "source_file": "File name of the raw text in raw/texts/.",
        "raw_sha256": "sha256 of the raw text's UTF-8 bytes.",
        "outlet": "Site the text was collected from (null if not named).",
        "publisher": "Original publisher or agency named in the text (null if none).",
        "author": "Author as named in the text (null if none).",
        "headline": "Headline.",
        "date": "Publication date (YYYY-MM-DD or YYYY-MM).",
        "date_precision": "day, month or estimated.",
        "date_evidence": "For estimated dates: the words of the text the estimate rests on.",
        "language": "ISO 639-1 language code.",
        "rights": "Rights of the source text (third-party copyright).",
        "annotation_status": "gold or pending.",
        "split": "train, validation or test.",
        "fold": "Leave-one-document-out fold: the document's index.",
        "raw_text": "The raw text, byte for byte as collected.",
        "body_text": "The raw text without boilerplate ranges, paragraphs joined by blank lines.",
        "boilerplate": "Typed ranges of the raw text that are not article body (navigation, bylines, …).",
        "entities": "Every gold entity mention with raw-text offsets, type, entity id and sentence id.",
        "n_sentences": "Number of body sentences.",
    },
}
