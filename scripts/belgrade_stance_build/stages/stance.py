"""Stage: stance — the benchmark view: one row per (sentence, target) of every annotated document."""

from __future__ import annotations

from collections.abc import Iterator

from belgrade_stance_schema.inventory import TARGETS
from belgrade_stance_build.stages.annotations import Annotation
from belgrade_stance_build.stages.segments import Segmentation


def stance_rows(metadata: list[dict], segs: dict[str, Segmentation],
                annotations: dict[str, dict[str, Annotation]], folds: dict[str, int]) -> Iterator[dict]:
    for meta in metadata:
        doc_id = meta["doc_id"]
        passes = annotations.get(doc_id, {})
        gold = passes.get("gold")
        if gold is None:
            continue
        sentences = segs[doc_id].sentences
        for i, s in enumerate(sentences):
            before = [p.text for p in sentences[:i] if p.paragraph == s.paragraph]
            context = " ".join(before) if before else (sentences[i - 1].text if i else "")
            for target, description in TARGETS.items():
                recs = gold.stance[(s.id, target)]
                la = passes["a"].label(s.id, target) if "a" in passes else None
                lb = passes["b"].label(s.id, target) if "b" in passes else None
                yield {
                    "id": f"{s.id}-{target}",
                    "sentence_id": s.id,
                    "doc_id": doc_id,
                    "text": s.text,
                    "target": target,
                    "target_description": description,
                    "context": context,
                    "label": gold.label(s.id, target),
                    "label_a": la,
                    "label_b": lb,
                    "passes_agree": None if la is None or lb is None else la == lb,
                    "mixed": {"favor", "against"} <= {r.label for r in recs},
                    "holders": [r.table_record() for r in recs if r.label != "none"],
                    "split": meta["split"],
                    "fold": folds[doc_id],
                }
