"""Raw records: JSON Lines files, and every violation of the strict record models as a problem."""

from __future__ import annotations

import json
from contextlib import suppress
from pathlib import Path

from pydantic import ValidationError

from belgrade_stance_schema.records import Kind


def _object(pairs: list[tuple]) -> dict:
    """json's object hook: an object that names a key twice is refused (KeyError), not silently resolved."""
    out = dict(pairs)
    if len(out) < len(pairs):
        raise KeyError(next(k for i, (k, _) in enumerate(pairs) if k in dict(pairs[:i])))
    return out


DECODER = json.JSONDecoder(object_pairs_hook=_object)


def read_jsonl(path: Path, where: str, problems, layout=None) -> list[tuple[int, dict]]:
    """(line number, record) of every non-blank line, else a problem; layout.read_raw reads what it hashes."""
    try:
        text = (layout.read_raw(path) if layout is not None else path.read_bytes()).decode("utf-8")
    except UnicodeDecodeError as e:
        problems.add(where, None, "invalid-utf8", f"byte {e.start} is not valid UTF-8")
        return []
    numbered = [(n, line) for n, line in enumerate(text.split("\n"), 1) if line.strip()]  # U+2028 is no end
    with suppress(ValueError, KeyError, RecursionError):  # one call for the file; line by line if it fails
        records = DECODER.decode("[" + ",".join(line for _, line in numbered) + "]")
        if len(records) == len(numbered) and all(type(r) is dict for r in records):
            return [(n, r) for (n, _), r in zip(numbered, records)]
    out = []
    for n, line in numbered:
        try:
            record = DECODER.decode(line)
            if type(record) is not dict:
                raise ValueError(f"a {type(record).__name__}")
            out.append((n, record))
        except KeyError as e:
            problems.add(where, n, "duplicate-key", f"the key {e.args[0]!r} appears twice in one object")
        except (ValueError, RecursionError) as e:
            problems.add(where, n, "unparseable-line", f"not one JSON object: {e}")
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
"""A pydantic error's rule: GENERIC's whichever field it hits (every integer is an offset), else the field's
rule() for a value outside its closed set or pattern, else OTHER's; a RecordError's type is its rule."""
CONSTRAINTS = {"literal_error", "string_pattern_mismatch"}


def _report(kind: Kind, lines: list[tuple[int, dict]], error: ValidationError, where: str, problems) -> None:
    """A problem for every violation, on its record's line and prefixed with its type."""
    for e in error.errors(include_url=False):
        index, *path = e["loc"]
        what = path.pop(0) if path and path[0] in kind.models else kind.name
        model, value = kind.models.get(what, kind.models.get("row")), e.get("input")
        info = model.model_fields.get(path[0]) if model and path else None
        shown = type(value).__name__ if isinstance(value, (dict, list)) else repr(value)[:80]
        keys = f" (allowed: {', '.join(sorted(model.model_fields))})" if model and len(path) == 1 else ""
        spec = GENERIC.get(e["type"], OTHER)
        rule, message = spec["rule"], spec["message"]
        if e["type"] in CONSTRAINTS and info and info.json_schema_extra:
            rule = info.json_schema_extra["rule"]
        elif "-" in e["type"]:  # a RecordError: of a record, a nested span or a field
            rule = e["type"]
            message = "{msg}" if not path else "{field}: {msg}" if shown == "dict" else message
        fill = {"field": ".".join(map(str, path)), "shown": shown, "msg": e["msg"][:1].lower() + e["msg"][1:]}
        text = message.format_map({**e.get("ctx", {}), **fill, "allowed": keys})
        problems.add(where, lines[index][0], rule, f"{what}: {text}")


def checked_records(kind: Kind, lines: list[tuple[int, dict]], where: str, problems, **context) -> list:
    """(line, record, model) of every record if all hold their models (context: the `raw` text), else []."""
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
