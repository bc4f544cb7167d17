"""Reading raw records: JSON Lines files, the strict record models, and spans against a raw text."""

from __future__ import annotations

import json
from pathlib import Path
from typing import get_args

from belgrade_stance_schema.records import Kind
from pydantic import BaseModel, ValidationError
from pydantic_core.core_schema import ErrorType


def read_jsonl(path: Path, where: str, problems, layout=None) -> list[tuple[int, dict]] | None:
    """(line number, record) for every non-blank line; None if the file is unreadable. Read
    through layout.read_raw when given (the bytes parsed are the bytes hashed)."""
    try:
        text = (layout.read_raw(path) if layout is not None else path.read_bytes()).decode("utf-8")
    except UnicodeDecodeError as e:
        problems.add(where, None, "invalid-utf8", f"byte {e.start} is not valid UTF-8")
        return None
    return parse_jsonl(text, where, problems)


class _DuplicateKey(ValueError):
    pass


def _strict_object(pairs: list[tuple]) -> dict:
    """json's object hook: an object that names a key twice is refused, not silently resolved."""
    out = dict(pairs)
    if len(out) != len(pairs):
        seen: set = set()
        raise _DuplicateKey(next(k for k, _ in pairs if k in seen or seen.add(k)))
    return out


def parse_jsonl(text: str, where: str, problems) -> list[tuple[int, dict]]:
    """(line number, record) for every non-blank line of JSON Lines text; bad lines go to problems
    (not JSON, not one object, a key named twice, nested too deeply)."""
    lines = text.splitlines()
    numbered = [(n, line) for n, line in enumerate(lines, 1) if line.strip()]
    try:  # one parser call for the whole file; line by line only to locate a bad line
        joined = "[" + ",".join(line for _, line in numbered) + "]"
        records = json.loads(joined, object_pairs_hook=_strict_object)
    except (json.JSONDecodeError, _DuplicateKey, RecursionError):
        records = None
    if records is not None and len(records) == len(numbered) and all(type(r) is dict for r in records):
        return [(n, rec) for (n, _), rec in zip(numbered, records)]
    out = []
    for n, line in numbered:
        try:
            rec = json.loads(line, object_pairs_hook=_strict_object)
        except json.JSONDecodeError as e:
            problems.add(where, n, "unparseable-line", f"not JSON: {e.msg} at column {e.colno}")
            continue
        except _DuplicateKey as e:
            problems.add(where, n, "duplicate-key", f"the key {e.args[0]!r} appears twice in one object")
            continue
        except RecursionError:
            problems.add(where, n, "unparseable-line", "JSON nested too deeply")
            continue
        if not isinstance(rec, dict):
            problems.add(where, n, "unparseable-line", "a line must hold one JSON object")
            continue
        out.append((n, rec))
    return out


GENERIC = {
    "missing": {"rule": "missing-field", "message": "lacks {field}"},
    "extra_forbidden": {"rule": "unknown-field", "message": "has the unknown key {field!r}{allowed}"},
    "union_tag_invalid": {
        "rule": "unknown-record-type",
        "message": "type {tag} is not {expected_tags}",
    },
    "union_tag_not_found": {"rule": "unknown-record-type", "message": "lacks its type"},
    "string_too_short": {"rule": "empty-value", "message": "{field} is empty"},
    "string_too_long": {"rule": "too-long", "message": "{field} is longer than {max_length} characters"},
}
"""Rule and message of each pydantic error type that any field may raise."""
OTHER = {"rule": "field-type", "message": "{field} {shown}: {msg}"}
"""Any other pydantic error: a value that fails a field's constraints breaks the field's rule (if it
has one), a value of another type its type_rule (belgrade_stance_schema.records.rule)."""
CONSTRAINTS = {"literal_error", "string_pattern_mismatch", "greater_than_equal", "less_than_equal"}
PYDANTIC = set(get_args(ErrorType))
"""Pydantic's own error types: any other is a RecordError, whose type is a rule."""


