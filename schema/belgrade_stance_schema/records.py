"""Strict models of every raw record (exact types, no unknown keys, bounded strings, clean hand-written
values, spans that match the raw text); a field names its rule in rule(), a validator in its RecordError."""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from typing import Annotated, Literal, Union

from pydantic import AfterValidator, BaseModel, Field, TypeAdapter, ValidationInfo, model_validator
from pydantic.functional_validators import field_validator
from pydantic_core import PydanticCustomError as RecordError  # (rule, message[, values])

from belgrade_stance_schema import inventory as inv

MAX_ID = 64  # an id: doc_id, sentence id, entity_id
MAX_WORDS = 2000  # a hand-written text: a holder, a reason, a headline, a rights note
MAX_TEXT = 100_000  # a span text: a sentence, a boilerplate range
ENTITY_ID = r"^[a-z0-9]+(_[a-z0-9]+)*$"
HIDDEN = {"Cc", "Cf", "Cs", "Zl", "Zp"}  # control, format (zero-width, bidi), surrogate, line/paragraph break


def rule(name: str, **constraints):
    """A field's constraints (a pattern, bounds, a closed set) and the rule a value failing them breaks."""
    return Field(json_schema_extra={"rule": name}, **constraints)


def hidden(value: str, keep: str = "") -> int | None:
    """Where value holds its first character that does not show (of HIDDEN, not of keep), else None."""
    return next((i for i, c in enumerate(value) if c not in keep and unicodedata.category(c) in HIDDEN), None)


def _handwritten(value: str) -> str:
    if not value.strip():
        raise RecordError("empty-value", "only white space")
    if value != value.strip():
        raise RecordError("surrounding-whitespace", "begins or ends with white space")
    if not unicodedata.is_normalized("NFC", value):
        raise RecordError("not-nfc", "not in Unicode normalisation form NFC")
    return value


HANDWRITTEN = AfterValidator(_handwritten)
Words = Annotated[str, Field(min_length=1, max_length=MAX_WORDS), HANDWRITTEN]
SpanText = Annotated[str, Field(min_length=1, max_length=MAX_TEXT)]
Key = Annotated[str, Field(min_length=1, max_length=MAX_ID)]
Target = Annotated[Literal[tuple(inv.TARGETS)], rule("unknown-target")]
StanceLabel = Annotated[Literal[tuple(inv.STANCE_LABELS)], rule("unknown-stance-label")]


class Record(BaseModel, strict=True, extra="forbid", frozen=True, str_max_length=MAX_TEXT):
    """A record of a raw file: exact types, no unknown keys, no string longer than MAX_TEXT, no string with a
    character that does not show (a span's text, raw text, may hold tabs and line breaks, no other string)."""

    @field_validator("*")
    @classmethod
    def _shows(cls, value, info: ValidationInfo):
        at = hidden(value, "\t\n\r" if info.field_name == "text" else "") if isinstance(value, str) else None
        if at is not None:
            found = {"c": f"U+{ord(value[at]):04X} {unicodedata.name(value[at], '')}".rstrip(), "at": at}
            raise RecordError("control-character", "holds {c} at character {at} (a hidden character)", found)
        return value


class MetadataRow(Record):
    doc_id: Annotated[str, rule("doc-id-format", pattern=inv.DOC_ID)]
    source_file: Annotated[str, rule("source-file-name", pattern=r"^[^/\\]+$", max_length=255), HANDWRITTEN]
    sha256: Annotated[str, rule("sha256-format", pattern=inv.SHA256)]
    outlet: Words | None = None
    publisher: Words | None = None
    author: Words | None = None
    headline: Words | None = None
    date: Annotated[str, Field(max_length=10)]
    date_precision: Annotated[Literal[tuple(inv.DATE_PRECISIONS)], rule("date-precision")]
    date_evidence: Words | None = None
    language: Annotated[str, rule("language", pattern=r"^[a-z]{2,3}$")]
    rights: Words
    split: Annotated[Literal[tuple(inv.SPLITS)], rule("unknown-split")]
    annotation_status: Annotated[Literal[tuple(inv.ANNOTATION_STATUSES)], rule("annotation-status")]

    @model_validator(mode="after")
    def _date_fits_precision(self):
        value, form = {"v": repr(self.date)}, re.fullmatch(r"(\d{4}-\d{2})(-\d{2})?", self.date)
        try:
            date.fromisoformat(form[1] + (form[2] or "-01") if form else "")
        except ValueError:
            raise RecordError("bad-date", "date {v} is not a real YYYY-MM-DD or YYYY-MM", value) from None
        if self.date_precision == ("month" if form[2] else "day"):
            raise RecordError("bad-date", "date {v} does not fit its date_precision", value)
        if self.date_precision == "estimated" and self.date_evidence is None:
            raise RecordError("date-evidence", "an estimated date needs date_evidence quoting the text")
        return self


