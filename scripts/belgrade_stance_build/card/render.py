"""The generated blocks of DATASET_CARD.md and README.md: every number they state, from data/.

A block stands between `<!-- generated:NAME -->` and `<!-- /generated:NAME -->` (in the card's
YAML front matter, `# generated:NAME` and `# /generated:NAME`) and is rewritten from the built
Parquet files, data/agreement.json, the inventory, the features and results/baselines.json. The
README's `pipeline` block is the build's stage diagram, passed in by the build.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import yaml
from belgrade_stance_schema.features import DESCRIPTIONS, features
from belgrade_stance_schema.inventory import (
    CONFIGS,
    DATASET_VERSION,
    DEFAULT_CONFIG,
    ENTITY_TYPES,
    HOLDER_TYPES,
    RELEASED,
    SPLITS,
    STANCE_LABELS,
    TARGETS,
)
from datasets import ClassLabel, DatasetInfo, List, SplitDict, SplitInfo

from belgrade_stance.files import atomic_write
from belgrade_stance.paths import split_file
from belgrade_stance_build.card.leaderboard import TARGET_COLUMNS, benchmark_blocks, table
from belgrade_stance_build.layout import Layout

BLOCK = re.compile(
    r"(?P<open>(?:<!-- |# )generated:(?P<name>[a-z_]+)(?: -->)?\n)(?P<body>.*?)"
    r"(?P<close>(?:<!-- |# )/generated:(?P=name))",
    re.S,
)
SIZE_CATEGORIES = ((1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K"), (1_000_000, "100K<n<1M"))
EXAMPLE_CHARS = 100  # long strings in example rows are cut to this length
EXAMPLE_ITEMS = 3  # lists in example rows show this many items


def read(data: Path, config: str, columns: list[str]) -> pa.Table:
    """Some columns of every split of a config, as one table."""
    return pa.concat_tables(pq.read_table(split_file(data, config, s), columns=columns) for s in SPLITS)


def items(table: pa.Table, column: str, fields: list[str]) -> pd.DataFrame:
    """One row per item of a list-of-structs column: its split and the given fields."""
    flat = pc.list_flatten(table[column])
    split = table["split"].take(pc.list_parent_indices(table[column]))
    return pa.table({"split": split, **{f: pc.struct_field(flat, f) for f in fields}}).to_pandas()


def count(frame: pd.DataFrame, *columns: str) -> Counter:
    """Rows per value of a column, or per combination of values of several (0 for an absent one)."""
    return Counter(frame.groupby(list(columns)).size().to_dict())


def corpus_figures(data: Path) -> dict:
    """Documents, test documents and publication years of a data folder (for prose figures)."""
    docs = read(data, "documents", ["date", "split"]).to_pandas()
    years = sorted(set(docs.date.str[:4]))
    return {"n_docs": len(docs), "test_docs": int((docs.split == "test").sum()), "years": years}


def year_span(years: list[str], dash: str = "–") -> str:
    return years[0] if len(years) == 1 else f"{years[0]}{dash}{years[-1]}"


def _labels(counts: Counter, *key) -> str:
    """Counts of none / against / favor."""
    return " / ".join(str(counts[(*key, i)] if key else counts[i]) for i in range(len(STANCE_LABELS)))


def count_blocks(data: Path) -> dict[str, str]:
    """The blocks that count the data: sizes, labels, holders, entities, documents, folds, agreement."""
    columns = ["doc_id", "outlet", "publisher", "date", "date_precision", "split", "fold", "n_sentences"]
    docs = read(data, "documents", columns).to_pylist()
    stance = read(data, "stance", ["doc_id", "target", "label", "mixed", "passes_agree", "split", "holders"])
    sentences = read(data, "sentences", ["split", "entities"])
    mentions = items(sentences, "entities", ["label", "entity_id"])
    holder_types = count(items(stance, "holders", ["holder_type"]), "holder_type")
    rows = stance.drop_columns(["holders"]).to_pandas()
    frames = (pd.DataFrame(docs), sentences.select(["split"]).to_pandas(), mentions, rows)
    per_split = [count(frame, "split") for frame in frames]
    sizes = [[s, *(c[s] for c in per_split)] for s in SPLITS] + [["**all**", *(c.total() for c in per_split)]]
    labels, split_labels = count(rows, "split", "target", "label"), count(rows, "split", "label")
    per_target = [[f"`{t}`", *(_labels(labels, s, t) for s in SPLITS)] for t in TARGETS]
    per_target.append(["**all**", *(_labels(split_labels, s) for s in SPLITS)])
    total, types = count(rows, "label"), count(mentions, "label")
    doc_labels, doc_targets = count(rows, "doc_id", "label"), count(rows, "doc_id", "target", "label")
    folds, documents = [], []
    for d in docs:
        doc = d["doc_id"]
        against_favor = [f"{doc_targets[(doc, t, 1)]}/{doc_targets[(doc, t, 2)]}" for t in TARGETS]
        n = sum(doc_labels[(doc, i)] for i in range(len(STANCE_LABELS)))
        folds.append([d["fold"], f"`{doc}`", d["split"], n, _labels(doc_labels, doc), *against_favor])
        row = [f"`{doc}`", d["outlet"] or "—", d["publisher"] or "—", d["date"], d["date_precision"]]
        documents.append([*row, d["split"], d["fold"], d["n_sentences"]])
    a = json.loads((data / "agreement.json").read_text(encoding="utf-8"))
    agreement = []
    for t, v in a["per_target"].items():
        kappa, raw = f"{v['kappa']:.3f}", f"{v['percent_agreement']:.3f}"
        agreement.append([f"`{t}`", v["items"], kappa, raw, v["favor_against_a"], v["favor_against_b"]])
    return {
        "sizes": table("split | documents | sentences | entity mentions | stance rows", sizes),
        "labels": "Counts are none / against / favor.\n\n"
        + table(f"target | {' | '.join(SPLITS)}", per_target)
        + f"\nOverall: {total[0]} none, {total[1]} against, {total[2]} favor; {rows.mixed.sum()} rows are "
        "`mixed` (holders of opposite stance, label from the primary holder).\n",
        "holders": table(
            "holder type | favor/against records", [[f"`{k}`", holder_types[k]] for k in HOLDER_TYPES]
        ),
        "entities": table("type | mentions", [[f"`{k}`", types[i]] for i, k in enumerate(ENTITY_TYPES)])
        + f"\n{len(mentions)} mentions of {len(set(mentions.entity_id))} distinct entity ids.\n",
        "folds": "Stance rows of every leave-one-document-out fold (its held-out document): all labels as "
        "none / against / favor, then against/favor per target.\n\n"
        + table(f"fold | document | split | rows | none / against / favor | {TARGET_COLUMNS}", sorted(folds)),
        "documents": table(
            "doc_id | outlet | publisher | date | precision | split | fold | sentences", sorted(documents)
        ),
        "agreement": f"Over {a['items']} (sentence, target) items of {len(a['documents'])} documents: "
        f"Cohen's κ = {a['stance_kappa']:.3f}, raw agreement = {a['stance_percent_agreement']:.3f}, "
        f"F_avg of pass B against pass A = {a['stance_favg']:.3f}; {rows.passes_agree.eq(False).sum()} "
        f"items differ in label.\nHolders agree on {a['holder_agreement']:.3f} of the {a['holder_items']} "
        f"items both passes label favor/against alike. Entities: {a['entity_mentions_a']} mentions in A, "
        f"{a['entity_mentions_b']} in B, exact-span F1 = {a['entity_span_f1']:.3f}, type agreement on "
        f"matched spans = {a['entity_type_agreement']:.3f}.\n\n"
        + table("target | items | κ | raw agreement | favor/against in A | favor/against in B", agreement),
    }


def feature_type(feature) -> str:
    """A feature's type in words: string, int32, ClassLabel(a, b), list of {…}."""
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
        more = [f"… {len(value) - EXAMPLE_ITEMS} more"] if len(value) > EXAMPLE_ITEMS else []
        return [_short(v) for v in value[:EXAMPLE_ITEMS]] + more
    if isinstance(value, dict):
        return {k: _short(v) for k, v in value.items()}
    return value


