"""Stage: metadata — the hand-curated document metadata (raw/metadata.csv), checked row by row."""

from __future__ import annotations

import csv
import io
from functools import partial

from belgrade_stance_build.layout import Layout
from belgrade_stance_build.stages.raw_records import checked_records
from belgrade_stance_schema.records import METADATA, MetadataRow


def read_metadata(layout: Layout, problems) -> list[dict]:
    """Rows of raw/metadata.csv as dicts (empty cells → None, `_line` their line), by doc_id."""
    add = partial(problems.add, where := layout.rel(layout.metadata))
    if not layout.metadata.is_file():
        add(None, "missing-file", "document metadata file is missing")
        return []
    try:  # a byte order mark (spreadsheets write one) is no content
        text = layout.read_raw(layout.metadata).decode("utf-8-sig")
    except UnicodeDecodeError as e:
        add(None, "invalid-utf8", f"not UTF-8 at byte {e.start}")
        return []
    reader = csv.DictReader(io.StringIO(text, newline=""))  # rows end at \n or \r only, not at U+2028
    try:  # the whole file first: a CSV syntax error (an unclosed quote, a huge field) is one problem
        header, parsed = reader.fieldnames or [], [(reader.line_num, raw) for raw in reader]
    except csv.Error as e:
        add(reader.reader.line_num or None, "csv-syntax", f"not readable as CSV: {e}")
        return []
    doubled = sorted({c for c in header if header.count(c) > 1})
    columns = MetadataRow.model_fields
    missing = [c for c in columns if c not in header]
    extra = [c for c in header if c not in columns]
    if doubled:
        add(1, "duplicate-column", f"header names column(s) {', '.join(doubled)} more than once")
    if missing:
        add(1, "missing-field", f"header lacks column(s) {', '.join(missing)}")
    if extra:
        add(1, "unknown-field", f"header has unknown column(s) {', '.join(extra)}")
    if doubled or missing or extra:
        return []
    lines, first = [], {"doc_id": {}, "source_file": {}}  # column → value → its first line
    for n, raw in parsed:
        if None in raw:
            add(n, "row-shape", "row has more cells than the header")
        row = {k: v or None for k, v in raw.items()}
        for column in (empty := [c for c, f in columns.items() if f.is_required() and row[c] is None]):
            add(n, "missing-value", f"{column} is empty")
        if None in raw or empty:
            continue
        lines.append((n, row))
        if (was := first["doc_id"].setdefault(row["doc_id"], n)) != n:
            add(n, "duplicate-doc-id", f"doc_id {row['doc_id']!r} already on line {was}")
        if (was := first["source_file"].setdefault(row["source_file"], n)) != n:
            add(n, "duplicate-source-file", f"source_file {row['source_file']!r} already on line {was}")
    if not lines and not problems:
        add(None, "no-documents", "the metadata lists no document")
    checked = checked_records(METADATA, lines, where, problems)  # [] if a row fails its model
    return sorted((row | {"_line": n} for n, row in lines), key=lambda r: r["doc_id"]) if checked else []