class Span(Record):
    start: int  # an offset (of another type: offset-type)
    end: int
    text: SpanText

    @model_validator(mode="after")
    def _points_at_its_text(self, info: ValidationInfo):  # raw[start:end] == text, the raw text as context
        raw, at = (info.context or {}).get("raw"), {"start": self.start, "end": self.end}
        if self.start >= self.end:
            raise RecordError("reversed-offsets", "start {start} >= end {end}", at)
        if self.start < 0 or (raw is not None and self.end > len(raw)):
            raise RecordError("offset-out-of-range", "{start}-{end} outside the raw text", at)
        if raw is not None and raw[self.start : self.end] != self.text:
            found = {**at, "text": repr(self.text), "raw": repr(raw[self.start : self.end])}
            raise RecordError("span-text-mismatch", "{text} != raw text[{start}:{end}] {raw}", found)
        return self


class Boilerplate(Span):
    type: Literal["boilerplate"]
    kind: Annotated[Literal[tuple(inv.BOILERPLATE_KINDS)], rule("unknown-boilerplate-kind")]


class SentenceSpan(Span):
    type: Literal["sentence"]
    id: Annotated[str, rule("sentence-id-format", pattern=inv.DOC_ID[:-1] + r"-s\d{3,}$")]
    text: Annotated[SpanText, rule("empty-value", pattern=r"\S")]


class EntityMention(Span):
    type: Literal["entity"]
    sentence: Key
    label: Annotated[Literal[tuple(inv.ENTITY_TYPES)], rule("unknown-entity-label")]
    entity_id: Annotated[str, rule("entity-id-format", pattern=ENTITY_ID, max_length=MAX_ID)]
    reason: Words | None = None


class StanceMention(Record):
    type: Literal["stance"]
    sentence: Key
    target: Target
    label: StanceLabel
    holder_type: Annotated[Literal[tuple(inv.HOLDER_TYPES)] | None, rule("unknown-holder-type")] = None
    holder: Words | None = None
    holder_description: Words | None = None
    holder_span: Span | None = None
    evidence: Span | None = None
    primary: bool | None = None
    reason: Words | None = None

    @model_validator(mode="after")
    def _holder_fits_label(self, info: ValidationInfo):  # the context's pass: gold holds group ids
        if self.label == "none":
            if (self.holder_type, self.holder, self.holder_span, self.evidence, self.primary) != (None,) * 5:
                raise RecordError("none-with-holder", "a none record carries no holder, evidence or primary")
        elif self.holder_type is None or self.holder is None or self.evidence is None:
            missing = [k for k in ("holder_type", "holder", "evidence") if getattr(self, k) is None]
            raise RecordError("missing-field", "lacks {fields}", {"fields": ", ".join(missing)})
        if self.holder_type == "author" and self.holder != "author":
            raise RecordError("holder-format", 'an author holder is written holder: "author"')
        if self.holder_description is not None and self.holder_type != "group":
            raise RecordError("description-without-group", "holder_description is only for group holders")
        if self.holder_type == "group" and (info.context or {}).get("pass_name") == "gold":
            if self.holder not in inv.GROUPS:
                found = {"h": repr(self.holder), "valid": ", ".join(inv.GROUPS)}
                raise RecordError("unknown-group", "group holder {h} is not a group id ({valid})", found)
            if self.holder_description is None:
                raise RecordError("missing-field", "a gold group holder lacks holder_description")
        return self


class StanceAdjudication(Record):
    type: Literal["stance"]
    sentence: Key
    target: Target
    a: StanceLabel
    b: StanceLabel
    gold: StanceLabel
    reason: Words


class EntityAdjudication(Record):
    type: Literal["entity"]
    sentence: Key | None = None
    start: int
    end: int
    text: SpanText | None = None
    a: Annotated[str, Field(max_length=MAX_ID + 16)] | None = None
    b: Annotated[str, Field(max_length=MAX_ID + 16)] | None = None
    gold: Annotated[str, Field(max_length=MAX_ID + 16)] | None = None
    reason: Words


class Kind:
    """The record types of one raw file, by `type` (or one model, as "row"), validated in one call."""

    def __init__(self, name: str, models: dict[str, type[BaseModel]]):
        self.name, self.models = name, models
        union = Annotated[Union[tuple(models.values())], Field(discriminator="type")]  # noqa: UP007
        self.adapter = TypeAdapter(list[union] if len(models) > 1 else list[next(iter(models.values()))])


METADATA = Kind("metadata row", {"row": MetadataRow})
SEGMENT = Kind("segment", {"boilerplate": Boilerplate, "sentence": SentenceSpan})
ANNOTATION = Kind("annotation", {"entity": EntityMention, "stance": StanceMention})
ADJUDICATION = Kind("adjudication", {"stance": StanceAdjudication, "entity": EntityAdjudication})
