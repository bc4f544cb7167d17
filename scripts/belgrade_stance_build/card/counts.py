"""The card's counting blocks (sizes, labels, holders, entities, documents, agreement),
computed from the built Parquet files and data/agreement.json."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from belgrade_stance.paths import split_file
from belgrade_stance_build.card.markdown import table as markdown_table
from belgrade_stance_schema.inventory import ENTITY_TYPES, HOLDER_TYPES, SPLITS, STANCE_LABELS, TARGETS

CARD_COLUMNS = {
    "stance": ["target", "label", "mixed", "passes_agree", "holders"],
    "sentences": ["entities"],
    "documents": ["doc_id", "outlet", "publisher", "date", "date_precision", "fold", "n_sentences"],
}


def _rows(data: Path, config: str) -> dict[str, list[dict]]:
    """The rows of each split, with only the columns the card counts (nested lists kept slim)."""
    out = {}
    for s in SPLITS:
        t = pq.read_table(split_file(data, config, s), columns=CARD_COLUMNS[config])
        if config == "stance":  # the card counts holder types only
            holders = t["holders"].combine_chunks()
            slim = pa.ListArray.from_arrays(holders.offsets, holders.values.field("holder_type"),
                                            mask=holders.is_null())
            t = t.set_column(t.schema.get_field_index("holders"), "holders", slim)
        elif config == "sentences":  # labels and ids of the mentions
            ents = t["entities"].combine_chunks()
            values = ents.values
            slim = pa.ListArray.from_arrays(ents.offsets, pa.StructArray.from_arrays(
                [values.field("label"), values.field("entity_id")], names=["label", "entity_id"]),
                mask=ents.is_null())
            t = t.set_column(0, "entities", slim)
        out[s] = t.to_pylist()
    return out


def blocks(data: Path) -> dict[str, str]:
    stance, sents, docs = _rows(data, "stance"), _rows(data, "sentences"), _rows(data, "documents")
    agreement = json.loads((data / "agreement.json").read_text(encoding="utf-8"))
    out: dict[str, str] = {}

    size = []
    for s in SPLITS:
        size.append([s, len(docs[s]), len(sents[s]), sum(len(r["entities"]) for r in sents[s]), len(stance[s])])
    size.append(["**all**", *(sum(r[i] for r in size) for i in range(1, 5))])
    out["sizes"] = markdown_table(["split", "documents", "sentences", "entity mentions", "stance rows"], size)

    rows = []
    for t in TARGETS:
        row = [f"`{t}`"]
        for s in SPLITS:
            c = Counter(STANCE_LABELS[r["label"]] for r in stance[s] if r["target"] == t)
            row.append(" / ".join(str(c[lab]) for lab in STANCE_LABELS))
        rows.append(row)
    total = Counter(STANCE_LABELS[r["label"]] for s in SPLITS for r in stance[s])
    rows.append(["**all**", *(" / ".join(str(Counter(STANCE_LABELS[r["label"]] for r in stance[s])[lab])
                                         for lab in STANCE_LABELS) for s in SPLITS)])
    out["labels"] = ("Counts are none / against / favor.\n\n"
                     + markdown_table(["target", *SPLITS], rows)
                     + f"\nOverall: {total['none']} none, {total['against']} against, {total['favor']} favor; "
                     f"{sum(r['mixed'] for s in SPLITS for r in stance[s])} rows are `mixed` "
                     "(holders of opposite stance, label from the primary holder).\n")

    holders = Counter(h for s in SPLITS for r in stance[s] for h in r["holders"])
    out["holders"] = markdown_table(["holder type", "favor/against records"], [[f"`{k}`", holders[k]] for k in HOLDER_TYPES])

    ents = Counter(ENTITY_TYPES_LIST[e["label"]] for s in SPLITS for r in sents[s] for e in r["entities"])
    ids = {e["entity_id"] for s in SPLITS for r in sents[s] for e in r["entities"]}
    out["entities"] = (markdown_table(["type", "mentions"], [[f"`{k}`", ents[k]] for k in ENTITY_TYPES])
                       + f"\n{sum(ents.values())} mentions of {len(ids)} distinct entity ids.\n")

    doc_rows = []
    for s in SPLITS:
        for d in docs[s]:
            doc_rows.append([f"`{d['doc_id']}`", d["outlet"] or "—", d["publisher"] or "—", d["date"],
                             d["date_precision"], s, d["fold"], d["n_sentences"]])
    doc_rows.sort()
    out["documents"] = markdown_table(["doc_id", "outlet", "publisher", "date", "precision", "split", "fold", "sentences"],
                              doc_rows)

    a = agreement
    per = [[f"`{t}`", v["items"], f"{v['kappa']:.3f}", f"{v['percent_agreement']:.3f}",
            v["favor_against_a"], v["favor_against_b"]] for t, v in a["per_target"].items()]
    n_dis = sum(1 for s in SPLITS for r in stance[s] if r["passes_agree"] is False)
    out["agreement"] = (
        f"Over {a['items']} (sentence, target) items of {len(a['documents'])} documents: "
        f"Cohen's κ = {a['stance_kappa']:.3f}, raw agreement = {a['stance_percent_agreement']:.3f}, "
        f"F_avg of pass B against pass A = {a['stance_favg']:.3f}; {n_dis} items differ in label.\n"
        f"Holders agree on {a['holder_agreement']:.3f} of the {a['holder_items']} items both passes label "
        f"favor/against alike. Entities: {a['entity_mentions_a']} mentions in A, {a['entity_mentions_b']} in B, "
        f"exact-span F1 = {a['entity_span_f1']:.3f}, type agreement on matched spans = "
        f"{a['entity_type_agreement']:.3f}.\n\n"
        + markdown_table(["target", "items", "κ", "raw agreement", "favor/against in A", "favor/against in B"], per)
    )
    return out


ENTITY_TYPES_LIST = list(ENTITY_TYPES)
