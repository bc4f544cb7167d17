"""The generated blocks of DATASET_CARD.md and README.md, between `<!-- generated:NAME -->` and
`<!-- /generated:NAME -->` (`# generated:NAME` lines in the card's YAML front matter): every number
they state, from data/ and results/baselines.json, in the wording of card/blocks.md. The README's
`pipeline` block is the build's stage diagram, passed in by the build."""

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
from datasets import ClassLabel, DatasetInfo, List

from belgrade_stance.files import atomic_write
from belgrade_stance.paths import split_file
from belgrade_stance_build.baselines.provenance import results_match
from belgrade_stance_build.layout import Layout
from belgrade_stance_schema import inventory as inv
from belgrade_stance_schema.features import DESCRIPTIONS, features

BLOCK = re.compile(
    r"(?P<open>(?:<!-- |# )generated:(?P<name>[a-z_]+)(?: -->)?\n)(?P<body>.*?)"
    r"(?P<close>(?:<!-- |# )/generated:(?P=name))",
    re.S,
)
WORDING = dict(
    part.split("\n", 1)
    for part in (Path(__file__).parent / "blocks.md").read_text(encoding="utf-8").split("\n## ")[1:]
)
SIZE_CATEGORIES = ((1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K"), (1_000_000, "100K<n<1M"))
EXAMPLE_CHARS, EXAMPLE_ITEMS = 100, 3  # example rows cut strings and lists to these lengths
TARGET_COLUMNS = " | ".join(f"`{t}`" for t in inv.TARGETS)


def words(name: str, **values) -> str:
    """A part of card/blocks.md, filled with the values."""
    return WORDING[name].strip("\n").format(**values)


def block(*parts: str) -> str:
    """A block of paragraphs and tables."""
    return "\n\n".join(parts) + "\n"


def table(header: str, rows: list[list]) -> str:
    """A Markdown table: the header ("a | b | c"), its separator, one line per row."""
    lines = [f"| {header} |", "|" + "|".join(" --- " for _ in header.split(" | ")) + "|"]
    return "\n".join(lines + ["| " + " | ".join(str(c) for c in row) + " |" for row in rows])


def read(data: Path, config: str, columns: list[str]) -> pa.Table:
    """Some columns of every split of a config, as one table."""
    return pa.concat_tables(pq.read_table(split_file(data, config, s), columns=columns) for s in inv.SPLITS)


def items(table: pa.Table, column: str, fields: list[str]) -> pd.DataFrame:
    """One row per item of a list-of-structs column: its split and the given fields."""
    flat = pc.list_flatten(table[column])
    split = table["split"].take(pc.list_parent_indices(table[column]))
    return pa.table({"split": split, **{f: pc.struct_field(flat, f) for f in fields}}).to_pandas()


def count(frame: pd.DataFrame, *columns: str) -> Counter:
    """Rows per combination of values of the columns (0 for an absent one)."""
    return Counter(frame.groupby(list(columns)).size().to_dict())


def _labels(counts: Counter, *key) -> str:
    return " / ".join(str(counts[(*key, i)]) for i in range(len(inv.STANCE_LABELS)))


def count_blocks(data: Path) -> dict[str, str]:
    """The blocks that count the data."""
    columns = ["doc_id", "outlet", "publisher", "date", "date_precision", "split", "fold", "n_sentences"]
    docs = read(data, "documents", columns).to_pylist()
    stance = read(data, "stance", ["doc_id", "target", "label", "mixed", "passes_agree", "split", "holders"])
    sentences = read(data, "sentences", ["split", "entities"])
    mentions = items(sentences, "entities", ["label", "entity_id"])
    holder_types = count(items(stance, "holders", ["holder_type"]), "holder_type")
    rows = stance.drop_columns(["holders"]).to_pandas()
    frames = (pd.DataFrame(docs), sentences.select(["split"]).to_pandas(), mentions, rows)
    per_split = [count(frame, "split") for frame in frames]
    sizes = [[s, *(c[s] for c in per_split)] for s in inv.SPLITS]
    sizes.append(["**all**", *(c.total() for c in per_split)])
    labels, split_labels = count(rows, "split", "target", "label"), count(rows, "split", "label")
    per_target = [[f"`{t}`", *(_labels(labels, s, t) for s in inv.SPLITS)] for t in inv.TARGETS]
    per_target.append(["**all**", *(_labels(split_labels, s) for s in inv.SPLITS)])
    types = count(mentions, "label")
    doc_labels, doc_targets = count(rows, "doc_id", "label"), count(rows, "doc_id", "target", "label")
    folds, documents = [], []
    for d in docs:
        doc = d["doc_id"]
        against_favor = [f"{doc_targets[(doc, t, 1)]}/{doc_targets[(doc, t, 2)]}" for t in inv.TARGETS]
        n = sum(doc_labels[(doc, i)] for i in range(len(inv.STANCE_LABELS)))
        folds.append([d["fold"], f"`{doc}`", d["split"], n, _labels(doc_labels, doc), *against_favor])
        row = [f"`{doc}`", d["outlet"] or "—", d["publisher"] or "—", d["date"], d["date_precision"]]
        documents.append([*row, d["split"], d["fold"], d["n_sentences"]])
    years = sorted({d["date"][:4] for d in docs})
    a = json.loads((data / "agreement.json").read_text(encoding="utf-8"))
    per_pass = [
        [f"`{t}`", v["items"], f"{v['kappa']:.3f}", f"{v['percent_agreement']:.3f}"]
        + [v["favor_against_a"], v["favor_against_b"]]
        for t, v in a["per_target"].items()
    ]
    span = years[0] if len(years) == 1 else f"{years[0]}–{years[-1]}"
    differ = rows.passes_agree.eq(False).sum()  # items whose passes differ in label
    labels = table(f"target | {' | '.join(inv.SPLITS)}", per_target)
    entities = table("type | mentions", [[f"`{k}`", types[i]] for i, k in enumerate(inv.ENTITY_TYPES)])
    agreement = table(
        "target | items | κ | raw agreement | favor/against in A | favor/against in B", per_pass
    )
    holders = table(
        "holder type | favor/against records", [[f"`{k}`", holder_types[k]] for k in inv.HOLDER_TYPES]
    )
    folds = table(
        f"fold | document | split | rows | none / against / favor | {TARGET_COLUMNS}", sorted(folds)
    )
    documents = table(
        "doc_id | outlet | publisher | date | precision | split | fold | sentences", sorted(documents)
    )
    return {
        "summary": block(words("summary", documents=len(docs), years=span, targets=len(inv.TARGETS))),
        "limits": block(words("limits", documents=len(docs), years=len(years), test=per_split[0]["test"])),
        "sizes": block(table("split | documents | sentences | entity mentions | stance rows", sizes)),
        "labels": block(words("labels", table=labels, total=count(rows, "label"), mixed=rows.mixed.sum())),
        "holders": block(holders),
        "entities": block(
            words("entities", table=entities, mentions=len(mentions), ids=mentions.entity_id.nunique())
        ),
        "folds": block(folds),
        "documents": block(documents),
        "agreement": block(
            words("agreement", a=a, documents=len(a["documents"]), differ=differ, table=agreement)
        ),
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
    if isinstance(value, str) and len(value) > EXAMPLE_CHARS:
        return value[:EXAMPLE_CHARS] + "…"
    if isinstance(value, list):
        more = [f"… {len(value) - EXAMPLE_ITEMS} more"] if len(value) > EXAMPLE_ITEMS else []
        return [_short(v) for v in value[:EXAMPLE_ITEMS]] + more
    if isinstance(value, dict):
        return {k: _short(v) for k, v in value.items()}
    return value


def row_groups(data: Path, config: str):
    """(split, row group) of every row group of a config, one at a time."""
    for s in inv.SPLITS:
        parquet = pq.ParquetFile(split_file(data, config, s))
        for i in range(parquet.num_row_groups):
            yield s, parquet.read_row_group(i)


def _example(data: Path, config: str) -> dict:
    """The first row of the config; for stance, the first favor/against row."""
    for _, rows in row_groups(data, config):
        if config == inv.DEFAULT_CONFIG:
            rows = rows.filter(pc.greater(pc.list_value_length(rows["holders"]), 0))
        if rows.num_rows:
            return rows.slice(0, 1).to_pylist()[0]
    return {}


def hub_yaml(data: Path) -> str:
    """The card's YAML keys that the Hub and `datasets` read: size_categories, configs (the files of
    every config and split, `stance` the default) and dataset_info (features, split sizes)."""
    configs, infos = [], []
    for config in inv.CONFIGS:
        default = {"default": True} if config == inv.DEFAULT_CONFIG else {}
        files = [{"split": s, "path": f"{config}/{s}.parquet"} for s in inv.SPLITS]
        configs.append({"config_name": config, **default, "data_files": files})
        nbytes, rows = Counter(), Counter()  # the Arrow size, as `datasets` counts it
        for s, group in row_groups(data, config):
            nbytes[s] += group.nbytes
            rows[s] += group.num_rows
        splits = [{"name": s, "num_bytes": nbytes[s], "num_examples": rows[s]} for s in inv.SPLITS]
        download = sum(split_file(data, config, s).stat().st_size for s in inv.SPLITS)
        info = DatasetInfo(
            features=features(config),
            splits=splits,
            config_name=config,
            download_size=download,
            dataset_size=nbytes.total(),
        )
        infos.append(info._to_yaml_dict())
        if config == inv.DEFAULT_CONFIG:
            size_category = next((name for limit, name in SIZE_CATEGORIES if rows.total() < limit), "n>1M")
    meta = {"size_categories": [size_category], "configs": configs, "dataset_info": infos}
    return yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, width=1000)


def structure_blocks(data: Path) -> dict[str, str]:
    """The blocks that describe the data: targets, structure (fields and an example row of every
    config), citation."""
    parts = []
    for config in inv.CONFIGS:
        fields = [
            [f"`{name}`", feature_type(f), DESCRIPTIONS[config][name]] for name, f in features(config).items()
        ]
        example = json.dumps(_short(_example(data, config)), ensure_ascii=False, indent=1)
        default = " (default)" if config == inv.DEFAULT_CONFIG else ""
        fields = table("field | type | description", fields)
        parts.append(words("structure", config=config, default=default, table=fields, example=example))
    return {
        "targets": block(table("target | definition", [[f"`{t}`", d] for t, d in inv.TARGETS.items()])),
        "structure": block(*parts),
        "citation": block(words("citation", year=inv.RELEASED[:4], version=inv.DATASET_VERSION)),
    }


# --------------------------------------------------------------------------- baseline results


def _f(v) -> str:
    return "n/a" if v is None else f"{v:.3f}"


def _ci(m: dict) -> str:
    lo, hi = m.get("ci") or (None, None)
    return f"{_f(m['value'])} [{_f(lo)}, {_f(hi)}]"


def _diff(e: dict) -> str:
    lo, hi = e.get("ci") or (None, None)
    return f"{e['difference']:+.3f}" + (f" [{lo:+.3f}, {hi:+.3f}]" if lo is not None else "")


def _mean_sd(report: dict) -> str:
    return f"{_f(report['over_folds']['f_avg']['mean'])} ± {_f(report['over_folds']['f_avg']['sd'])}"


def _support(per_target: dict) -> str:
    """The gold against/favor rows of every target."""
    return ", ".join(
        f"`{t}` {per_target[t]['support']['against']}/{per_target[t]['support']['favor']}"
        for t in inv.TARGETS
    )


def _lodo(runs: dict) -> str:
    lodo = {n: run["report"] for n, run in runs.items()}
    first = next(iter(lodo.values()))
    pooled = first["pooled"]
    rows, per_target = [], []
    for n, r in lodo.items():
        m = r["pooled"]["metrics"]
        lo, hi = r["pooled"].get("document_bootstrap", {}).get("metrics", {}).get("f_avg", [None, None])
        rows.append([f"`{n}`", _mean_sd(r), _ci(m["f_avg"]), f"[{_f(lo)}, {_f(hi)}]", _ci(m["macro_f1"])])
        rows[-1].append(_f(m["accuracy"]["value"]))
        per_target.append([f"`{n}`", *(_ci(r["pooled"]["per_target"][t]["f_avg"]) for t in inv.TARGETS)])
    header = "baseline | F_avg over folds | pooled F_avg [sentences] | [documents] | pooled macro-F1"
    return words(
        "lodo",
        first=first,
        pooled=pooled,
        units=pooled.get("document_bootstrap", {}).get("units", "—"),
        table=table(f"{header} | pooled accuracy", rows),
        support=_support(pooled["per_target"]),
        per_target=table(f"baseline | {TARGET_COLUMNS}", per_target),
    )


def _loto(runs: dict) -> str:
    rows = []
    for n, entry in runs.items():
        r = entry["report"]
        folds = [_f(r["folds"][t]["f_avg"]) if t in r["folds"] else "—" for t in inv.TARGETS]
        rows.append(
            [f"`{n}`", entry.get("model", ""), _mean_sd(r), _ci(r["pooled"]["metrics"]["f_avg"]), *folds]
        )
    return words(
        "loto", table=table(f"baseline | model | F_avg over targets | pooled F_avg | {TARGET_COLUMNS}", rows)
    )


def _comparisons(comparisons: dict) -> str:
    rows = []
    for protocol in ("lodo", "loto", "split"):
        for e in (comparisons.get(protocol) or {}).values():
            f, m = e["f_avg"], e["macro_f1"]
            significant = "**yes**" if f.get("significant") else "no"
            rows.append([protocol, f"`{e['b']}` − `{e['a']}`", _diff(f), f"{f['p']:.4f}", significant])
            rows[-1] += [_diff(m), f"{m['p']:.4f}"]
    permutations = next(iter(next(iter(comparisons.values())).values()))["randomization"]["assignments"]
    header = "protocol | B − A | Δ F_avg [95%] | p | significant | Δ macro-F1 [95%] | p"
    return words("comparisons", permutations=permutations, table=table(header, rows))


def _split(runs: dict) -> str:
    split = {n: run["report"] for n, run in runs.items()}
    rows, per_target = [], []
    for n, r in split.items():
        m = r["metrics"]
        rows.append([f"`{n}`", _ci(m["f_avg"]), _ci(m["macro_f1"]), _f(m["accuracy"]["value"])])
        per_target.append([f"`{n}`", *(_f(r["per_target"][t]["f_avg"]["value"]) for t in inv.TARGETS)])
    first = next(iter(split.values()))
    return words(
        "split",
        first=first,
        table=table("baseline | test F_avg | test macro-F1 | test accuracy", rows),
        support=_support(first["per_target"]),
        per_target=table(f"baseline | {TARGET_COLUMNS}", per_target),
    )


def benchmark_blocks(data: Path, results_file: Path) -> dict[str, str]:
    """The benchmark, holders_baseline, models and ner_baseline blocks ({} without a results file)."""
    if not results_file.is_file():
        return {}
    results = json.loads(results_file.read_text(encoding="utf-8"))
    stale = [] if results_match(results, data) else [words("stale")]
    out = {}
    if stance := results.get("stance"):
        runs = {p: {n: b[p] for n, b in stance.items() if p in b} for p in ("lodo", "loto", "split")}
        parts = [(runs["lodo"], _lodo), (runs["loto"], _loto), (results.get("comparisons"), _comparisons)]
        parts = [write(found) for found, write in [*parts, (runs["split"], _split)] if found]
        if notes := [f"`{n}` — {b['not_run']}." for n, b in stance.items() if b.get("not_run")]:
            parts.append("\n".join(notes))
        out["benchmark"] = block(*stale, words("benchmark", version=results["dataset_version"]), *parts)
    if holders := results.get("holders"):
        rows = []
        for n, entry in holders.items():
            t, w, e = (entry["report"][k] for k in ("tuple", "tuple_without_holder", "evidence"))
            rows.append([f"`{n}`", _f(t["precision"]), _f(t["recall"]), _f(t["f1"]), _f(w["f1"])])
            rows[-1] += [_f(e["token_f1_over_gold"]), _f(e["token_f1_over_matched"])]
        header = "system | tuple P | tuple R | tuple F1 | F1 without holder | evidence F1 (gold)"
        systems = "\n".join(f"* `{n}`: {entry['description']}." for n, entry in holders.items())
        first = next(iter(holders.values()))["report"]
        scores = table(f"{header} | evidence F1 (matched)", rows)
        out["holders_baseline"] = block(
            *stale, words("holders_baseline", first=first, table=scores, systems=systems)
        )
    if models := {k: v for k, v in (results.get("models") or {}).items() if v}:
        rows = []
        for package, m in models.items():
            weights = [n for n in m["files"] if n.endswith((".safetensors", "/model", ".bin"))]
            digests = "; ".join(f"`{'/'.join(n.split('/')[-2:])}` {m['files'][n][:16]}…" for n in weights)
            rows.append([f"`{package}`", m["version"], m["used_by"], len(m["files"]), digests])
        out["models"] = block(*stale, table("package | version | used by | files | weights (sha256)", rows))
    if ner := results.get("ner"):
        report = ner["report"]["all"]
        scores = [(f"`{t}`", v) for t, v in report["per_type"].items() if t in inv.ENTITY_TYPES]
        scores.append(("**all types**", report["micro"]))
        rows = [
            [t, v["gold"], v["predicted"], _f(v["precision"]), _f(v["recall"]), _f(v["f1"])]
            for t, v in scores
        ]
        out["ner_baseline"] = block(
            *stale,
            words(
                "ner_baseline",
                model=ner["model"],
                types=len(inv.ENTITY_TYPES),
                test=_f(ner["report"]["test"]["micro"]["f1"]),
                all=_f(report["micro"]["f1"]),
                untyped=_f(report["spans_untyped"]["f1"]),
                table=table("type | gold | predicted | precision | recall | F1", rows),
            ),
        )
    return out


# --------------------------------------------------------------------------- the files


def blocks(layout: Layout) -> dict[str, str]:
    """Every generated block but the README's pipeline diagram."""
    data = layout.data
    generated = {**count_blocks(data), **structure_blocks(data), "hub": hub_yaml(data)}
    return generated | benchmark_blocks(data, layout.baseline_results)


def render(text: str, generated: dict[str, str]) -> str:
    """The text with every block named in generated rewritten (other blocks as they are)."""
    return BLOCK.sub(lambda m: m["open"] + generated.get(m["name"], m["body"]) + m["close"], text)


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
