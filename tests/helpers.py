"""Helpers shared by the tests: the checkout's root, tree digests, a synthetic extra document."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def need(what: str, why: str):
    """Skip where an external tool is missing, but fail where the run requires every tool
    (.ci/run sets BELGRADE_STANCE_REQUIRE_TOOLS=1)."""
    if os.environ.get("BELGRADE_STANCE_REQUIRE_TOOLS") == "1":
        pytest.fail(f"{what} is required here: {why}")
    pytest.skip(f"{what} is not installed: {why}")


def tree_digest(folder: Path) -> dict[str, str]:
    """sha256 of every file below folder, keyed by relative path."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def add_document(
    project: Path,
    doc_id: str,
    text: str,
    sentences: list[str],
    split: str,
    records: list[dict] | None = None,
    boilerplate: dict[str, str] | None = None,
) -> None:
    """Drop a new document into project/raw: text, metadata row, segments (boilerplate: text →
    kind) and three identical passes (the given records, every other sentence × target none)."""
    import csv
    import io
    import json

    from belgrade_stance_schema.inventory import TARGETS

    raw = project / "raw"
    name = f"{doc_id}_synthetic.txt"
    (raw / "texts" / name).write_text(text, encoding="utf-8")
    meta = list(csv.DictReader(io.StringIO((raw / "metadata.csv").read_text(encoding="utf-8"))))
    meta.append(
        {
            **meta[0],
            "doc_id": doc_id,
            "source_file": name,
            "sha256": hashlib.sha256(text.encode()).hexdigest(),
            "split": split,
            "date": "2023-01-05",
            "date_precision": "day",
            "date_evidence": "",
            "annotation_status": "gold",
        }
    )
    out = io.StringIO()
    w = csv.DictWriter(out, fieldnames=list(meta[0]), lineterminator="\n")
    w.writeheader()
    w.writerows(meta)
    (raw / "metadata.csv").write_text(out.getvalue(), encoding="utf-8")

    def span(s: str) -> dict:
        i = text.index(s)
        return {"start": i, "end": i + len(s), "text": s}

    seg = [{"type": "boilerplate", "kind": kind, **span(s)} for s, kind in (boilerplate or {}).items()]
    seg += [{"type": "sentence", "id": f"{doc_id}-s{i:03d}", **span(s)} for i, s in enumerate(sentences)]
    (raw / "segments" / f"{doc_id}.jsonl").write_text(
        "".join(json.dumps(r) + "\n" for r in seg), encoding="utf-8"
    )
    recs = list(records or [])
    labelled = {(r["sentence"], r["target"]) for r in recs if r["type"] == "stance"}
    for i in range(len(sentences)):
        for t in TARGETS:
            if (f"{doc_id}-s{i:03d}", t) not in labelled:
                recs.append(
                    {"type": "stance", "sentence": f"{doc_id}-s{i:03d}", "target": t, "label": "none"}
                )
    for p in ("a", "b", "gold"):
        (raw / "annotations" / p / f"{doc_id}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in recs))
