"""pandera schemas of the four tables, the rules across tables and across parts; every failure
is collected (lazy validation) as a (table, record id, check, failure case, column) row."""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from pandera.pandas import Check, Column

from belgrade_stance.spans import bio_tags, token_offsets
from belgrade_stance_schema import inventory as inv

STANCED = ("favor", "against")
SPLIT_BY_DOCUMENT = "splits are disjoint by document: one split and one fold per doc_id"


def schema(columns: dict[str, Column], checks: dict, strict: bool = True, **options) -> pa.DataFrameSchema:
    """A table's schema; checks: error message → check of the whole frame (a boolean per row)."""
    checks = [Check(check, error=error) for error, check in checks.items()]
    return pa.DataFrameSchema(columns, checks=checks, strict=strict, **options)


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
    """A span: all three null, or 0 <= start < end <= len(text) and text[start:end] == covered."""
    if pd.isna(start):
        return pd.isna(end) and pd.isna(covered)
    start, end = int(start), int(end)
    return isinstance(text, str) and 0 <= start < end <= len(text) and text[start:end] == covered


def _ner_tags(text: str, tokens, tags, entities, status: str) -> bool:
    if tags is None:
        return status == "pending" and len(entities) == 0
    offsets, entities = token_offsets(text, tokens), [(e["start"], e["end"], e["label"]) for e in entities]
    return offsets is not None and list(tags) == bio_tags(offsets, entities)


def _holders(label: str, mixed: bool, holders) -> bool:
    labels = {h["label"] for h in holders}
    if label == "none":
        return not holders and not mixed
    if mixed:
        primary = [h for h in holders if h["primary"]]
        return labels == set(STANCED) and len(primary) == 1 and primary[0]["label"] == label
    return labels == {label} and all(h["evidence_text"] for h in holders)


def _passes_agree(a, b, agree) -> bool:
    return pd.isna(agree) if pd.isna(a) or pd.isna(b) else not pd.isna(agree) and agree == (a == b)


def _stance_record(r: dict) -> bool:
    return r["target"] in inv.TARGETS and r["label"] in STANCED and r["holder_type"] in inv.HOLDER_TYPES


# The columns of a row about a sentence and a target (stance and holders); sentences share five.
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
        {
            "doc_id": Column(str, Check.str_matches(inv.DOC_ID), unique=True),
            "source_file": Column(str, unique=True),
            "raw_sha256": Column(str, Check.str_matches(inv.SHA256)),
            **dict.fromkeys(["outlet", "publisher", "author", "headline"], Column(str, nullable=True)),
            "date_evidence": Column(str, nullable=True),
            "date": Column(str, Check.str_matches(r"^\d{4}-\d{2}(-\d{2})?$")),
            "date_precision": Column(str, Check.isin(list(inv.DATE_PRECISIONS))),
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
        {
            **{c: ITEM_COLUMNS[c] for c in ("id", "doc_id", "text", "split", "fold")},
            **dict.fromkeys(["paragraph_index", "sentence_index"], Column(int, Check.ge(0))),
            **dict.fromkeys(["body_start", "raw_start"], Column(int, Check.ge(0))),
            **dict.fromkeys(["body_end", "raw_end"], Column(int, Check.gt(0))),
            **dict.fromkeys(["tokens", "entities", "stance"], Column(object)),
            "ner_tags": Column(object, nullable=True),
            "annotation_status": Column(str, Check.isin(list(inv.ANNOTATION_STATUSES))),
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
                ["stance"], lambda records: all(_stance_record(r) and r["holder"] for r in records)
            ),
        },
        unique=["doc_id", "sentence_index"],
    ),
    "stance": schema(
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
            "passes_agree == (label_a == label_b), null if a pass is missing": rowwise(
                ["label_a", "label_b", "passes_agree"], _passes_agree
            ),
        },
        unique=["sentence_id", "target"],
    ),
    "holders": schema(
        {
            **ITEM_COLUMNS,
            "label": Column(str, Check.isin(list(STANCED))),
            "holder_type": Column(str, Check.isin(list(inv.HOLDER_TYPES))),
            "holder": Column(str, Check.str_length(min_value=1)),
            "holder_description": Column(str, Check.str_length(min_value=1), nullable=True),
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
            "a group holder is a group id of GROUPS with a description; only groups have one": lambda df: (
                (df["holder_type"] == "group")
                == (df["holder"].isin(list(inv.GROUPS)) & df["holder_description"].notna())
            ),
        },
    ),
}

