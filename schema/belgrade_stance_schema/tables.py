"""pandera schemas of the four tables, the rules across tables and the rules across parts.

Each table is validated lazily (every failure collected); `validate_tables` and `validate_corpus`
return the failures as (table, record id, check, failure case, column) rows.
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from pandera.pandas import Check, Column

from belgrade_stance.spans import bio_tags, token_offsets
from belgrade_stance_schema import inventory as inv

STANCED = ("favor", "against")
SPLIT_BY_DOCUMENT = "splits are disjoint by document: one split and one fold per doc_id"
KEYS = {"documents": "doc_id", "sentences": "id", "stance": "id", "holders": "id"}


def schema(name: str, columns: dict[str, Column], checks: dict, strict: bool = True, **options):
    """A table's schema; checks: error message → check of the whole frame (a boolean per row)."""
    checks = [Check(check, error=error) for error, check in checks.items()]
    return pa.DataFrameSchema(columns, checks=checks, name=name, strict=strict, **options)


def rowwise(columns: list[str], ok):
    """A check that ok(*values of columns) holds, row by row (faster than DataFrame.apply)."""
    return lambda df: pd.Series(
        [bool(ok(*values)) for values in zip(*(df[c].tolist() for c in columns))], index=df.index, dtype=bool
    )


def spans(text_column: str, spans_column: str, key: str, inventory):
    """A check of a row's spans: key in inventory, text == text[start:end], no overlaps."""

    def ok(text: str, spans) -> bool:
        spans = sorted(spans, key=lambda s: s["start"])
        inside = all(s[key] in inventory and text[s["start"] : s["end"]] == s["text"] for s in spans)
        return inside and all(b["start"] >= a["end"] for a, b in zip(spans, spans[1:]))

    return rowwise([text_column, spans_column], ok)


def one_split_per_document(df: pd.DataFrame) -> pd.Series:
    g = df.groupby("doc_id")
    return (g["split"].transform("nunique") == 1) & (g["fold"].transform("nunique") == 1)


def _slices(text: str, start, end, covered) -> bool:
    """A sentence span: all three null, or 0 <= start < end <= len(text) and text[start:end] == covered."""
    if start is None or pd.isna(start):
        return (end is None or pd.isna(end)) and (covered is None or pd.isna(covered))
    start, end = int(start), int(end)
    return 0 <= start < end <= len(text) and text[start:end] == covered


def _ner_tags(text: str, tokens, tags, entities, status: str) -> bool:
    if tags is None:
        return status == "pending" and len(entities) == 0
    offsets, entities = token_offsets(text, tokens), [(e["start"], e["end"], e["label"]) for e in entities]
    return offsets is not None and list(tags) == bio_tags(offsets, entities)


def _holders(label: str, mixed: bool, holders) -> bool:
    holders = list(holders)
    labels = {h["label"] for h in holders}
    if label == "none":
        return not holders and not mixed
    if mixed:
        primary = [h for h in holders if h["primary"]]
        return labels == set(STANCED) and len(primary) == 1 and primary[0]["label"] == label
    return labels == {label} and all(h["evidence_text"] for h in holders)


def _passes_agree(df: pd.DataFrame) -> pd.Series:
    both = df["label_a"].notna() & df["label_b"].notna()
    same = (df["label_a"] == df["label_b"]).fillna(False).astype(bool) & both
    agree = df["passes_agree"]
    return (both & agree.notna() & (agree.fillna(False).astype(bool) == same)) | (~both & agree.isna())


# The columns of a row about a sentence and a target (stance and holders).
ITEM_COLUMNS = {
    "id": Column(str, unique=True),
    "sentence_id": Column(str),
    "doc_id": Column(str, Check.str_matches(inv.DOC_ID)),
    "text": Column(str, Check.str_length(min_value=1)),
    "target": Column(str, Check.isin(list(inv.TARGETS))),
    "mixed": Column(bool),
    "split": Column(str, Check.isin(list(inv.SPLITS))),
    "fold": Column(int, Check.ge(0)),
}


