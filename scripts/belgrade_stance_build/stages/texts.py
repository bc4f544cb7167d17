"""Stage: texts — the raw source texts, byte-exact, checked against the metadata's sha256."""

from __future__ import annotations

import hashlib

from belgrade_stance_build.layout import Layout


def read_texts(layout: Layout, metadata: list[dict], problems) -> dict[str, str]:
    """doc_id → decoded text of raw/texts/<source_file>; every raw file must be listed."""
    texts: dict[str, str] = {}
    meta_where = layout.rel(layout.metadata)
    listed = {row["source_file"] for row in metadata}
    if layout.texts.is_dir():
        for path in sorted(layout.texts.iterdir()):
            if path.name not in listed:
                problems.add(layout.rel(path), None, "extra-raw-file",
                             f"not listed in {meta_where} (add a metadata row or remove the file)")
    for row in metadata:
        path = layout.texts / row["source_file"]
        where = layout.rel(path)
        if not path.is_file():
            problems.add(where, None, "missing-raw-file",
                         f"listed for {row['doc_id']} on {meta_where}:{row['_line']} but not found")
            continue
        data = path.read_bytes()
        if not data:
            problems.add(where, None, "empty-file", f"raw text of {row['doc_id']} is empty")
            continue
        digest = hashlib.sha256(data).hexdigest()
        if digest != row["sha256"]:
            problems.add(where, None, "sha256-mismatch",
                         f"sha256 {digest} != {row['sha256']} recorded on {meta_where}:{row['_line']} "
                         "(raw texts are never edited)")
            continue
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as e:
            line = data[: e.start].count(b"\n") + 1
            problems.add(where, line, "invalid-utf8", f"byte {e.start} is not valid UTF-8")
            continue
        if not text.strip():
            problems.add(where, None, "empty-file", f"raw text of {row['doc_id']} has only whitespace")
            continue
        texts[row["doc_id"]] = text
    return texts