def _rules(model: type[BaseModel] | None, path: tuple) -> dict:
    """The rule and type_rule of the field at path, through nested records (evidence.start)."""
    extra: dict = {}
    for name in path:
        info = model.model_fields.get(name) if model is not None else None
        if info is None:
            return {}
        extra = info.json_schema_extra or {}
        types = (info.annotation, *get_args(info.annotation))
        model = next((t for t in types if isinstance(t, type) and issubclass(t, BaseModel)), None)
    return extra


def _report(kind: Kind, rec: dict, error: ValidationError, where: str, line: int, problems) -> None:
    """A problem for every error of one record, prefixed with its type: ``stance: lacks target``."""
    what = rec["type"] if isinstance(rec.get("type"), str) and rec["type"] in kind.models else kind.name
    for e in error.errors(include_url=False):
        loc, ctx, value = e["loc"][1:], e.get("ctx", {}), e.get("input")  # loc[0]: the index in the list
        tagged = bool(loc) and loc[0] in kind.models
        path, model = (loc[1:], kind.models[loc[0]]) if tagged else (loc, kind.models.get("row"))
        shown = type(value).__name__ if isinstance(value, (dict, list)) else repr(value)
        fill = {
            **ctx,
            "field": ".".join(map(str, path)),
            "shown": shown if len(shown) <= 80 else shown[:77] + "…",
            "msg": e["msg"][:1].lower() + e["msg"][1:],
            "allowed": f" (allowed: {', '.join(sorted(model.model_fields))})" if len(path) == 1 else "",
        }
        if e["type"] in GENERIC:
            rule, message = GENERIC[e["type"]]["rule"], GENERIC[e["type"]]["message"]
        elif e["type"] in PYDANTIC:
            rules = _rules(model, path)
            rule = rules.get("rule" if e["type"] in CONSTRAINTS else "type_rule", OTHER["rule"])
            message = OTHER["message"]
        else:  # a RecordError of a field, or of the whole record
            rule, message = e["type"], OTHER["message"] if path else "{msg}"
        problems.add(where, line, rule, f"{what}: {message.format(**fill)}")


def checked_records(kind: Kind, lines: list[tuple[int, dict]], where: str, problems) -> list[tuple]:
    """(line, record, model) of every record that holds its strict model (one call for the whole
    file when all hold); a problem for every violation of the others."""
    try:
        models = kind.adapter.validate_python([rec for _, rec in lines])
        return [(n, rec, model) for (n, rec), model in zip(lines, models)]
    except ValidationError:
        pass
    out = []
    for n, rec in lines:
        try:
            out.append((n, rec, kind.adapter.validate_python([rec])[0]))
        except ValidationError as error:
            _report(kind, rec, error, where, n, problems)
    return out


def check_record(kind: Kind, rec: dict, where: str, line: int, problems):
    """The record's strict model, or None after a problem for every violation."""
    return next((model for _, _, model in checked_records(kind, [(line, rec)], where, problems)), None)


def blank(value) -> bool:
    """A string with nothing but white space (or nothing)."""
    return isinstance(value, str) and not value.strip()


def check_span(span: dict, text: str, where: str, line: int, problems, what: str = "span") -> bool:
    """start/end are ints, 0 <= start < end <= len(text), and text[start:end] == span['text']."""
    start, end, covered = span.get("start"), span.get("end"), span.get("text")
    if type(start) is not int or type(end) is not int:
        problems.add(
            where, line, "offset-type", f"{what}: start/end must be integers, got {start!r}, {end!r}"
        )
        return False
    if start >= end:
        problems.add(where, line, "reversed-offsets", f"{what}: start {start} >= end {end}")
        return False
    if start < 0 or end > len(text):
        message = f"{what}: {start}-{end} outside the raw text (length {len(text)})"
        problems.add(where, line, "offset-out-of-range", message)
        return False
    if not isinstance(covered, str):
        problems.add(where, line, "missing-field", f"{what}: text is missing")
        return False
    if text[start:end] != covered:
        message = f"{what}: {covered!r} != raw text[{start}:{end}] {text[start:end]!r}"
        problems.add(where, line, "span-text-mismatch", message)
        return False
    return True