def _example(data: Path, config: str) -> dict:
    """The first row of the first split that has one; for stance, the first favor/against row.
    Read a row group at a time; only the chosen row becomes Python objects."""
    first = {}
    for s in SPLITS:
        parquet = pq.ParquetFile(split_file(data, config, s))
        for i in range(parquet.num_row_groups):
            rows = parquet.read_row_group(i)
            if rows.num_rows and not first:
                first = rows.slice(0, 1).to_pylist()[0]
            if config == DEFAULT_CONFIG:
                rows = rows.filter(pc.greater(pc.list_value_length(rows["holders"]), 0))
            if rows.num_rows:
                return rows.slice(0, 1).to_pylist()[0]
    return first


def hub_yaml(data: Path) -> str:
    """The card's YAML keys that the Hub and `datasets` read: size_categories, configs (the data
    files of every config and split, `stance` the default) and dataset_info (features, split sizes)."""
    configs, infos = [], []
    for config in CONFIGS:
        default = {"default": True} if config == DEFAULT_CONFIG else {}
        files = [{"split": s, "path": f"{config}/{s}.parquet"} for s in SPLITS]
        configs.append({"config_name": config, **default, "data_files": files})
        splits = SplitDict()
        for s in SPLITS:
            parquet = pq.ParquetFile(split_file(data, config, s))  # Arrow size, one row group at a time
            nbytes = sum(parquet.read_row_group(i).nbytes for i in range(parquet.num_row_groups))
            splits.add(SplitInfo(name=s, num_bytes=nbytes, num_examples=parquet.metadata.num_rows))
        download = sum(split_file(data, config, s).stat().st_size for s in SPLITS)
        size = sum(x.num_bytes for x in splits.values())
        info = DatasetInfo(
            features=features(config),
            splits=splits,
            config_name=config,
            download_size=download,
            dataset_size=size,
        )
        infos.append(info._to_yaml_dict())
    rows = sum(pq.read_metadata(split_file(data, DEFAULT_CONFIG, s)).num_rows for s in SPLITS)
    size_category = next((name for limit, name in SIZE_CATEGORIES if rows < limit), "n>1M")
    meta = {"size_categories": [size_category], "configs": configs, "dataset_info": infos}
    return yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, width=1000)


