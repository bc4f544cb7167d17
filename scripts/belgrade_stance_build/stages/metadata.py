"""Stage: metadata — the hand-curated document metadata (raw/metadata.csv), checked row by row."""

from __future__ import annotations

import csv
import re
from datetime import date

from belgrade_stance_build.layout import Layout
from belgrade_stance_schema.inventory import ANNOTATION_STATUSES, DATE_PRECISIONS, SPLITS

COLUMNS = (
    "doc_id", "source_file", "sha256", "outlet", "publisher", "author", "headline", "date",
    "date_precision", "date_evidence", "language", "rights", "split", "annotation_status",
)
NULLABLE = {"outlet", "publisher", "author", "headline", "date_evidence"}
DOC_ID = re.compile(r"^[a-z0-9][a-z0-9_]{0,31}$")
SHA256 = re.compile(r"^[0-9a-f]{64}$")
LANGUAGE = re.compile(r"^[a-z]{2,3}$")


def _check_date(value: str, precision: str) -> str | None:
    """Return a message if the date does not fit its precision, else None."""
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            date.fromisoformat(value)
            if precision == "month":
                return f"date {value!r} has a day but precision is 'month' (write YYYY-MM)"
            return None
        if re.fullmatch(r"\d{4}-\d{2}", value):
            date.fromisoformat(value + "-01")
            if precision == "day":
                return f"date {value!r} has no day but precision is 'day'"
            return None
    except ValueError:
        return f"date {value!r} is not a real calendar date"
    return f"date {value!r} is not YYYY-MM-DD or YYYY-MM"


def read_metadata(layout: Layout, problems) -> list[dict]:
    """Rows of raw/metadata.csv as dicts (empty cells → None), in file order.

    Each problem names ``raw/metadata.csv:<line>``, the rule and the field.
    """
    where = layout.rel(layout.metadata)
    if not layout.metadata.is_file():
        problems.add(where, None, "missing-file", "document metadata file is missing")
        return []
    try:
        text = layout.read_raw(layout.metadata).decode("utf-8")
    except UnicodeDecodeError as e:
        problems.add(where, None, "invalid-utf8", f"not UTF-8 at byte {e.start}")
        return []
    reader = csv.DictReader(text.splitlines(keepends=True))
    try:  # the whole file first: a CSV syntax error (an unclosed quote, a huge field) is one problem
        header = reader.fieldnames or []
        parsed = [(reader.line_num, raw) for raw in reader]
    except csv.Error as e:
        problems.add(where, reader.line_num or None, "csv-syntax", f"not readable as CSV: {e}")
        return []
    doubled = sorted({c for c in header if header.count(c) > 1})
    if doubled:
        problems.add(where, 1, "duplicate-column", f"header names column(s) {', '.join(doubled)} more than once")
        return []
    missing = [c for c in COLUMNS if c not in header]
    extra = [c for c in header if c not in COLUMNS]
    if missing:
        problems.add(where, 1, "missing-field", f"header lacks column(s) {', '.join(missing)}")
    if extra:
        problems.add(where, 1, "unknown-field", f"header has unknown column(s) {', '.join(extra)}")
    if missing or extra:
        return []
    rows: list[dict] = []
    seen: dict[str, int] = {}
    files: dict[str, int] = {}
    for line, raw in parsed:
        if None in raw:
            problems.add(where, line, "row-shape", "row has more cells than the header")
            continue
        row = {k: (v if v != "" else None) for k, v in raw.items()}
        row["_line"] = line
        ok = True
        for col in COLUMNS:
            if col not in NULLABLE and row[col] is None:
                problems.add(where, line, "missing-value", f"{col} is empty")
                ok = False
        if not ok:
            continue
        doc_id = row["doc_id"]
        if not DOC_ID.match(doc_id):
            problems.add(where, line, "doc-id-format", f"doc_id {doc_id!r} must match {DOC_ID.pattern}")
        if doc_id in seen:
            problems.add(where, line, "duplicate-doc-id", f"doc_id {doc_id!r} already on line {seen[doc_id]}")
        seen.setdefault(doc_id, line)
        if row["source_file"] in files:
            problems.add(where, line, "duplicate-source-file",
                         f"source_file {row['source_file']!r} already on line {files[row['source_file']]}")
        files.setdefault(row["source_file"], line)
        if "/" in row["source_file"] or "\\" in row["source_file"]:
            problems.add(where, line, "source-file-name", f"source_file {row['source_file']!r} must be a bare file name")
        if not SHA256.match(row["sha256"]):
            problems.add(where, line, "sha256-format", f"sha256 {row['sha256']!r} is not 64 hex digits")
        if row["date_precision"] not in DATE_PRECISIONS:
            problems.add(where, line, "date-precision",
                         f"date_precision {row['date_precision']!r} not in {sorted(DATE_PRECISIONS)}")
        else:
            msg = _check_date(row["date"], row["date_precision"])
            if msg:
                problems.add(where, line, "bad-date", msg)
            if row["date_precision"] == "estimated" and not row["date_evidence"]:
                problems.add(where, line, "date-evidence", "an estimated date needs date_evidence quoting the text")
        if row["split"] not in SPLITS:
            problems.add(where, line, "unknown-split", f"split {row['split']!r} not in {list(SPLITS)}")
        if row["annotation_status"] not in ANNOTATION_STATUSES:
            problems.add(where, line, "annotation-status",
                         f"annotation_status {row['annotation_status']!r} not in {sorted(ANNOTATION_STATUSES)}")
        if not LANGUAGE.match(row["language"]):
            problems.add(where, line, "language", f"language {row['language']!r} is not an ISO 639 code")
        rows.append(row)
    if not rows and not problems:
        problems.add(where, None, "no-documents", "the metadata lists no document")
    return sorted(rows, key=lambda r: r["doc_id"])