SCHEMAS = {
    "documents": schema(
        "documents",
        {
            "doc_id": Column(str, Check.str_matches(inv.DOC_ID), unique=True),
            "source_file": Column(str, unique=True),
            "raw_sha256": Column(str, Check.str_matches(inv.SHA256)),
            **dict.fromkeys(["outlet", "publisher", "author", "headline"], Column(str, nullable=True)),
            "date": Column(str, Check.str_matches(r"^\d{4}-\d{2}(-\d{2})?$")),
            "date_precision": Column(str, Check.isin(list(inv.DATE_PRECISIONS))),
            "date_evidence": Column(str, nullable=True),
            "language": Column(str, Check.str_matches(r"^[a-z]{2,3}$")),
            "rights": Column(str, Check.str_length(min_value=1)),
            "annotation_status": Column(str, Check.isin(list(inv.ANNOTATION_STATUSES))),
            "split": Column(str, Check.isin(list(inv.SPLITS))),
            "fold": Column(int, Check.ge(0), unique=True),
            **dict.fromkeys(["raw_text", "body_text"], Column(str, Check.str_length(min_value=1))),
            **dict.fromkeys(["boilerplate", "entities"], Column(object)),
            "n_sentences": Column(int, Check.gt(0)),
        },
        {
            "boilerplate: kind in inventory, text == raw_text[start:end], no overlaps": spans(
                "raw_text", "boilerplate", "kind", inv.BOILERPLATE_KINDS
            ),
            "entities: label in ENTITY_TYPES, text == raw_text[start:end], no overlaps": spans(
                "raw_text", "entities", "label", inv.ENTITY_TYPES
            ),
            "an estimated date needs date_evidence": lambda df: (
                (df["date_precision"] != "estimated") | df["date_evidence"].notna()
            ),
        },
    ),
    "sentences": schema(
        "sentences",
        {
            "id": Column(str, unique=True),
            "doc_id": Column(str, Check.str_matches(inv.DOC_ID)),
            "paragraph_index": Column(int, Check.ge(0)),
            "sentence_index": Column(int, Check.ge(0)),
            "text": Column(str, Check.str_length(min_value=1)),
            "body_start": Column(int, Check.ge(0)),
            "body_end": Column(int, Check.gt(0)),
            "raw_start": Column(int, Check.ge(0)),
            "raw_end": Column(int, Check.gt(0)),
            "tokens": Column(object),
            "ner_tags": Column(object, nullable=True),
            "entities": Column(object),
            "stance": Column(object),
            "annotation_status": Column(str, Check.isin(list(inv.ANNOTATION_STATUSES))),
            "split": Column(str, Check.isin(list(inv.SPLITS))),
            "fold": Column(int, Check.ge(0)),
        },
        {
            "offsets: end - start == len(text) in body and raw offsets": lambda df: (
                (df["body_end"] - df["body_start"] == df["text"].str.len())
                & (df["raw_end"] - df["raw_start"] == df["text"].str.len())
            ),
            "tokens: in order, cover every non-space character of text": rowwise(
                ["text", "tokens"], lambda text, tokens: token_offsets(text, tokens) is not None
            ),
            "entities: label in ENTITY_TYPES, text == text[start:end], no overlaps": spans(
                "text", "entities", "label", inv.ENTITY_TYPES
            ),
            "ner_tags: one per token, equal to the BIO encoding of the entity spans": rowwise(
                ["text", "tokens", "ner_tags", "entities", "annotation_status"], _ner_tags
            ),
            "stance records: target in TARGETS, label favor/against, holder_type in HOLDER_TYPES": rowwise(
                ["stance"],
                lambda records: all(
                    r["target"] in inv.TARGETS
                    and r["label"] in STANCED
                    and r["holder_type"] in inv.HOLDER_TYPES
                    and r["holder"]
                    for r in records
                ),
            ),
        },
        unique=["doc_id", "sentence_index"],
    ),
    "stance": schema(
        "stance",
        {
            **ITEM_COLUMNS,
            "target_description": Column(str, Check.isin(list(inv.TARGETS.values()))),
            "context": Column(str),
            "label": Column(str, Check.isin(list(inv.STANCE_LABELS))),
            "label_a": Column(str, Check.isin(list(inv.STANCE_LABELS)), nullable=True),
            "label_b": Column(str, Check.isin(list(inv.STANCE_LABELS)), nullable=True),
            "passes_agree": Column(pd.BooleanDtype(), nullable=True, coerce=True),
            "holders": Column(object),
        },
        {
            SPLIT_BY_DOCUMENT: one_split_per_document,
            "id is <sentence_id>-<target>": lambda df: df["id"] == df["sentence_id"] + "-" + df["target"],
            "target_description is the inventory's description of target": lambda df: (
                df["target_description"] == df["target"].map(inv.TARGETS)
            ),
            # with (sentence_id, target) unique and target in TARGETS, a full count is every target once
            "every sentence has every target exactly once": lambda df: (
                df.groupby("sentence_id")["target"].transform("size") == len(inv.TARGETS)
            ),
            "label/holders: none ↔ no holder; holders agree with label, or mixed with a primary "
            "of that label": rowwise(["label", "mixed", "holders"], _holders),
            "passes_agree == (label_a == label_b), null if a pass is missing": _passes_agree,
        },
        unique=["sentence_id", "target"],
    ),
    "holders": schema(
        "holders",
        {
            **ITEM_COLUMNS,
            "label": Column(str, Check.isin(list(STANCED))),
            "holder_type": Column(str, Check.isin(list(inv.HOLDER_TYPES))),
            "holder": Column(str, Check.str_length(min_value=1)),
            "holder_start": Column(pd.Int64Dtype(), Check.ge(0), nullable=True, coerce=True),
            "holder_end": Column(pd.Int64Dtype(), Check.ge(1), nullable=True, coerce=True),
            "holder_text": Column(str, nullable=True),
            "evidence_start": Column(int, Check.ge(0)),
            "evidence_end": Column(int, Check.ge(1)),
            "evidence_text": Column(str, Check.str_length(min_value=1)),
            "primary": Column(bool),
        },
        {
            SPLIT_BY_DOCUMENT: one_split_per_document,
            "id is <sentence_id>-<target>-<n>": rowwise(
                ["id", "sentence_id", "target"],
                lambda i, s, t: i.rsplit("-", 1)[0] == f"{s}-{t}" and i.rsplit("-", 1)[1].isdigit(),
            ),
            "text[holder_start:holder_end] == holder_text (or all three null)": rowwise(
                ["text", "holder_start", "holder_end", "holder_text"], _slices
            ),
            "text[evidence_start:evidence_end] == evidence_text": rowwise(
                ["text", "evidence_start", "evidence_end", "evidence_text"], _slices
            ),
            "an author holder is written author": lambda df: (
                (df["holder_type"] != "author") | (df["holder"] == "author")
            ),
        },
    ),
}

