"""Reading raw records: JSON Lines files, and every violation of the strict record models as a problem."""

from __future__ import annotations

import json
from pathlib import Path
from typing import get_args

from pydantic import ValidationError
from pydantic_core.core_schema import ErrorType

from belgrade_stance_schema.records import Kind


def _object(pairs: list[tuple]) -> dict:
    """json's object hook: an object that names a key twice is refused (KeyError), not silently resolved."""
    out = dict(pairs)
    if len(out) < len(pairs):
        raise KeyError(next(k for i, (k, _) in enumerate(pairs) if k in dict(pairs[:i])))
    return out


def read_jsonl(path: Path, where: str, problems, layout=None) -> list[tuple[int, dict]]:
    """(line number, record) of every non-blank line, read through layout.read_raw when given (the
    bytes parsed are the bytes hashed); a problem for every line that is not one JSON object."""
    try:
        text = (layout.read_raw(path) if layout is not None else path.read_bytes()).decode("utf-8")
    except UnicodeDecodeError as e:
        problems.add(where, None, "invalid-utf8", f"byte {e.start} is not valid UTF-8")
        return []
    numbered = [(n, line) for n, line in enumerate(text.splitlines(), 1) if line.strip()]
    try:  # one parser call for the whole file; line by line only to locate a bad line
        records = json.loads("[" + ",".join(line for _, line in numbered) + "]", object_pairs_hook=_object)
        if len(records) == len(numbered) and all(type(r) is dict for r in records):
            return [(n, r) for (n, _), r in zip(numbered, records)]
    except (ValueError, KeyError, RecursionError):
        pass
    out = []
    for n, line in numbered:
        try:
            record = json.loads(line, object_pairs_hook=_object)
        except json.JSONDecodeError as e:
            problems.add(where, n, "unparseable-line", f"not JSON: {e.msg} at column {e.colno}")
        except KeyError as e:
            problems.add(where, n, "duplicate-key", f"the key {e.args[0]!r} appears twice in one object")
        except RecursionError:
            problems.add(where, n, "unparseable-line", "JSON nested too deeply")
        else:
            if isinstance(record, dict):
                out.append((n, record))
            else:
                problems.add(where, n, "unparseable-line", "a line must hold one JSON object")
    return out


GENERIC = {
    "missing": {"rule": "missing-field", "message": "lacks {field}"},
    "extra_forbidden": {"rule": "unknown-field", "message": "has the unknown key {field!r}{allowed}"},
    "union_tag_invalid": {"rule": "unknown-record-type", "message": "type {tag} is not {expected_tags}"},
    "union_tag_not_found": {"rule": "unknown-record-type", "message": "lacks its type"},
    "string_too_short": {"rule": "empty-value", "message": "{field} is empty"},
    "string_too_long": {"rule": "too-long", "message": "{field} is longer than {max_length} characters"},
    "int_type": {"rule": "offset-type", "message": "{field} must be an integer, not {shown}"},
}
OTHER = {"rule": "field-type", "message": "{field} {shown}: {msg}"}
"""Rule and message of a pydantic error: GENERIC's whichever field it hits (every integer is an offset),
else OTHER's, but a value failing its field's CONSTRAINTS (a closed set, a pattern) breaks the field's
records.rule() if it has one. An error type not of PYDANTIC is a RecordError's rule."""
CONSTRAINTS = {"literal_error", "string_pattern_mismatch"}
PYDANTIC = set(get_args(ErrorType))


def _report(kind: Kind, lines: list[tuple[int, dict]], error: ValidationError, where: str, problems) -> None:
    """A problem for every violation, on its record's line and prefixed with its type."""
    for e in error.errors(include_url=False):
        index, *path = e["loc"]
        what = path.pop(0) if path and path[0] in kind.models else kind.name
        model, value = kind.models.get(what, kind.models.get("row")), e.get("input")
        shown = type(value).__name__ if isinstance(value, (dict, list)) else repr(value)
        keys = ", ".join(sorted(model.model_fields)) if model and len(path) == 1 else None
        fill = {
            **e.get("ctx", {}),
            "field": ".".join(map(str, path)),
            "shown": shown if len(shown) <= 80 else shown[:77] + "…",
            "msg": e["msg"][:1].lower() + e["msg"][1:],
            "allowed": f" (allowed: {keys})" if keys else "",
        }
        if e["type"] in GENERIC:
            rule, message = GENERIC[e["type"]]["rule"], GENERIC[e["type"]]["message"]
        elif e["type"] in PYDANTIC:
            info = model.model_fields.get(path[0]) if model and e["type"] in CONSTRAINTS else None
            rule = (info.json_schema_extra or {}).get("rule", OTHER["rule"]) if info else OTHER["rule"]
            message = OTHER["message"]
        else:  # a RecordError, whose type is its rule: of a record, a nested span or a field
            rule = e["type"]
            message = "{msg}" if not path else "{field}: {msg}" if shown == "dict" else OTHER["message"]
        problems.add(where, lines[index][0], rule, f"{what}: {message.format(**fill)}")


def checked_records(kind: Kind, lines: list[tuple[int, dict]], where: str, problems, **context) -> list:
    """(line, record, model) of every record if all hold their strict models (checked against the raw
    text given as context `raw`); else [] after a problem for every violation: structure first."""
    try:
        models = kind.adapter.validate_python([rec for _, rec in lines], context=context)
    except ValidationError as error:
        _report(kind, lines, error, where, problems)
        return []
    return [(n, rec, model) for (n, rec), model in zip(lines, models)]


def overlaps(spans: list[tuple[int, object]]) -> list[tuple[tuple, tuple]]:
    """Every two neighbours ((line, span), (line, span)) by start that overlap (spans: .start, .end)."""
    spans = sorted(spans, key=lambda s: s[1].start)
    return [(a, b) for a, b in zip(spans, spans[1:]) if b[1].start < a[1].end]
