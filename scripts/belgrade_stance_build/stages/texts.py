"""Stage: texts — the raw source texts, byte-exact, checked against the metadata's sha256.

The folder listing is checked once (every file listed, every listed file present); each text
is read when its document's part is built, so memory holds one part's texts at a time.
"""

from __future__ import annotations

import hashlib

from belgrade_stance_build.layout import Layout


def check_listing(layout: Layout, metadata: list[dict], problems) -> None:
    """Every file of raw/texts/ is listed in the metadata, and every listed file exists."""
    meta_where = layout.rel(layout.metadata)
    listed = {row["source_file"] for row in metadata}
    if layout.texts.is_dir():
        for path in sorted(layout.texts.iterdir()):
            if path.name not in listed:
                problems.add(
                    layout.rel(path),
                    None,
                    "extra-raw-file",
                    f"not listed in {meta_where} (add a metadata row or remove the file)",
                )
    for row in metadata:
        path = layout.texts / row["source_file"]
        if not path.is_file():
            problems.add(
                layout.rel(path),
                None,
                "missing-raw-file",
                f"listed for {row['doc_id']} on {meta_where}:{row['_line']} but not found",
            )


def read_text(layout: Layout, row: dict, problems) -> str | None:
    """The decoded text of raw/texts/<source_file> of one metadata row; None if it fails a check."""
    meta_where = layout.rel(layout.metadata)
    path = layout.texts / row["source_file"]
    where = layout.rel(path)
    data = layout.read_raw(path)
    if not data:
        problems.add(where, None, "empty-file", f"raw text of {row['doc_id']} is empty")
        return None
    digest = hashlib.sha256(data).hexdigest()
    if digest != row["sha256"]:
        problems.add(
            where,
            None,
            "sha256-mismatch",
            f"sha256 {digest} != {row['sha256']} recorded on {meta_where}:{row['_line']} "
            "(raw texts are never edited)",
        )
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        problems.add(where, line, "invalid-utf8", f"byte {e.start} is not valid UTF-8")
        return None
    if not text.strip():
        problems.add(where, None, "empty-file", f"raw text of {row['doc_id']} has only whitespace")
        return None
    return text
