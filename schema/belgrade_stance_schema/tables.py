"""pandera schemas of every table, and the cross-table rules.

Each table is validated lazily (all failures collected); `validate_tables` returns the full
failure report as a list of (table, record, check, failure) rows.
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from belgrade_stance.spans import bio_tags, token_offsets
from belgrade_stance_schema.inventory import (
    ANNOTATION_STATUSES,
    BOILERPLATE_KINDS,
    DATE_PRECISIONS,
    DOC_ID,
    ENTITY_TYPES,
    HOLDER_TYPES,
    SHA256,
    SPLITS,
    STANCE_LABELS,
    TARGETS,
)

STANCED = ("favor", "against")


def _rowwise(df: pd.DataFrame, cols: list[str], fn) -> pd.Series:
    """fn applied to the values of cols, row by row (faster than DataFrame.apply)."""
    return pd.Series(
        [bool(fn(*vals)) for vals in zip(*(df[c].tolist() for c in cols))], index=df.index, dtype=bool
    )


def _spans_match(text: str, spans) -> bool:
    return all(text[s["start"] : s["end"]] == s["text"] for s in spans)


def _no_overlap(spans) -> bool:
    spans = sorted(spans, key=lambda s: s["start"])
    return all(b["start"] >= a["end"] for a, b in zip(spans, spans[1:]))


SPLIT_BY_DOCUMENT = "splits are disjoint by document: one split and one fold per doc_id"


def one_split_per_document(df: pd.DataFrame) -> pd.Series:
    g = df.groupby("doc_id")
    return (g["split"].transform("nunique") == 1) & (g["fold"].transform("nunique") == 1)


class DocumentsModel(pa.DataFrameModel):
    doc_id: Series[str] = pa.Field(unique=True, str_matches=DOC_ID)
    source_file: Series[str] = pa.Field(unique=True)
    raw_sha256: Series[str] = pa.Field(str_matches=SHA256)
    outlet: Series[str] = pa.Field(nullable=True)
    publisher: Series[str] = pa.Field(nullable=True)
    author: Series[str] = pa.Field(nullable=True)
    headline: Series[str] = pa.Field(nullable=True)
    date: Series[str] = pa.Field(str_matches=r"^\d{4}-\d{2}(-\d{2})?$")
    date_precision: Series[str] = pa.Field(isin=list(DATE_PRECISIONS))
    date_evidence: Series[str] = pa.Field(nullable=True)
    language: Series[str] = pa.Field(str_matches=r"^[a-z]{2,3}$")
    rights: Series[str] = pa.Field(str_length={"min_value": 1})
    annotation_status: Series[str] = pa.Field(isin=list(ANNOTATION_STATUSES))
    split: Series[str] = pa.Field(isin=list(SPLITS))
    fold: Series[int] = pa.Field(ge=0, unique=True)
    raw_text: Series[str] = pa.Field(str_length={"min_value": 1})
    body_text: Series[str] = pa.Field(str_length={"min_value": 1})
    boilerplate: Series[object]
    entities: Series[object]
    n_sentences: Series[int] = pa.Field(gt=0)

    class Config:
        strict = True
        ordered = False

    @pa.dataframe_check(error="boilerplate: kind in inventory, text == raw_text[start:end], no overlaps")
    def boilerplate_ranges(cls, df: pd.DataFrame) -> Series[bool]:
        return _rowwise(
            df,
            ["raw_text", "boilerplate"],
            lambda t, bs: (
                all(b["kind"] in BOILERPLATE_KINDS for b in bs) and _spans_match(t, bs) and _no_overlap(bs)
            ),
        )

    @pa.dataframe_check(error="entities: label in ENTITY_TYPES, text == raw_text[start:end], no overlaps")
    def entity_spans(cls, df: pd.DataFrame) -> Series[bool]:
        return _rowwise(
            df,
            ["raw_text", "entities"],
            lambda t, es: (
                all(e["label"] in ENTITY_TYPES for e in es) and _spans_match(t, es) and _no_overlap(es)
            ),
        )

    @pa.dataframe_check(error="an estimated date needs date_evidence")
    def estimated_dates(cls, df: pd.DataFrame) -> Series[bool]:
        return (df["date_precision"] != "estimated") | df["date_evidence"].notna()


class SentencesModel(pa.DataFrameModel):
    id: Series[str] = pa.Field(unique=True)
    doc_id: Series[str] = pa.Field(str_matches=DOC_ID)
    paragraph_index: Series[int] = pa.Field(ge=0)
    sentence_index: Series[int] = pa.Field(ge=0)
    text: Series[str] = pa.Field(str_length={"min_value": 1})
    body_start: Series[int] = pa.Field(ge=0)
    body_end: Series[int] = pa.Field(gt=0)
    raw_start: Series[int] = pa.Field(ge=0)
    raw_end: Series[int] = pa.Field(gt=0)
    tokens: Series[object]
    ner_tags: Series[object] = pa.Field(nullable=True)
    entities: Series[object]
    stance: Series[object]
    annotation_status: Series[str] = pa.Field(isin=list(ANNOTATION_STATUSES))
    split: Series[str] = pa.Field(isin=list(SPLITS))
    fold: Series[int] = pa.Field(ge=0)

    class Config:
        strict = True
        ordered = False
        unique = ["doc_id", "sentence_index"]

    @pa.dataframe_check(error="offsets: end - start == len(text) in body and raw offsets")
    def offset_lengths(cls, df: pd.DataFrame) -> Series[bool]:
        n = df["text"].str.len()
        return (df["body_end"] - df["body_start"] == n) & (df["raw_end"] - df["raw_start"] == n)

    @pa.dataframe_check(error="tokens: in order, cover every non-space character of text")
    def tokens_cover_text(cls, df: pd.DataFrame) -> Series[bool]:
        return _rowwise(df, ["text", "tokens"], lambda t, toks: token_offsets(t, toks) is not None)

    @pa.dataframe_check(error="entities: label in ENTITY_TYPES, text == text[start:end], no overlaps")
    def entity_spans(cls, df: pd.DataFrame) -> Series[bool]:
        return _rowwise(
            df,
            ["text", "entities"],
            lambda t, es: (
                all(e["label"] in ENTITY_TYPES for e in es) and _spans_match(t, es) and _no_overlap(es)
            ),
        )

    @pa.dataframe_check(error="ner_tags: one per token, equal to the BIO encoding of the entity spans")
    def bio_matches_spans(cls, df: pd.DataFrame) -> Series[bool]:
        def ok(text, tokens, tags, entities, status) -> bool:
            if tags is None:
                return status == "pending" and len(entities) == 0
            offsets = token_offsets(text, tokens)
            spans = [(e["start"], e["end"], e["label"]) for e in entities]
            return offsets is not None and list(tags) == bio_tags(offsets, spans)

        return _rowwise(df, ["text", "tokens", "ner_tags", "entities", "annotation_status"], ok)

    @pa.dataframe_check(
        error="stance records: target in TARGETS, label favor/against, holder_type in HOLDER_TYPES"
    )
    def stance_records(cls, df: pd.DataFrame) -> Series[bool]:
        return _rowwise(
            df,
            ["stance"],
            lambda recs: all(
                s["target"] in TARGETS
                and s["label"] in STANCED
                and s["holder_type"] in HOLDER_TYPES
                and s["holder"]
                for s in recs
            ),
        )


class _SentenceTargetRows(pa.DataFrameModel):
    """The columns, options and checks the stance and holders tables share: rows of a sentence and
    a target, split by document."""

    id: Series[str] = pa.Field(unique=True)
    sentence_id: Series[str]
    doc_id: Series[str] = pa.Field(str_matches=DOC_ID)
    text: Series[str] = pa.Field(str_length={"min_value": 1})
    target: Series[str] = pa.Field(isin=list(TARGETS))
    mixed: Series[bool]
    split: Series[str] = pa.Field(isin=list(SPLITS))
    fold: Series[int] = pa.Field(ge=0)

    class Config:
        strict = True
        ordered = False

    @pa.dataframe_check(error=SPLIT_BY_DOCUMENT)
    def split_by_document(cls, df: pd.DataFrame) -> Series[bool]:
        return one_split_per_document(df)


class StanceModel(_SentenceTargetRows):
    target_description: Series[str] = pa.Field(isin=list(TARGETS.values()))
    context: Series[str]
    label: Series[str] = pa.Field(isin=list(STANCE_LABELS))
    label_a: Series[str] = pa.Field(isin=list(STANCE_LABELS), nullable=True)
    label_b: Series[str] = pa.Field(isin=list(STANCE_LABELS), nullable=True)
    passes_agree: Series[pd.BooleanDtype] = pa.Field(nullable=True, coerce=True)
    holders: Series[object]

    class Config:
        strict = True
        ordered = False
        unique = ["sentence_id", "target"]

    @pa.dataframe_check(error="id is <sentence_id>-<target>")
    def id_of_sentence_and_target(cls, df: pd.DataFrame) -> Series[bool]:
        return df["id"] == df["sentence_id"] + "-" + df["target"]

    @pa.dataframe_check(error="target_description is the inventory's description of target")
    def description_of_target(cls, df: pd.DataFrame) -> Series[bool]:
        return df["target_description"] == df["target"].map(TARGETS)

    @pa.dataframe_check(error="every sentence has every target exactly once")
    def sentence_times_target(cls, df: pd.DataFrame) -> Series[bool]:
        # with (sentence_id, target) unique and target in TARGETS, a full count means every target once
        return df.groupby("sentence_id")["target"].transform("size") == len(TARGETS)

    @pa.dataframe_check(
        error="label/holders: none ↔ no holder; holders agree with label, or mixed with a primary "
        "of that label"
    )
    def label_matches_holders(cls, df: pd.DataFrame) -> Series[bool]:
        def ok(label, mixed, holders) -> bool:
            hs = list(holders)
            labels = {h["label"] for h in hs}
            if label == "none":
                return not hs and not mixed
            if mixed:
                prim = [h for h in hs if h["primary"]]
                return labels == set(STANCED) and len(prim) == 1 and prim[0]["label"] == label
            return labels == {label} and all(h["evidence_text"] for h in hs)

        return _rowwise(df, ["label", "mixed", "holders"], ok)

    @pa.dataframe_check(error="passes_agree == (label_a == label_b), null if a pass is missing")
    def agreement_flag(cls, df: pd.DataFrame) -> Series[bool]:
        both = df["label_a"].notna() & df["label_b"].notna()
        same = (df["label_a"] == df["label_b"]).fillna(False).astype(bool) & both
        agree = df["passes_agree"]
        return (both & agree.notna() & (agree.fillna(False).astype(bool) == same)) | (~both & agree.isna())


def _slices(text: str, start, end, covered) -> bool:
    """A sentence span: all three null, or 0 <= start < end <= len(text) and text[start:end] == covered."""
    if start is None or pd.isna(start):
        return (end is None or pd.isna(end)) and (covered is None or pd.isna(covered))
    start, end = int(start), int(end)
    return 0 <= start < end <= len(text) and text[start:end] == covered


class HoldersModel(_SentenceTargetRows):
    label: Series[str] = pa.Field(isin=list(STANCED))
    holder_type: Series[str] = pa.Field(isin=list(HOLDER_TYPES))
    holder: Series[str] = pa.Field(str_length={"min_value": 1})
    holder_start: Series[pd.Int64Dtype] = pa.Field(nullable=True, coerce=True, ge=0)
    holder_end: Series[pd.Int64Dtype] = pa.Field(nullable=True, coerce=True, ge=1)
    holder_text: Series[str] = pa.Field(nullable=True)
    evidence_start: Series[int] = pa.Field(ge=0)
    evidence_end: Series[int] = pa.Field(ge=1)
    evidence_text: Series[str] = pa.Field(str_length={"min_value": 1})
    primary: Series[bool]

    @pa.dataframe_check(error="id is <sentence_id>-<target>-<n>")
    def id_of_record(cls, df: pd.DataFrame) -> Series[bool]:
        return _rowwise(
            df,
            ["id", "sentence_id", "target"],
            lambda i, s, t: i.rsplit("-", 1)[0] == f"{s}-{t}" and i.rsplit("-", 1)[1].isdigit(),
        )

    @pa.dataframe_check(error="text[holder_start:holder_end] == holder_text (or all three null)")
    def holder_span_slices(cls, df: pd.DataFrame) -> Series[bool]:
        return _rowwise(df, ["text", "holder_start", "holder_end", "holder_text"], _slices)

    @pa.dataframe_check(error="text[evidence_start:evidence_end] == evidence_text")
    def evidence_span_slices(cls, df: pd.DataFrame) -> Series[bool]:
        return _rowwise(df, ["text", "evidence_start", "evidence_end", "evidence_text"], _slices)

    @pa.dataframe_check(error="an author holder is written author")
    def author_holder(cls, df: pd.DataFrame) -> Series[bool]:
        return (df["holder_type"] != "author") | (df["holder"] == "author")


MODELS = {
    "documents": DocumentsModel,
    "sentences": SentencesModel,
    "stance": StanceModel,
    "holders": HoldersModel,
}

_sentences_in_documents = pa.DataFrameSchema(
    checks=[
        pa.Check(
            lambda df: _rowwise(
                df, ["raw_text", "raw_start", "raw_end", "text"], lambda t, a, b, s: t[a:b] == s
            ),
            error="sentence text == documents.raw_text[raw_start:raw_end]",
        ),
        pa.Check(
            lambda df: _rowwise(
                df, ["body_text", "body_start", "body_end", "text"], lambda t, a, b, s: t[a:b] == s
            ),
            error="sentence text == documents.body_text[body_start:body_end]",
        ),
        pa.Check(
            lambda df: (df["split"] == df["doc_split"]) & (df["fold"] == df["doc_fold"]),
            error="sentence split/fold == its document's",
        ),
        pa.Check(lambda df: df["doc_known"], error="sentence doc_id is a document"),
    ],
)
_holders_in_stance = pa.DataFrameSchema(
    checks=[
        pa.Check(lambda df: df["item_known"], error="holders row's <sentence_id>-<target> is a stance row"),
        pa.Check(lambda df: df["text"] == df["item_text"], error="holders text == the stance row's text"),
        pa.Check(lambda df: df["mixed"] == df["item_mixed"], error="holders mixed == the stance row's mixed"),
        pa.Check(
            lambda df: df["rows_of_item"] == df["item_records"],
            error="one holders row per favor/against record of the stance row",
        ),
        pa.Check(
            lambda df: (df["mixed"] & ~df["primary"]) | (df["label"] == df["item_label"]),
            error="holders label == the stance label (for a mixed item: the primary record's)",
        ),
    ],
)
_stance_in_sentences = pa.DataFrameSchema(
    checks=[
        pa.Check(lambda df: df["sentence_known"], error="stance sentence_id is a sentence"),
        pa.Check(
            lambda df: (
                (df["text"] == df["sentence_text"])
                & (df["split"] == df["sentence_split"])
                & (df["doc_id"] == df["sentence_doc"])
            ),
            error="stance text/split/doc_id == its sentence's",
        ),
    ],
)


def failures_of(name: str, err: pa.errors.SchemaErrors, frame: pd.DataFrame, key: str) -> list[tuple]:
    out = []
    fc = err.failure_cases
    for _, row in fc.iterrows():
        idx = row.get("index")
        record = frame.loc[idx, key] if idx is not None and not pd.isna(idx) and idx in frame.index else None
        out.append(
            (name, record, str(row.get("check")), str(row.get("failure_case"))[:200], str(row.get("column")))
        )
    return out


def validate_tables(tables: dict[str, pd.DataFrame]) -> list[tuple]:
    """Validate every table and the rules across them; [] if all hold.

    Each failure is (table, record id, check, failure case, column).
    """
    failures: list[tuple] = []
    keys = {"documents": "doc_id", "sentences": "id", "stance": "id", "holders": "id"}
    for name, model in MODELS.items():
        try:
            model.validate(tables[name], lazy=True, inplace=True)
        except pa.errors.SchemaErrors as err:
            failures += failures_of(name, err, tables[name], keys[name])
    if failures:
        return failures  # structure first: cross-table rules need valid tables
    docs, sents, stance = tables["documents"], tables["sentences"], tables["stance"]
    d = docs.set_index("doc_id")
    m = sents.assign(
        doc_known=sents["doc_id"].isin(d.index),
        raw_text=sents["doc_id"].map(d["raw_text"]).fillna(""),
        body_text=sents["doc_id"].map(d["body_text"]).fillna(""),
        doc_split=sents["doc_id"].map(d["split"]),
        doc_fold=sents["doc_id"].map(d["fold"]),
    )
    s = sents.set_index("id")
    k = stance.assign(
        sentence_known=stance["sentence_id"].isin(s.index),
        sentence_text=stance["sentence_id"].map(s["text"]),
        sentence_split=stance["sentence_id"].map(s["split"]),
        sentence_doc=stance["sentence_id"].map(s["doc_id"]),
    )
    h, st = tables["holders"], stance.set_index("id")
    item = h["sentence_id"] + "-" + h["target"]
    hk = h.assign(
        item_known=item.isin(st.index),
        item_text=item.map(st["text"]),
        item_label=item.map(st["label"]),
        item_mixed=item.map(st["mixed"]).fillna(False).astype(bool),
        item_records=item.map(st["holders"].map(len)).fillna(-1),
        rows_of_item=item.map(item.value_counts()),
    )
    for name, schema, frame, key in (
        ("sentences×documents", _sentences_in_documents, m, "id"),
        ("stance×sentences", _stance_in_sentences, k, "id"),
        ("holders×stance", _holders_in_stance, hk, "id"),
    ):
        try:
            schema.validate(frame, lazy=True)
        except pa.errors.SchemaErrors as err:
            failures += failures_of(name, err, frame, key)
    gold_docs = set(docs.loc[docs["annotation_status"] != "pending", "doc_id"])
    expected = set(sents.loc[sents["doc_id"].isin(gold_docs), "id"])
    missing = sorted(expected - set(stance["sentence_id"]))
    for sid in missing:
        failures.append(
            ("stance", sid, "every sentence of an annotated document is in stance", sid, "sentence_id")
        )
    return failures


# Rules across parts. Each part holds whole documents and is validated whole (every rule above,
# within the part). What no part can see alone: document ids, source files and folds unique over
# the corpus, sentence ids unique over the corpus, and sentence texts that leak across splits.
