"""Stage: card — the generated blocks of DATASET_CARD.md and README.md, computed from data/.

Every number in the card and README stands between marker comments
`<!-- generated:NAME -->` … `<!-- /generated:NAME -->` and is rewritten from the built Parquet
files and data/agreement.json; `check_card` reports blocks that are stale.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from belgrade_stance.paths import split_file
from belgrade_stance_build.layout import Layout
from belgrade_stance_schema.inventory import ENTITY_TYPES, HOLDER_TYPES, SPLITS, STANCE_LABELS, TARGETS

BLOCK = re.compile(r"(<!-- generated:(?P<name>[a-z_]+) -->\n)(?P<body>.*?)(<!-- /generated:(?P=name) -->)", re.S)
YAML_BLOCK = re.compile(r"(# generated:(?P<name>[a-z_]+)\n)(?P<body>.*?)(# /generated:(?P=name))", re.S)


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


def _table(header: list[str], rows: list[list]) -> str:
    out = ["| " + " | ".join(header) + " |", "|" + "|".join(" --- " for _ in header) + "|"]
    out += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(out) + "\n"


def blocks(data: Path) -> dict[str, str]:
    stance, sents, docs = _rows(data, "stance"), _rows(data, "sentences"), _rows(data, "documents")
    agreement = json.loads((data / "agreement.json").read_text(encoding="utf-8"))
    out: dict[str, str] = {}

    size = []
    for s in SPLITS:
        size.append([s, len(docs[s]), len(sents[s]), sum(len(r["entities"]) for r in sents[s]), len(stance[s])])
    size.append(["**all**", *(sum(r[i] for r in size) for i in range(1, 5))])
    out["sizes"] = _table(["split", "documents", "sentences", "entity mentions", "stance rows"], size)

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
                     + _table(["target", *SPLITS], rows)
                     + f"\nOverall: {total['none']} none, {total['against']} against, {total['favor']} favor; "
                     f"{sum(r['mixed'] for s in SPLITS for r in stance[s])} rows are `mixed` "
                     "(holders of opposite stance, label from the primary holder).\n")

    holders = Counter(h for s in SPLITS for r in stance[s] for h in r["holders"])
    out["holders"] = _table(["holder type", "favor/against records"], [[f"`{k}`", holders[k]] for k in HOLDER_TYPES])

    ents = Counter(ENTITY_TYPES_LIST[e["label"]] for s in SPLITS for r in sents[s] for e in r["entities"])
    ids = {e["entity_id"] for s in SPLITS for r in sents[s] for e in r["entities"]}
    out["entities"] = (_table(["type", "mentions"], [[f"`{k}`", ents[k]] for k in ENTITY_TYPES])
                       + f"\n{sum(ents.values())} mentions of {len(ids)} distinct entity ids.\n")

    doc_rows = []
    for s in SPLITS:
        for d in docs[s]:
            doc_rows.append([f"`{d['doc_id']}`", d["outlet"] or "—", d["publisher"] or "—", d["date"],
                             d["date_precision"], s, d["fold"], d["n_sentences"]])
    doc_rows.sort()
    out["documents"] = _table(["doc_id", "outlet", "publisher", "date", "precision", "split", "fold", "sentences"],
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
        + _table(["target", "items", "κ", "raw agreement", "favor/against in A", "favor/against in B"], per)
    )
    return out


ENTITY_TYPES_LIST = list(ENTITY_TYPES)


def render(text: str, generated: dict[str, str]) -> str:
    def sub(m: re.Match) -> str:
        name = m.group("name")
        if name not in generated:
            return m.group(0)
        return m.group(1) + generated[name] + m.group(4)

    return YAML_BLOCK.sub(sub, BLOCK.sub(sub, text))


def _all_blocks(text: str):
    yield from BLOCK.finditer(text)
    yield from YAML_BLOCK.finditer(text)


def targets(layout: Layout) -> list[Path]:
    return [p for p in (layout.card, layout.readme) if p.is_file()]


def generated_blocks(data: Path, results: Path | None = None) -> dict[str, str]:
    """Every generated block: counts from the data, structure from the features and inventory,
    the Hub YAML (configs, dataset_info, size category), and the benchmark tables from the
    baselines' results file (when given and present)."""
    from belgrade_stance_build.card.leaderboard import benchmark_blocks
    from belgrade_stance_build.card.structure import structure_blocks
    from belgrade_stance_build.card.hub_yaml import hub_yaml

    bench = benchmark_blocks(data, results) if results is not None else {}
    return {**blocks(data), **structure_blocks(data), "hub": hub_yaml(data), **bench}


def write_card(layout: Layout) -> list[Path]:
    """Redraw stale figures, rewrite the generated blocks of the card and README; return the files changed."""
    from belgrade_stance_build.card.figures import write_figures

    changed = write_figures(layout)
    generated = generated_blocks(layout.data, layout.baseline_results)
    for path in targets(layout):
        old = path.read_text(encoding="utf-8")
        new = render(old, generated)
        if new != old:
            path.write_text(new, encoding="utf-8")
            changed.append(path)
    return changed


def check_card(layout: Layout) -> list[str]:
    """Names of stale generated blocks (file: block) and stale figures."""
    from belgrade_stance_build.card.figures import check_figures

    generated = generated_blocks(layout.data, layout.baseline_results)
    stale = check_figures(layout)
    for path in targets(layout):
        text = path.read_text(encoding="utf-8")
        for m in _all_blocks(text):
            if m.group("name") in generated and m.group("body") != generated[m.group("name")]:
                stale.append(f"{layout.rel(path)}: block '{m.group('name')}' is stale (run belgrade-stance card)")
    return stale
