"""Stage: texts — the raw source texts, byte-exact, checked against the metadata's sha256."""

from __future__ import annotations

import hashlib

from belgrade_stance_build.layout import Layout
from belgrade_stance_schema.records import hidden


def check_listing(layout: Layout, metadata: list[dict], problems) -> None:
    """Every file of raw/texts/ is listed in the metadata, and every listed file exists."""
    listed, meta = {row["source_file"]: row for row in metadata}, layout.rel(layout.metadata)
    for path in sorted(layout.texts.iterdir()) if layout.texts.is_dir() else []:
        if path.name not in listed:
            problems.add(layout.rel(path), None, "extra-raw-file", f"not in {meta}: add a row or remove it")
    for name, row in listed.items():
        if not (layout.texts / name).is_file():
            where = layout.rel(layout.texts / name)
            problems.add(where, None, "missing-raw-file", f"listed on {meta}:{row['_line']} but not found")


def read_text(layout: Layout, row: dict, problems) -> str | None:
    """The decoded text of raw/texts/<source_file> of one metadata row; None if it fails a check."""
    path = layout.texts / row["source_file"]
    where, data = layout.rel(path), layout.read_raw(path)
    digest = hashlib.sha256(data).hexdigest()
    if not data.decode("utf-8", "replace").strip():
        problems.add(where, None, "empty-file", "the raw text is empty or only white space")
    elif digest != row["sha256"]:
        recorded = f"{row['sha256']} recorded on {layout.rel(layout.metadata)}:{row['_line']}"
        problems.add(
            where, None, "sha256-mismatch", f"sha256 {digest} != {recorded} (raw texts are never edited)"
        )
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as e:
            line = data[: e.start].count(b"\n") + 1
            problems.add(where, line, "invalid-utf8", f"byte {e.start} is not valid UTF-8")
            return None
        if (at := hidden(text, "\t\n\r")) is None:
            return text
        line, c = text[:at].count("\n") + 1, f"U+{ord(text[at]):04X}"
        problems.add(where, line, "control-character", f"holds {c} at character {at} (a hidden character)")
    return None