# The rules across tables: each table's rows with the columns of the rows they refer to (validate_tables).
ACROSS = {
    "sentences": {
        "sentence doc_id is a document": lambda df: df["doc_known"],
        "sentence text == documents.raw_text[raw_start:raw_end]": rowwise(
            ["doc_raw_text", "raw_start", "raw_end", "text"], _slices
        ),
        "sentence text == documents.body_text[body_start:body_end]": rowwise(
            ["doc_body_text", "body_start", "body_end", "text"], _slices
        ),
        "sentence split/fold == its document's": lambda df: (
            (df["split"] == df["doc_split"]) & (df["fold"] == df["doc_fold"])
        ),
        "every sentence of an annotated document is in stance": lambda df: (
            (df["doc_annotation_status"] != "gold") | df["in_stance"]
        ),
    },
    "stance": {
        "stance sentence_id is a sentence": lambda df: df["sentence_known"],
        "stance text/split/doc_id == its sentence's": lambda df: (
            (df["text"] == df["sentence_text"])
            & (df["split"] == df["sentence_split"])
            & (df["doc_id"] == df["sentence_doc_id"])
        ),
        "one holders row per favor/against record of the stance row": lambda df: (
            df["holders"].map(len) == df["holder_rows"]
        ),
    },
    "holders": {
        "holders row's <sentence_id>-<target> is a stance row": lambda df: df["item_known"],
        "holders text == the stance row's text": lambda df: df["text"] == df["item_text"],
        "holders mixed == the stance row's mixed": lambda df: df["mixed"] == df["item_mixed"],
        "holders label == the stance label (for a mixed item: the primary record's)": lambda df: (
            (df["mixed"] & ~df["primary"]) | (df["label"] == df["item_label"])
        ),
    },
}


def validate(name: str, rules: pa.DataFrameSchema, frame: pd.DataFrame) -> list[tuple]:
    """Validate frame in place (coercing where the rules say so); its failures as rows (once per row
    for a check of the whole frame, which pandera reports for every column)."""
    try:
        rules.validate(frame, lazy=True, inplace=True)
    except pa.errors.SchemaErrors as err:
        fc = err.failure_cases
        wide = (fc["schema_context"] == "DataFrameSchema") & fc["index"].notna()
        fc = fc[~(wide & fc.duplicated(["index", "check"]))]
        cases = zip(fc["index"], fc["check"], fc["failure_case"], fc["column"])
        key = "doc_id" if name == "documents" else "id"
        return [
            (name, frame.loc[i, key] if i in frame.index else None, str(c), str(case)[:200], str(column))
            for i, c, case, column in cases
        ]
    return []


def _join(left: pd.DataFrame, on, right: pd.DataFrame, prefix: str) -> pd.DataFrame:
    """left with the (prefixed) columns of the right row it refers to by on, and <prefix>known."""
    right, known = right.add_prefix(prefix), prefix + "known"
    joined = left.merge(right, "left", left_on=on, right_on=right.columns[0], indicator=known)
    return joined.assign(**{known: joined[known] == "both"})


def validate_tables(tables: dict[str, pd.DataFrame]) -> list[tuple]:
    """Validate every table, then the rules across them; [] if all hold."""
    failures = [f for name, rules in SCHEMAS.items() for f in validate(name, rules, tables[name])]
    if failures:
        return failures  # structure first: the rules across tables need valid tables
    docs, sents, stance, holders = (tables[name] for name in SCHEMAS)
    item = holders["sentence_id"] + "-" + holders["target"]
    document = docs[["doc_id", "raw_text", "body_text", "split", "fold", "annotation_status"]]
    sentence = sents[["id", "text", "split", "doc_id"]]
    in_stance = sents["id"].isin(stance["sentence_id"])
    holder_rows = stance["id"].map(item.value_counts()).fillna(0)
    frames = {
        "sentences": _join(sents.assign(in_stance=in_stance), "doc_id", document, "doc_"),
        "stance": _join(stance.assign(holder_rows=holder_rows), "sentence_id", sentence, "sentence_"),
        "holders": _join(holders, item, stance[["id", "text", "label", "mixed"]], "item_"),
    }
    for name, frame in frames.items():
        failures += validate(name, schema({}, ACROSS[name], strict=False), frame)
    return failures


# Rules across parts: each part holds whole documents and is validated whole; what no part sees alone
# (ids, source files and folds unique, one split per document) is checked on the parts' key columns.
KEY_COLUMNS = {
    "documents": ["doc_id", "source_file", "split", "fold"],
    "sentences": ["id", "doc_id", "split", "fold"],
}


def validate_corpus(keys: dict[str, pd.DataFrame]) -> list[tuple]:
    """The rules across parts, on the key columns (KEY_COLUMNS) of every part together."""
    failures = []
    for name, columns in KEY_COLUMNS.items():
        checks = {SPLIT_BY_DOCUMENT: one_split_per_document} if name == "sentences" else {}
        failures += validate(name, schema({c: SCHEMAS[name].columns[c] for c in columns}, checks), keys[name])
    return failures
