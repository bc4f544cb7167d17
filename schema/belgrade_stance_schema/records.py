"""Strict record models of every raw file (pydantic v2): the types, keys, formats and sizes of
one record, checked before any cross-record rule (offsets against the text, tiling, agreement).

- raw/metadata.csv: `MetadataRow`, one per row (CSV cells are strings; an empty cell is None);
- raw/segments/<doc>.jsonl: `Boilerplate` and `SentenceSpan` (discriminated by "type");
- raw/annotations/<pass>/<doc>.jsonl: `EntityMention` and `StanceMention`;
- raw/adjudication/<doc>.jsonl: `StanceAdjudication` and `EntityAdjudication`.

Every model is strict (a string "false" is not a boolean, 1 is not true, "3" is not an integer),
forbids unknown keys, bounds every string, and holds hand-written values (ids, holders, reasons,
metadata cells) to NFC, no surrounding white space and no control characters. Span texts copy the
raw text, so they are checked against it instead (stages.records.check_span).

`problems_of(error)` turns a pydantic ValidationError into (location, rule, message) triples
whose rules are registered in belgrade_stance.errors.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from typing import Annotated, Any, Literal, Union

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, model_validator
from pydantic_core import PydanticCustomError

from belgrade_stance_schema.inventory import (
    ANNOTATION_STATUSES, BOILERPLATE_KINDS, DATE_PRECISIONS, DOC_ID, ENTITY_TYPES, HOLDER_TYPES, SHA256, SPLITS,
    STANCE_LABELS, TARGETS,
)

MAX_ID = 64
"""Longest id (doc_id, sentence id, entity_id, a metadata code)."""
MAX_WORDS = 2000
"""Longest hand-written text (a holder, a reason, a headline, a rights note)."""
MAX_TEXT = 100_000
"""Longest span text (a sentence, a boilerplate range)."""
MAX_OFFSET = 50_000_000
"""Largest character offset."""


def _handwritten(value: str) -> str:
    if not value.strip():
        raise PydanticCustomError("empty-value", "is only white space")
    if value != value.strip():
        raise PydanticCustomError("surrounding-whitespace", "begins or ends with white space")
    if any(unicodedata.category(c) == "Cc" for c in value):
        raise PydanticCustomError("control-character", "holds a control character")
    if not unicodedata.is_normalized("NFC", value):
        raise PydanticCustomError("not-nfc", "is not in Unicode normalisation form NFC")
    return value


def _rule(rule: str, **kw) -> Any:
    """A Field whose value errors (a literal, a pattern, a bound) are reported under `rule`."""
    return Field(json_schema_extra={"rule": rule}, **kw)


Words = Annotated[str, Field(min_length=1, max_length=MAX_WORDS), AfterValidator(_handwritten)]
SpanText = Annotated[str, Field(min_length=1, max_length=MAX_TEXT)]
Offset = Annotated[int, Field(json_schema_extra={"rule": "offset-out-of-range", "type_rule": "offset-type"},
                              ge=0, le=MAX_OFFSET)]
Key = Annotated[str, Field(min_length=1, max_length=MAX_ID)]

ENTITY_ID = r"^[a-z0-9]+(_[a-z0-9]+)*$"
SENTENCE_ID = DOC_ID[:-1] + r"-s\d{3,}$"


class Record(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True, str_max_length=MAX_TEXT)


# --------------------------------------------------------------------------- metadata.csv

class MetadataRow(Record):
    doc_id: Annotated[str, _rule("doc-id-format", pattern=DOC_ID)]
    source_file: Annotated[str, _rule("source-file-name", pattern=r"^[^/\\]+$", max_length=255),
                           AfterValidator(_handwritten)]
    sha256: Annotated[str, _rule("sha256-format", pattern=SHA256)]
    outlet: Words | None = None
    publisher: Words | None = None
    author: Words | None = None
    headline: Words | None = None
    date: Annotated[str, _rule("bad-date", max_length=10)]
    date_precision: Annotated[Literal[tuple(DATE_PRECISIONS)], _rule("date-precision")]  # type: ignore[valid-type]
    date_evidence: Words | None = None
    language: Annotated[str, _rule("language", pattern=r"^[a-z]{2,3}$")]
    rights: Words
    split: Annotated[Literal[tuple(SPLITS)], _rule("unknown-split")]  # type: ignore[valid-type]
    annotation_status: Annotated[Literal[tuple(ANNOTATION_STATUSES)], _rule("annotation-status")]  # type: ignore[valid-type]

    @model_validator(mode="after")
    def _date_fits_precision(self):
        value, precision = self.date, self.date_precision
        try:
            if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
                date.fromisoformat(value)
                if precision == "month":
                    raise PydanticCustomError("bad-date", "date {v} has a day but precision is 'month' (write YYYY-MM)",
                                              {"v": repr(value)})
            elif re.fullmatch(r"\d{4}-\d{2}", value):
                date.fromisoformat(value + "-01")
                if precision == "day":
                    raise PydanticCustomError("bad-date", "date {v} has no day but precision is 'day'", {"v": repr(value)})
            else:
                raise PydanticCustomError("bad-date", "date {v} is not YYYY-MM-DD or YYYY-MM", {"v": repr(value)})
        except ValueError:
            raise PydanticCustomError("bad-date", "date {v} is not a real calendar date", {"v": repr(value)}) from None
        if precision == "estimated" and self.date_evidence is None:
            raise PydanticCustomError("date-evidence", "an estimated date needs date_evidence quoting the text")
        return self


METADATA_COLUMNS = tuple(MetadataRow.model_fields)
METADATA_REQUIRED = tuple(n for n, f in MetadataRow.model_fields.items() if f.is_required())


# --------------------------------------------------------------------------- segments

class Boilerplate(Record):
    type: Literal["boilerplate"]
    start: Offset
    end: Offset
    kind: Annotated[Literal[tuple(BOILERPLATE_KINDS)], _rule("unknown-boilerplate-kind")]  # type: ignore[valid-type]
    text: SpanText


class SentenceSpan(Record):
    type: Literal["sentence"]
    id: Annotated[str, _rule("sentence-id-format", pattern=SENTENCE_ID)]
    start: Offset
    end: Offset
    text: SpanText


# --------------------------------------------------------------------------- annotations

class Span(Record):
    start: Offset
    end: Offset
    text: SpanText


class EntityMention(Record):
    type: Literal["entity"]
    sentence: Key
    start: Offset
    end: Offset
    text: SpanText
    label: Annotated[Literal[tuple(ENTITY_TYPES)], _rule("unknown-entity-label")]  # type: ignore[valid-type]
    entity_id: Annotated[str, _rule("entity-id-format", pattern=ENTITY_ID, max_length=MAX_ID)]
    reason: Words | None = None


class StanceMention(Record):
    type: Literal["stance"]
    sentence: Key
    target: Annotated[Literal[tuple(TARGETS)], _rule("unknown-target")]  # type: ignore[valid-type]
    label: Annotated[Literal[tuple(STANCE_LABELS)], _rule("unknown-stance-label")]  # type: ignore[valid-type]
    holder_type: Annotated[Literal[tuple(HOLDER_TYPES)] | None, _rule("unknown-holder-type")] = None  # type: ignore[valid-type]
    holder: Words | None = None
    holder_span: Span | None = None
    evidence: Span | None = None
    primary: bool | None = None
    reason: Words | None = None

    @model_validator(mode="after")
    def _holder_fits_label(self):
        if self.label == "none":
            if self.holder_type is not None or self.holder is not None or self.holder_span is not None \
                    or self.evidence is not None or self.primary is not None:
                raise PydanticCustomError("none-with-holder", "a none record carries no holder, evidence or primary")
            return self
        missing = [k for k in ("holder_type", "holder", "evidence") if getattr(self, k) is None]
        if missing:
            raise PydanticCustomError("missing-field", "{what} stance lacks {fields}",
                                      {"what": self.label, "fields": ", ".join(missing)})
        if self.holder_type == "author" and self.holder != "author":
            raise PydanticCustomError("holder-format", 'an author holder is written holder: "author"')
        return self


# --------------------------------------------------------------------------- adjudication

class StanceAdjudication(Record):
    type: Literal["stance"]
    sentence: Key
    target: Annotated[Literal[tuple(TARGETS)], _rule("unknown-target")]  # type: ignore[valid-type]
    a: Annotated[Literal[tuple(STANCE_LABELS)], _rule("unknown-stance-label")]  # type: ignore[valid-type]
    b: Annotated[Literal[tuple(STANCE_LABELS)], _rule("unknown-stance-label")]  # type: ignore[valid-type]
    gold: Annotated[Literal[tuple(STANCE_LABELS)], _rule("unknown-stance-label")]  # type: ignore[valid-type]
    reason: Words


EntityValue = Annotated[str | None, _rule("adjudication-mismatch", max_length=MAX_ID + 16)]


class EntityAdjudication(Record):
    type: Literal["entity"]
    sentence: Key | None = None
    start: Offset
    end: Offset
    text: SpanText | None = None
    a: EntityValue = None
    b: EntityValue = None
    gold: EntityValue = None
    reason: Words


class Kind:
    """The records one raw file holds: a strict model per record type, validated one by one or,
    when every record holds (the usual case), in one call for the whole file."""

    def __init__(self, name: str, models: dict[str, type[BaseModel]]):
        self.name = name
        self.models = models
        one = models["row"] if len(models) == 1 else \
            Annotated[Union[tuple(models.values())], Field(discriminator="type")]  # type: ignore[misc]
        self.one = TypeAdapter(one)
        self.many = TypeAdapter(list[one])  # type: ignore[valid-type]


METADATA = Kind("metadata row", {"row": MetadataRow})
SEGMENT = Kind("segment", {"boilerplate": Boilerplate, "sentence": SentenceSpan})
ANNOTATION = Kind("annotation", {"entity": EntityMention, "stance": StanceMention})
ADJUDICATION = Kind("adjudication", {"stance": StanceAdjudication, "entity": EntityAdjudication})


# --------------------------------------------------------------------------- errors → rules

_TYPE_ERRORS = {"string_type", "int_type", "bool_type", "dict_type", "model_type", "model_attributes_type",
                "float_type", "none_required", "list_type", "int_from_float", "is_instance_of"}
_VALUE_ERRORS = {"literal_error", "string_pattern_mismatch", "greater_than_equal", "less_than_equal",
                 "greater_than", "less_than", "enum"}


def _field_extra(model: type[BaseModel] | None, name: str) -> dict:
    if model is None or name not in model.model_fields:
        return {}
    info = model.model_fields[name]
    extras = [info.json_schema_extra] + [getattr(m, "json_schema_extra", None) for m in info.metadata]
    out: dict = {}
    for extra in extras:
        if isinstance(extra, dict):
            out.update(extra)
    return out


def _model_at(adapter_models: dict[str, type[BaseModel]], loc: tuple) -> tuple[type[BaseModel] | None, str | None]:
    """The model and field name an error location points at (a discriminated union puts the tag
    first: ('sentence', 'id')); nested models (evidence.start) resolve to the inner field."""
    if not loc:
        return None, None
    model = adapter_models.get(str(loc[0]))
    path = loc[1:] if model is not None else loc
    if model is None and len(adapter_models) == 1:
        model = next(iter(adapter_models.values()))
    name = None
    for part in path:
        if not isinstance(part, str) or model is None:
            continue
        name = part
        field = model.model_fields.get(part)
        inner = getattr(field, "annotation", None) if field else None
        for candidate in (inner, *getattr(inner, "__args__", ())):
            if isinstance(candidate, type) and issubclass(candidate, BaseModel):
                model = candidate
                break
    return model, name


def problems_of(error: ValidationError, models: dict[str, type[BaseModel]]) -> list[tuple[str, str]]:
    """(rule, message) for every error of a record's validation."""
    out = []
    for e in error.errors(include_url=False):
        kind, loc = e["type"], tuple(e["loc"])
        model, name = _model_at(models, loc)
        extra = _field_extra(model, name) if name else {}
        field = ".".join(str(p) for p in (loc[1:] if loc and str(loc[0]) in models else loc)) or "record"
        value = e.get("input")
        shown = repr(value) if not isinstance(value, (dict, list)) else type(value).__name__
        if len(shown) > 80:
            shown = shown[:77] + "…"
        if kind == "missing":
            out.append(("missing-field", f"lacks {field}"))
        elif kind == "extra_forbidden":
            allowed = ", ".join(model.model_fields) if model is not None else ""
            out.append(("unknown-field", f"has the unknown key {field!r} (allowed: {allowed})"))
        elif kind in ("union_tag_invalid", "union_tag_not_found"):
            tags = " or ".join(models)
            out.append(("unknown-record-type", f"type {e['ctx'].get('tag') if 'ctx' in e and 'tag' in e['ctx'] else None!r} "
                                               f"(expected {tags})"))
        elif kind in _TYPE_ERRORS:
            out.append((extra.get("type_rule", "field-type"), f"{field} must be {_expected(kind)}, not {shown}"))
        elif kind == "string_too_short":
            out.append(("empty-value", f"{field} is empty"))
        elif kind == "string_too_long":
            out.append(("too-long", f"{field} is longer than {e['ctx']['max_length']} characters"))
        elif kind in _VALUE_ERRORS:
            out.append((extra.get("rule", "field-type"), f"{field} {shown}: {e['msg'][:1].lower() + e['msg'][1:]}"))
        elif kind in ("surrounding-whitespace", "control-character", "not-nfc", "empty-value"):
            out.append((kind, f"{field} {shown} {e['msg']}"))
        elif kind in ("bad-date", "date-evidence", "none-with-holder", "missing-field", "holder-format"):
            out.append((kind, e["msg"]))
        else:  # a pydantic error type not mapped above: still a registered rule, with pydantic's words
            out.append(("field-type", f"{field}: {e['msg']}"))
    return out


def _expected(kind: str) -> str:
    return {"string_type": "a string", "int_type": "an integer", "bool_type": "true or false",
            "dict_type": "an object", "model_type": "an object", "model_attributes_type": "an object",
            "float_type": "a number", "list_type": "a list", "int_from_float": "an integer"}.get(kind, "of another type")


def validate(kind: Kind, record) -> tuple[BaseModel | None, list[tuple[str, str]]]:
    """(the model, []) for a valid record, or (None, [(rule, message), …])."""
    try:
        return kind.one.validate_python(record), []
    except ValidationError as e:
        return None, problems_of(e, kind.models)


def validate_all(kind: Kind, records: list) -> list[tuple[BaseModel | None, list[tuple[str, str]]]]:
    """validate() of every record: one call for the whole file when all hold."""
    try:
        return [(m, []) for m in kind.many.validate_python(records)]
    except ValidationError:
        return [validate(kind, r) for r in records]
