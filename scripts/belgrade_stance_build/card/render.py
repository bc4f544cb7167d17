"""The generated blocks of DATASET_CARD.md and README.md, between `<!-- generated:NAME -->` and
`<!-- /generated:NAME -->` (`# generated:NAME` lines in the card's YAML front matter): every number
they state, from data/ and results/baselines.json, in the wording of card/blocks.md."""

from __future__ import annotations

import html
import json
import re
from collections import Counter
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import yaml
from datasets import ClassLabel, DatasetInfo, List
from datasets.info import DatasetInfosDict
from datasets.utils.metadata import MetadataConfigs
from huggingface_hub import DatasetCardData

from belgrade_stance.errors import DatasetError, clip
from belgrade_stance.files import atomic_write
from belgrade_stance.paths import split_file
from belgrade_stance_build.baselines.provenance import results_match
from belgrade_stance_build.layout import HUB, Layout
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
COLUMNS = dict(target_columns=" | ".join(f"`{t}`" for t in inv.TARGETS), split_columns=" | ".join(inv.SPLITS))
SIZE_CATEGORIES = ((1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K"), (1_000_000, "100K<n<1M"))
EXAMPLE_CHARS, EXAMPLE_ITEMS = 100, 3  # example rows cut strings and lists to these lengths


def escape(cell) -> str:
    """A table cell that Markdown shows as it is: HTML's special characters as entities, `\\` and `|`
    escaped (GitHub ends a cell at every unescaped `|`, inside code spans too)."""
    return html.escape(str(cell), quote=False).replace("\\", "\\\\").replace("|", "\\|")


class Rows(list):
    """Table rows that str.format writes as a Markdown table, every cell escaped, under the header of
    the format spec."""

    def __format__(self, header: str) -> str:
        lines = [f"| {header} |", "|" + "|".join(" --- " for _ in header.split(" | ")) + "|"]
        return "\n".join(lines + ["| " + " | ".join(map(escape, row)) + " |" for row in self])


def words(name: str, **values) -> str:
    """A part of card/blocks.md filled with the values (lists as tables), as a block or part of one."""
    values = {k: Rows(v) if isinstance(v, list) else v for k, v in values.items()}
    return WORDING[name].strip("\n").format(**COLUMNS, **values) + "\n"


def read(data: Path, config: str, columns: list[str] | None = None) -> pa.Table:
    """Every split of a config (or some columns of it), as one table."""
    return pa.concat_tables(pq.read_table(split_file(data, config, s), columns=columns) for s in inv.SPLITS)


def items(table: pa.Table, column: str, fields: list[str]) -> pa.Table:
    """One row per item of a list-of-structs column: its split and the given fields."""
    flat = pc.list_flatten(table[column])
    split = table["split"].take(pc.list_parent_indices(table[column]))
    return pa.table({"split": split, **{f: pc.struct_field(flat, f) for f in fields}})


def count(table: pa.Table, *columns: str) -> Counter:
    """Rows per value (one column) or combination of values (a tuple) of the columns; 0 for an
    absent one. Counted by Arrow, so memory stays with the columns, not with Python objects."""
    grouped = table.select(list(columns)).group_by(list(columns)).aggregate([([], "count_all")]).to_pylist()
    if len(columns) == 1:
        return Counter({row[columns[0]]: row["count_all"] for row in grouped})
    return Counter({tuple(row[c] for c in columns): row["count_all"] for row in grouped})


def _labels(counts: Counter, *key) -> str:
    return " / ".join(str(counts[(*key, i)]) for i in range(len(inv.STANCE_LABELS)))


def count_blocks(data: Path) -> dict[str, str]:
    """The blocks that count the data."""
    columns = ["doc_id", "outlet", "publisher", "date", "date_precision", "split", "fold", "n_sentences"]
    docs = read(data, "documents", columns).to_pylist()
    stance = read(data, "stance", ["doc_id", "target", "label", "mixed", "passes_agree", "split", "holders"])
    sentences = read(data, "sentences", ["split", "entities"])
    mentions = items(sentences, "entities", ["label", "entity_id"])
    held = count(items(stance, "holders", ["holder_type"]), "holder_type")
    rows = stance.drop_columns(["holders"])
    frames = (read(data, "documents", ["split"]), sentences.select(["split"]), mentions, rows)
    per_split = [count(frame, "split") for frame in frames]
    sizes = [[s, *(c[s] for c in per_split)] for s in inv.SPLITS]
    sizes.append(["**all**", *(c.total() for c in per_split)])
    labels, split_labels = count(rows, "split", "target", "label"), count(rows, "split", "label")
    per_target = [[f"`{t}`", *(_labels(labels, s, t) for s in inv.SPLITS)] for t in inv.TARGETS]
    per_target.append(["**all**", *(_labels(split_labels, s) for s in inv.SPLITS)])
    types, doc_rows = count(mentions, "label"), count(rows, "doc_id")
    entities = [[f"`{k}`", types[i]] for i, k in enumerate(inv.ENTITY_TYPES)]
    doc_labels, doc_targets = count(rows, "doc_id", "label"), count(rows, "doc_id", "target", "label")
    folds, documents = [], []
    for d in docs:
        doc = d["doc_id"]
        against_favor = [f"{doc_targets[(doc, t, 1)]}/{doc_targets[(doc, t, 2)]}" for t in inv.TARGETS]
        folds.append([d["fold"], f"`{doc}`", d["split"], doc_rows[doc], _labels(doc_labels, doc)])
        folds[-1] += against_favor
        row = [f"`{doc}`", d["outlet"] or "—", d["publisher"] or "—", d["date"], d["date_precision"]]
        documents.append([*row, d["split"], d["fold"], d["n_sentences"]])
    years = sorted({d["date"][:4] for d in docs})
    span = years[0] if len(years) == 1 else f"{years[0]}–{years[-1]}"
    a = json.loads((data / "agreement.json").read_text(encoding="utf-8"))
    per_pass = [
        [f"`{t}`", v["items"], f"{v['kappa']:.3f}", f"{v['percent_agreement']:.3f}"]
        + [v["favor_against_a"], v["favor_against_b"]]
        for t, v in a["per_target"].items()
    ]
    differ = pc.sum(pc.equal(rows["passes_agree"], False)).as_py() or 0  # items whose passes differ
    return {
        "summary": words("summary", documents=len(docs), years=span, targets=len(inv.TARGETS), a=a),
        "crossing": crossing(read(data, "holders", ["holder", "holder_type", "split"])),
        "limits": words("limits", documents=len(docs), years=len(years), test=per_split[0]["test"]),
        "sizes": words("sizes", rows=sizes),
        "labels": words(
            "labels", rows=per_target, total=count(rows, "label"), mixed=pc.sum(rows["mixed"]).as_py()
        ),
        "holders": words("holders", rows=[[f"`{k}`", held[i]] for i, k in enumerate(inv.HOLDER_TYPES)]),
        "entities": words(
            "entities",
            rows=entities,
            mentions=mentions.num_rows,
            ids=pc.count_distinct(mentions["entity_id"]).as_py(),
        ),
        "folds": words("folds", rows=sorted(folds)),
        "documents": words("documents", rows=sorted(documents)),
        "agreement": words("agreement", a=a, documents=len(a["documents"]), differ=differ, rows=per_pass),
    }


def crossing(holders: pa.Table) -> str:
    """The block of the entity and group holders with favor/against records in more than one split."""
    n, types = count(holders, "holder", "holder_type", "split"), list(inv.HOLDER_TYPES)
    keys = sorted({k[:2] for k in n if types[k[1]] != "author"})  # the author is each article's own
    rows = [[f"`{h}`", types[t], *(n[(h, t, s)] for s in inv.SPLITS)] for h, t in keys]
    rows = [row for row in rows if sum(map(bool, row[2:])) > 1]
    return words("crossing", holders=len(rows), rows=rows)


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


def hub_yaml(data: Path) -> str:
    """The card's YAML keys that the Hub and `datasets` read, written by `datasets`' MetadataConfigs and
    DatasetInfosDict: size_categories, configs (`stance` the default) and dataset_info (features, sizes)."""
    configs, infos = MetadataConfigs(), DatasetInfosDict()
    for config in inv.CONFIGS:
        default = {"default": True} if config == inv.DEFAULT_CONFIG else {}
        files = [{"split": s, "path": f"{config}/{s}.parquet"} for s in inv.SPLITS]
        configs[config] = {**default, "data_files": files}
        files = {s: pq.ParquetFile(split_file(data, config, s)) for s in inv.SPLITS}  # a row group at a time
        nbytes = {
            s: sum(f.read_row_group(i).nbytes for i in range(f.num_row_groups)) for s, f in files.items()
        }
        splits = [
            {"name": s, "num_bytes": nbytes[s], "num_examples": f.metadata.num_rows} for s, f in files.items()
        ]
        infos[config] = DatasetInfo(
            features=features(config),
            splits=splits,
            download_size=sum(split_file(data, config, s).stat().st_size for s in inv.SPLITS),
            dataset_size=sum(nbytes.values()),  # the Arrow size, as `datasets` counts it
        )
        if config == inv.DEFAULT_CONFIG:
            rows = sum(f.metadata.num_rows for f in files.values())
            size_category = next((name for limit, name in SIZE_CATEGORIES if rows < limit), "n>1M")
    card = DatasetCardData(size_categories=[size_category])
    configs.to_dataset_card_data(card)
    infos.to_dataset_card_data(card)
    return yaml.safe_dump(card.to_dict(), sort_keys=False, allow_unicode=True, width=1000)


def first_row(data: Path, config: str) -> dict:
    """The config's first row (for the default config: its first favor/against row), read a row
    group at a time."""
    for split in inv.SPLITS:
        file = pq.ParquetFile(split_file(data, config, split))
        for i in range(file.num_row_groups):
            rows = file.read_row_group(i)
            if config == inv.DEFAULT_CONFIG:
                rows = rows.filter(pc.greater(pc.list_value_length(rows["holders"]), 0))
            if rows.num_rows:
                return rows.slice(0, 1).to_pylist()[0]
    raise ValueError(f"{config} has no row to show")


def structure_blocks(data: Path) -> dict[str, str]:
    """The blocks that describe the data: targets and structure (every config's fields and a row)."""
    parts = []
    for config in inv.CONFIGS:
        fields = [
            [f"`{name}`", feature_type(f), DESCRIPTIONS[config][name]] for name, f in features(config).items()
        ]
        example = json.dumps(_short(first_row(data, config)), ensure_ascii=False, indent=1)
        default = " (default)" if config == inv.DEFAULT_CONFIG else ""
        parts.append(words("structure", config=config, default=default, rows=fields, example=example))
    return {
        "targets": words("targets", rows=[[f"`{t}`", d] for t, d in inv.TARGETS.items()]),
        "structure": "\n".join(parts),
    }


def release_blocks(layout: Layout) -> dict[str, str]:
    """The citation block (BibTeX from CITATION.cff) and the changelog (CHANGELOG.md's releases); CITATION.cff
    and the PyPI page must give DATASET_VERSION, its CHANGELOG.md date and pyproject's Homepage."""
    version, url = inv.DATASET_VERSION, layout.hub_url()
    changelog = (layout.root / "CHANGELOG.md").read_text(encoding="utf-8")
    if not (dated := re.search(rf"\n## \[{re.escape(version)}\] - (\d{{4}}-\d\d-\d\d)\n", changelog)):
        raise DatasetError("changelog-missing", f"has no entry '## [{version}] - YYYY-MM-DD'", "CHANGELOG.md")
    try:
        cff = yaml.safe_load((layout.root / "CITATION.cff").read_text(encoding="utf-8"))
        citation = words("citation", cff=cff)
        said = (str(cff["version"]), str(cff["date-released"]), cff["url"])
    except (yaml.YAMLError, TypeError, KeyError, IndexError, ValueError) as e:  # not the CFF the card reads
        why = f"not a CFF file with title, authors, version, date-released and url ({clip(str(e))})"
        raise DatasetError("citation-unreadable", why, "CITATION.cff") from None
    if said != (version, dated[1], url):
        why = f"must give version {version}, date-released {dated[1]} (CHANGELOG.md), url {url} (Homepage)"
        raise DatasetError("citation-stale", why, "CITATION.cff")
    if set(re.findall(rf"{HUB}[\w.-]+/[\w.-]+", (layout.root / "docs/pypi.md").read_text("utf-8"))) != {url}:
        raise DatasetError("pypi-page-stale", f"must link the dataset at {url} (Homepage)", "docs/pypi.md")
    notes = changelog.partition("\n## ")[2].replace("\n#", "\n##")
    return {"citation": citation, "changelog": f"### {notes.strip()}\n"}


def _f(v) -> str:
    return "n/a" if v is None else f"{v:.3f}"


def _ci(m: dict) -> str:
    lo, hi = m.get("ci") or (None, None)
    return f"{_f(m['value'])} [{_f(lo)}, {_f(hi)}]"


def _diff(e: dict) -> str:
    lo, hi = e.get("ci") or (None, None)
    return f"{e['delta']:+.3f}" + (f" [{lo:+.3f}, {hi:+.3f}]" if lo is not None else "")


def _test(e: dict) -> list[str]:
    """Δ [95%], p and whether significant (the interval excludes 0 exactly when p < α)."""
    p = "≤ 0.001" if e["p"] <= 0.001 else f"{e['p']:.3f}"
    return [_diff(e), p, "**yes**" if e["significant"] else "no"]


def _mean_sd(report: dict) -> str:
    return f"{_f(report['over_folds']['f_avg']['mean'])} ± {_f(report['over_folds']['f_avg']['sd'])}"


def _support(per_target: dict) -> str:
    """The gold against/favor rows of every target."""
    support = {t: per_target[t]["support"] for t in inv.TARGETS}
    return ", ".join(f"`{t}` {s['against']}/{s['favor']}" for t, s in support.items())


def _ceiling(scores: dict) -> tuple[list, str]:
    """A per-target table's last row, the gold labels' own F_avg per target (the ceiling, † where below
    1), and the targets it marks."""
    below = [t for t in inv.TARGETS if scores[t]["oracle"] < 1]
    row = ["*gold labels (ceiling)*", *(_f(scores[t]["oracle"]) + " †" * (t in below) for t in inv.TARGETS)]
    return row, ", ".join(f"`{t}`" for t in below) or "none"


def _lodo(runs: dict, results: dict) -> str:
    rows, per_target = [], []
    for n, run in runs.items():
        r, m = run["report"], run["report"]["pooled"]["metrics"]
        t_ci = "[{}, {}]".format(*map(_f, r["over_folds"]["f_avg"]["t_ci"]))
        rows.append([f"`{n}`", _ci(m["f_avg"]), _mean_sd(r), t_ci, _ci(m["macro_f1"])])
        rows[-1].append(_f(m["accuracy"]["value"]))
        per_target.append([f"`{n}`", *(_ci(r["pooled"]["per_target"][t]["f_avg"]) for t in inv.TARGETS)])
    first = next(iter(runs.values()))["report"]
    pooled, df = first["pooled"], first["over_folds"]["f_avg"]["folds"] - 1
    ceiling, below = _ceiling(pooled["per_target"])
    values = {"first": first, "pooled": pooled, "df": df, "rows": rows, "mdd": results["detectable"]}
    values |= {"support": _support(pooled["per_target"]), "per_target": [*per_target, ceiling]}
    return words("lodo", **values, below=below)


def _loto(runs: dict, results: dict) -> str:
    rows = []
    for n, entry in runs.items():
        r = entry["report"]
        folds = [_f(r["folds"][t]["f_avg"]) for t in inv.TARGETS]
        pooled = _ci(r["pooled"]["metrics"]["f_avg"])
        rows.append([f"`{n}`", entry.get("model", ""), _mean_sd(r), pooled, *folds])
    first = next(iter(runs.values()))["report"]
    (name, *ceiling), below = _ceiling(first["folds"])
    mean = sum(first["folds"][t]["oracle"] for t in inv.TARGETS) / len(inv.TARGETS)
    return words("loto", rows=[*rows, [name, "—", _f(mean), _f(first["oracle"]), *ceiling]], below=below)


def _comparisons(comparisons: dict, results: dict) -> str:
    rows, per_target = [], []
    for protocol in ("lodo", "loto", "split"):
        for e in (comparisons.get(protocol) or {}).values():
            pair = f"`{e['b']}` − `{e['a']}`"
            rows.append([protocol, pair, *_test(e["f_avg"]), *_test(e["macro_f1"])])
            if protocol == "lodo":
                per_target.append([pair, *(_diff(e["per_target"][t]) for t in inv.TARGETS)])
    return words("comparisons", scorer=results["scorer"], rows=rows, per_target=per_target)


def _split(runs: dict, results: dict) -> str:
    rows, per_target = [], []
    for n, run in runs.items():
        r, m = run["report"], run["report"]["metrics"]
        rows.append([f"`{n}`", _ci(m["f_avg"]), _ci(m["macro_f1"]), _f(m["accuracy"]["value"])])
        per_target.append([f"`{n}`", *(_f(r["per_target"][t]["f_avg"]["value"]) for t in inv.TARGETS)])
    first = next(iter(runs.values()))["report"]
    (ceiling, below), support = _ceiling(first["per_target"]), _support(first["per_target"])
    return words(
        "split", first=first, rows=rows, support=support, per_target=[*per_target, ceiling], below=below
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
        parts = [write(found, results) for found, write in [*parts, (runs["split"], _split)] if found]
        if notes := [f"`{n}` — {b['not_run']}." for n, b in stance.items() if b.get("not_run")]:
            parts.append("\n".join(notes) + "\n")
        out["benchmark"] = "\n".join([words("benchmark", version=results["dataset_version"]), *parts])
    if holders := results.get("holders"):
        rows = []
        for n, entry in holders.items():
            t, e = entry["report"]["tuple"], entry["report"]["evidence"]
            f1 = [
                _f(entry["report"][k]["f1"]) for k in ("tuple", "tuple_holder_only", "tuple_without_holder")
            ]
            rows.append([f"`{n}`", _f(t["precision"]), _f(t["recall"]), *f1])
            rows[-1] += [_f(e["token_f1_over_gold"]), _f(e["token_f1_over_matched"])]
        systems = "\n".join(f"* `{n}`: {entry['description']}." for n, entry in holders.items())
        first = next(iter(holders.values()))["report"]
        out["holders_baseline"] = words("holders_baseline", first=first, rows=rows, systems=systems)
    if models := {k: v for k, v in (results.get("models") or {}).items() if v}:
        rows = []
        for package, m in models.items():
            weights = [n for n in m["files"] if n.endswith((".safetensors", "/model", ".bin"))]
            digests = "; ".join(f"`{'/'.join(n.split('/')[-2:])}` {m['files'][n][:16]}…" for n in weights)
            rows.append([f"`{package}`", m["version"], m["used_by"], len(m["files"]), digests])
        out["models"] = words("models", rows=rows)
    if ner := results.get("ner"):
        report = ner["report"]["all"]
        scores = [(f"`{t}`", v) for t, v in report["per_type"].items() if t in inv.ENTITY_TYPES]
        scores.append(("**all types**", report["micro"]))
        rows = [
            [t, v["gold"], v["predicted"], _f(v["precision"]), _f(v["recall"]), _f(v["f1"])]
            for t, v in scores
        ]
        out["ner_baseline"] = words(
            "ner_baseline",
            model=ner["model"],
            types=len(inv.ENTITY_TYPES),
            test=_f(ner["report"]["test"]["micro"]["f1"]),
            all=_f(report["micro"]["f1"]),
            untyped=_f(report["spans_untyped"]["f1"]),
            rows=rows,
        )
    return {name: "\n".join([*stale, text]) for name, text in out.items()}


def blocks(layout: Layout) -> dict[str, str]:
    """Every generated block but the README's stage diagram."""
    generated = {**count_blocks(layout.data), **structure_blocks(layout.data), "hub": hub_yaml(layout.data)}
    return generated | benchmark_blocks(layout.data, layout.baseline_results) | release_blocks(layout)


def render(text: str, generated: dict[str, str]) -> str:
    """The text with every block named in generated rewritten (other blocks as they are)."""
    return BLOCK.sub(lambda m: m["open"] + generated.get(m["name"], m["body"]) + m["close"], text)


def write_blocks(layout: Layout, stages: str) -> list[Path]:
    """Rewrite the generated blocks in card and README (stages: the stage diagram); return files changed."""
    generated = {**blocks(layout), "stages": stages}
    changed = []
    for path in filter(Path.is_file, (layout.card, layout.readme)):
        old = path.read_text(encoding="utf-8")
        if (new := render(old, generated)) != old:
            atomic_write(path, new)
            changed.append(path)
    return changed