# The rules across tables, on a table with the columns of the rows it refers to (validate_tables).
ACROSS = {
    "sentences×documents": {
        "sentence text == documents.raw_text[raw_start:raw_end]": rowwise(
            ["raw_text", "raw_start", "raw_end", "text"], lambda t, a, b, s: t[a:b] == s
        ),
        "sentence text == documents.body_text[body_start:body_end]": rowwise(
            ["body_text", "body_start", "body_end", "text"], lambda t, a, b, s: t[a:b] == s
        ),
        "sentence split/fold == its document's": lambda df: (
            (df["split"] == df["doc_split"]) & (df["fold"] == df["doc_fold"])
        ),
        "sentence doc_id is a document": lambda df: df["doc_known"],
    },
    "stance×sentences": {
        "stance sentence_id is a sentence": lambda df: df["sentence_known"],
        "stance text/split/doc_id == its sentence's": lambda df: (
            (df["text"] == df["sentence_text"])
            & (df["split"] == df["sentence_split"])
            & (df["doc_id"] == df["sentence_doc"])
        ),
    },
    "holders×stance": {
        "holders row's <sentence_id>-<target> is a stance row": lambda df: df["item_known"],
        "holders text == the stance row's text": lambda df: df["text"] == df["item_text"],
        "holders mixed == the stance row's mixed": lambda df: df["mixed"] == df["item_mixed"],
        "one holders row per favor/against record of the stance row": lambda df: (
            df["rows_of_item"] == df["item_records"]
        ),
        "holders label == the stance label (for a mixed item: the primary record's)": lambda df: (
            (df["mixed"] & ~df["primary"]) | (df["label"] == df["item_label"])
        ),
    },
}


