"""Stage: metadata — the hand-curated document metadata (raw/metadata.csv), checked row by row."""

from __future__ import annotations

import csv

from belgrade_stance_schema.records import METADATA, METADATA_COLUMNS, METADATA_REQUIRED

from belgrade_stance_build.layout import Layout
from belgrade_stance_build.stages.raw_records import check_record

COLUMNS = METADATA_COLUMNS


def read_metadata(layout: Layout, problems) -> list[dict]:
    """Rows of raw/metadata.csv as dicts (empty cells → None), in file order.

    Each problem names ``raw/metadata.csv:<line>``, the rule and the field.
    """
    where = layout.rel(layout.metadata)
    if not layout.metadata.is_file():
        problems.add(where, None, "missing-file", "document metadata file is missing")
        return []
    try:
        text = layout.read_raw(layout.metadata).decode(
            "utf-8-sig"
        )  # a byte order mark (spreadsheets write one) is no content
    except UnicodeDecodeError as e:
        problems.add(where, None, "invalid-utf8", f"not UTF-8 at byte {e.start}")
        return []
    reader = csv.DictReader(text.splitlines(keepends=True))
    try:  # the whole file first: a CSV syntax error (an unclosed quote, a huge field) is one problem
        header = reader.fieldnames or []
        parsed = [(reader.line_num, raw) for raw in reader]
    except csv.Error as e:
        problems.add(where, reader.reader.line_num or None, "csv-syntax", f"not readable as CSV: {e}")
        return []
    doubled = sorted({c for c in header if header.count(c) > 1})
    if doubled:
        problems.add(
            where, 1, "duplicate-column", f"header names column(s) {', '.join(doubled)} more than once"
        )
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
        empty = [c for c in METADATA_REQUIRED if row[c] is None]
        for col in empty:
            problems.add(where, line, "missing-value", f"{col} is empty")
        if empty:
            continue
        model = check_record(METADATA, row, where, line, problems)
        row["_line"] = line
        doc_id = row["doc_id"]
        if doc_id in seen:
            problems.add(where, line, "duplicate-doc-id", f"doc_id {doc_id!r} already on line {seen[doc_id]}")
        seen.setdefault(doc_id, line)
        if row["source_file"] in files:
            problems.add(
                where,
                line,
                "duplicate-source-file",
                f"source_file {row['source_file']!r} already on line {files[row['source_file']]}",
            )
        files.setdefault(row["source_file"], line)
        if model is not None:
            rows.append(row)
    if not rows and not problems:
        problems.add(where, None, "no-documents", "the metadata lists no document")
    return sorted(rows, key=lambda r: r["doc_id"])
