"""Reading standoff JSON Lines files and checking span records against a raw text."""

from __future__ import annotations

import json
from pathlib import Path

from belgrade_stance_schema.records import Kind, validate, validate_all


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
        records = json.loads("[" + ",".join(line for _, line in numbered) + "]", object_pairs_hook=_strict_object)
    except (json.JSONDecodeError, _DuplicateKey, RecursionError):
        records = None
    if records is not None and len(records) == len(numbered) and all(type(r) is dict for r in records):
        return [(n, rec) for (n, _), rec in zip(numbered, records)]
    out = []
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
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


def _report(kind: Kind, rec: dict, bad: list, where: str, line: int, problems) -> None:
    t = rec.get("type")
    what = t if isinstance(t, str) and t in kind.models else kind.name
    for rule, message in bad:
        problems.add(where, line, rule, f"{what}: {message}")


def check_record(kind: Kind, rec: dict, where: str, line: int, problems):
    """The record's strict model (belgrade_stance_schema.records), or None after adding a problem
    for every violation, each prefixed with the record's type."""
    model, bad = validate(kind, rec)
    _report(kind, rec, bad, where, line, problems)
    return model


def checked_records(kind: Kind, lines: list[tuple[int, dict]], where: str, problems) -> list[tuple[int, dict, object]]:
    """(line, record, model) of every record of a file that holds its strict model, validated in
    one call when all hold; a problem for every violation of the others."""
    out = []
    for (n, rec), (model, bad) in zip(lines, validate_all(kind, [rec for _, rec in lines])):
        if bad:
            _report(kind, rec, bad, where, n, problems)
        if model is not None:
            out.append((n, rec, model))
    return out


def unknown_fields(rec: dict, allowed: frozenset, where: str, line: int, problems, what: str) -> bool:
    """Report keys a record of this kind does not have (a typo must not pass unseen); True if any."""
    extra = sorted(k for k in rec if k not in allowed)
    if extra:
        problems.add(where, line, "unknown-field", f"{what} has unknown key(s) {', '.join(map(repr, extra))} "
                                                   f"(allowed: {', '.join(sorted(allowed))})")
    return bool(extra)


def blank(value) -> bool:
    """A string with nothing but white space (or nothing)."""
    return isinstance(value, str) and not value.strip()


def missing_fields(rec: dict, fields: tuple[str, ...]) -> list[str]:
    return [f for f in fields if rec.get(f) is None]


def check_span(span: dict, text: str, where: str, line: int, problems, what: str = "span") -> bool:
    """start/end are ints, 0 <= start < end <= len(text), and text[start:end] == span['text']."""
    start, end, covered = span.get("start"), span.get("end"), span.get("text")
    if not isinstance(start, int) or not isinstance(end, int) or isinstance(start, bool) or isinstance(end, bool):
        problems.add(where, line, "offset-type", f"{what}: start/end must be integers, got {start!r}, {end!r}")
        return False
    if start >= end:
        problems.add(where, line, "reversed-offsets", f"{what}: start {start} >= end {end}")
        return False
    if start < 0 or end > len(text):
        problems.add(where, line, "offset-out-of-range",
                     f"{what}: {start}-{end} outside the raw text (length {len(text)})")
        return False
    if not isinstance(covered, str):
        problems.add(where, line, "missing-field", f"{what}: text is missing")
        return False
    if text[start:end] != covered:
        problems.add(where, line, "span-text-mismatch",
                     f"{what}: {covered!r} != raw text[{start}:{end}] {text[start:end]!r}")
        return False
    return True
