"""Stage: card structure — the card's blocks that describe the data rather than count it.

The corpus summary line, the targets table (from the inventory), and for every config its
fields (type from schema/features.py, description from DESCRIPTIONS) and an example row read
from the built files.
"""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq

from belgrade_stance.paths import split_file
from belgrade_stance_schema.features import DESCRIPTIONS, features
from belgrade_stance_schema.inventory import CONFIGS, DATASET_VERSION, DEFAULT_CONFIG, RELEASED, SPLITS, TARGETS

EXAMPLE_CHARS = 100  # long strings in example rows are cut to this length
EXAMPLE_ITEMS = 3  # lists in example rows show this many items


def feature_type(feature) -> str:
    """A feature's type in words: string, int32, ClassLabel(a, b), list of {…}."""
    from datasets import ClassLabel, List

    if isinstance(feature, ClassLabel):
        names = feature.names if len(feature.names) <= 4 else [*feature.names[:3], "…"]
        return f"ClassLabel({', '.join(names)})"
    if isinstance(feature, List):
        return f"list of {feature_type(feature.feature)}"
    if isinstance(feature, dict):
        return "{" + ", ".join(f"{k}: {feature_type(v)}" for k, v in feature.items()) + "}"
    return feature.dtype


def _short(value):
    if isinstance(value, str):
        return value if len(value) <= EXAMPLE_CHARS else value[:EXAMPLE_CHARS] + "…"
    if isinstance(value, list):
        out = [_short(v) for v in value[:EXAMPLE_ITEMS]]
        return out + [f"… {len(value) - EXAMPLE_ITEMS} more"] if len(value) > EXAMPLE_ITEMS else out
    if isinstance(value, dict):
        return {k: _short(v) for k, v in value.items()}
    return value


def _example(data: Path, config: str) -> dict:
    """The first row of the first split that has one; for stance, the first favor/against row.
    Read a row group at a time; only the chosen row becomes Python objects."""
    import pyarrow.compute as pc

    first = {}
    for s in SPLITS:
        parquet = pq.ParquetFile(split_file(data, config, s))
        for i in range(parquet.num_row_groups):
            table = parquet.read_row_group(i)
            if not table.num_rows:
                continue
            if config != DEFAULT_CONFIG:
                return table.slice(0, 1).to_pylist()[0]
            first = first or table.slice(0, 1).to_pylist()[0]
            has = pc.greater(pc.list_value_length(table["holders"]), 0)
            if pc.any(has).as_py():
                return table.slice(pc.index(has, True).as_py(), 1).to_pylist()[0]
    return first


def corpus_figures(data: Path) -> dict:
    """Documents, test documents and publication years of a data folder (for prose figures)."""
    docs = [r for s in SPLITS for r in pq.read_table(split_file(data, "documents", s),
                                                        columns=["date", "split"]).to_pylist()]
    return {"n_docs": len(docs), "test_docs": sum(d["split"] == "test" for d in docs),
            "years": sorted({d["date"][:4] for d in docs})}


def year_span(years: list[str], dash: str = "–") -> str:
    return years[0] if len(years) == 1 else f"{years[0]}{dash}{years[-1]}"


def structure_blocks(data: Path) -> dict[str, str]:
    out = {}
    fig = corpus_figures(data)
    n_docs, years, test_docs = fig["n_docs"], fig["years"], fig["test_docs"]
    span = year_span(years)
    out["summary"] = (f"{n_docs} English news articles ({span}) about Russian anti-war emigrants in Serbia, "
                      f"split into sentences and annotated for **stance** towards {len(TARGETS)} named targets — "
                      "with who holds each stance and the words that express it — and for **named entities** "
                      "(OntoNotes types, with canonical entity ids). The `stance` config is a benchmark for "
                      "target-stance classifiers (leave-one-document-out is its headline protocol); the `holders` "
                      "config is a second task: who holds each stance, and the evidence, as offsets.\n")
    out["limits"] = (f"{n_docs} articles on one topic, {len(years)} year(s) of coverage; the test split is "
                     f"{test_docs} document(s), so test scores have wide confidence intervals and cannot rank "
                     "systems: use leave-one-document-out and `belgrade-stance compare`.\n")
    out["targets"] = ("| target | definition |\n| --- | --- |\n"
                      + "".join(f"| `{t}` | {d} |\n" for t, d in TARGETS.items()))
    parts = []
    for config in CONFIGS:
        feats = features(config)
        lines = [f"#### `{config}`{' (default)' if config == DEFAULT_CONFIG else ''}\n",
                 "| field | type | description |", "| --- | --- | --- |"]
        lines += [f"| `{name}` | {feature_type(f)} | {DESCRIPTIONS[config][name]} |" for name, f in feats.items()]
        example = json.dumps(_short(_example(data, config)), ensure_ascii=False, indent=1)
        lines += ["", "Example row (long values cut):", "", "```json", example, "```", ""]
        parts.append("\n".join(lines))
    out["structure"] = "\n".join(parts)
    out["citation"] = ("```bibtex\n@misc{belgrade_stance,\n"
                       "  title   = {{belgrade-stance: stance towards named targets, with holders, and named entities "
                       "in English news about Russian anti-war emigrants in Serbia}},\n"
                       "  author  = {{belgrade-stance maintainers}},\n"
                       f"  year    = {{{RELEASED[:4]}}},\n"
                       f"  version = {{{DATASET_VERSION}}},\n"
                       "  note    = {Dataset; annotations machine-generated, see the dataset card}\n}\n```\n")
    return out