def structure_blocks(data: Path) -> dict[str, str]:
    """The blocks that describe the data: summary, limits, targets, structure (fields and an example
    row of every config) and citation."""
    fig = corpus_figures(data)
    n_docs, years = fig["n_docs"], fig["years"]
    parts = []
    for config in CONFIGS:
        fields = [
            f"| `{name}` | {feature_type(f)} | {DESCRIPTIONS[config][name]} |"
            for name, f in features(config).items()
        ]
        example = json.dumps(_short(_example(data, config)), ensure_ascii=False, indent=1)
        title = f"#### `{config}`{' (default)' if config == DEFAULT_CONFIG else ''}\n"
        parts.append("\n".join([title, "| field | type | description |", "| --- | --- | --- |", *fields, ""]))
        parts[-1] += "\n".join(["", "Example row (long values cut):", "", "```json", example, "```", ""])
    return {
        "summary": f"{n_docs} English news articles ({year_span(years)}) about Russian anti-war emigrants in "
        f"Serbia, split into sentences and annotated for **stance** towards {len(TARGETS)} named targets — "
        "with who holds each stance and the words that express it — and for **named entities** "
        "(OntoNotes types, with canonical entity ids). The `stance` config is a benchmark for "
        "target-stance classifiers (leave-one-document-out is its headline protocol); the `holders` "
        "config is a second task: who holds each stance, and the evidence, as offsets.\n",
        "limits": f"{n_docs} articles on one topic, {len(years)} year(s) of coverage; the test split is "
        f"{fig['test_docs']} document(s), so test scores have wide confidence intervals and cannot rank "
        "systems: use leave-one-document-out and `belgrade-stance compare`.\n",
        "targets": table("target | definition", [[f"`{t}`", d] for t, d in TARGETS.items()]),
        "structure": "\n".join(parts),
        "citation": "```bibtex\n@misc{belgrade_stance,\n"
        "  title   = {{belgrade-stance: stance towards named targets, with holders, and named entities "
        "in English news about Russian anti-war emigrants in Serbia}},\n"
        "  author  = {{belgrade-stance maintainers}},\n"
        f"  year    = {{{RELEASED[:4]}}},\n"
        f"  version = {{{DATASET_VERSION}}},\n"
        "  note    = {Dataset; annotations machine-generated, see the dataset card}\n}\n```\n",
    }


def blocks(layout: Layout) -> dict[str, str]:
    """Every generated block but the README's pipeline diagram."""
    data = layout.data
    return {
        **count_blocks(data),
        **structure_blocks(data),
        "hub": hub_yaml(data),
        **benchmark_blocks(data, layout.baseline_results),
    }


def render(text: str, generated: dict[str, str]) -> str:
    """The text with every block named in generated rewritten (other blocks as they are)."""

    def body(m: re.Match) -> str:
        return m["open"] + generated[m["name"]] + m["close"] if m["name"] in generated else m[0]

    return BLOCK.sub(body, text)


def write_blocks(layout: Layout, pipeline: str) -> list[Path]:
    """Rewrite the generated blocks of the card and README (pipeline: the stage diagram); return the
    files changed."""
    generated = {**blocks(layout), "pipeline": pipeline}
    changed = []
    for path in filter(Path.is_file, (layout.card, layout.readme)):
        old = path.read_text(encoding="utf-8")
        if (new := render(old, generated)) != old:
            atomic_write(path, new)
            changed.append(path)
    return changed