def validate(name: str, rules: pa.DataFrameSchema, frame: pd.DataFrame, key: str) -> list[tuple]:
    """Validate frame in place (coercing where the rules say so); its failures as rows."""
    try:
        rules.validate(frame, lazy=True, inplace=True)
    except pa.errors.SchemaErrors as err:
        fc = err.failure_cases
        cases = zip(fc["index"], fc["check"], fc["failure_case"], fc["column"])
        return [
            (name, frame.loc[i, key] if i in frame.index else None, str(c), str(case)[:200], str(column))
            for i, c, case, column in cases
        ]
    return []


def validate_tables(tables: dict[str, pd.DataFrame]) -> list[tuple]:
    """Validate every table, then the rules across them; [] if all hold."""
    failures = [f for name, s in SCHEMAS.items() for f in validate(name, s, tables[name], KEYS[name])]
    if failures:
        return failures  # structure first: the rules across tables need valid tables
    docs, sents, stance, holders = (tables[name] for name in SCHEMAS)
    d, s, st = docs.set_index("doc_id"), sents.set_index("id"), stance.set_index("id")
    item = holders["sentence_id"] + "-" + holders["target"]
    frames = {
        "sentences×documents": sents.assign(
            doc_known=sents["doc_id"].isin(d.index),
            raw_text=sents["doc_id"].map(d["raw_text"]).fillna(""),
            body_text=sents["doc_id"].map(d["body_text"]).fillna(""),
            doc_split=sents["doc_id"].map(d["split"]),
            doc_fold=sents["doc_id"].map(d["fold"]),
        ),
        "stance×sentences": stance.assign(
            sentence_known=stance["sentence_id"].isin(s.index),
            sentence_text=stance["sentence_id"].map(s["text"]),
            sentence_split=stance["sentence_id"].map(s["split"]),
            sentence_doc=stance["sentence_id"].map(s["doc_id"]),
        ),
        "holders×stance": holders.assign(
            item_known=item.isin(st.index),
            item_text=item.map(st["text"]),
            item_label=item.map(st["label"]),
            item_mixed=item.map(st["mixed"]).fillna(False).astype(bool),
            item_records=item.map(st["holders"].map(len)).fillna(-1),
            rows_of_item=item.map(item.value_counts()),
        ),
    }
    for name, frame in frames.items():
        failures += validate(name, schema(name, {}, ACROSS[name], strict=False), frame, "id")
    gold = set(docs.loc[docs["annotation_status"] != "pending", "doc_id"])
    for sid in sorted(set(sents.loc[sents["doc_id"].isin(gold), "id"]) - set(stance["sentence_id"])):
        failures.append(
            ("stance", sid, "every sentence of an annotated document is in stance", sid, "sentence_id")
        )
    return failures


# Rules across parts. Each part holds whole documents and is validated whole (every rule above);
# what no part sees alone is checked on the key columns of every part together: document ids,
# source files, folds and sentence ids unique, one split per document (texts that leak across
# splits are the build's). Every other rule follows from these within each part.
KEY_COLUMNS = {
    "documents": ["doc_id", "source_file", "split", "fold"],
    "sentences": ["id", "doc_id", "split", "fold"],
}


def validate_corpus(keys: dict[str, pd.DataFrame]) -> list[tuple]:
    """The rules across parts, on the key columns (KEY_COLUMNS) of every part together."""
    unique = {"documents": {"doc_id": str, "source_file": str, "fold": int}, "sentences": {"id": str}}
    checks = {"documents": {}, "sentences": {SPLIT_BY_DOCUMENT: one_split_per_document}}
    failures = []
    for name, columns in unique.items():
        rules = schema(
            name, {c: Column(t, unique=True) for c, t in columns.items()}, checks[name], strict=False
        )
        failures += validate(name, rules, keys[name], KEYS[name])
    return failures
