"""The loader: the package's API to the shipped Parquet files (the README's Use section shows it).
Rows and features are those of the Hugging Face folder (`datasets.load_dataset(DIR, config)`):
label columns hold ClassLabel indices; `features(config)` gives their names."""

from __future__ import annotations

import re
from pathlib import Path

from belgrade_stance.errors import LoadError, clip
from belgrade_stance.paths import packaged_data_dir
from belgrade_stance.verify import read_checked, read_manifest

FORMATS = ("pandas", "arrow", "datasets")
BOUND = r"(?:(?P<{0}>-?[0-9]{{1,18}})(?P<{0}_pct>%)?)?"
PART = re.compile(rf"(?P<split>\w+)(?P<sliced>\[{BOUND.format('start')}:{BOUND.format('stop')}\])?")
"""A part of a split string as datasets' ReadInstruction reads it: test, test[5:20], train[:10%], all[-3:]."""
EXTRAS = ("pandas", "datasets")  # the formats that need an extra of the same name


def data_folder(data_dir) -> Path:
    """The data folder asked for (a path), or the package's own."""
    if data_dir is None:
        return packaged_data_dir()
    try:
        if "\0" not in str(data_dir):
            return Path(data_dir)
    except TypeError:
        pass
    raise LoadError("bad-argument", f"data_dir must be a path to a data folder, not {clip(data_dir)}")


def manifest(data_dir: Path | None = None) -> dict:
    """The manifest of the shipped data: configs, splits, row counts, sha256, inventories.
    Raises LoadError if it is missing or malformed."""
    return read_manifest(data_folder(data_dir))


def _configs(m: dict) -> list[str]:
    """Config names, the default first."""
    return sorted(m["configs"], key=lambda c: (c != m["default_config"], c))


def _splits(m: dict, config: str) -> list[str]:
    """Split names of a config in the inventory's order (train, validation, test)."""
    order = m["inventories"]["splits"]
    return sorted(m["configs"][config], key=lambda s: (order.index(s) if s in order else len(order), s))


def configs(data_dir: Path | None = None) -> list[str]:
    return _configs(manifest(data_dir))


def splits(config: str | None = None, data_dir: Path | None = None) -> list[str]:
    m = manifest(data_dir)
    return _splits(m, _check_config(m, config))


def inventories(data_dir: Path | None = None) -> dict:
    """The label sets (targets with descriptions, stance labels, entity types, BIO tags, …)."""
    return manifest(data_dir)["inventories"]


def _require(extra: str):
    try:
        return __import__(extra)
    except ImportError:
        raise LoadError(
            "missing-extra",
            f"format={extra!r} needs the {extra!r} package: pip install 'belgrade-stance[{extra}]'",
        ) from None


def features(config: str | None = None, data_dir: Path | None = None):
    """The `datasets.Features` of a config (needs the datasets extra)."""
    _require("datasets")
    from datasets import Features

    m = manifest(data_dir)
    return Features.from_dict(m["features"][_check_config(m, config)])


def _check_config(m: dict, config: str | None) -> str:
    config = config or m["default_config"]
    if not isinstance(config, str) or config not in m["configs"]:
        raise LoadError(
            "unknown-config", f"unknown config {config!r}; valid configs: {', '.join(_configs(m))}"
        )
    return config


def label_names(config: str | None = None, data_dir: Path | None = None) -> dict[str, list[str]]:
    """Every ClassLabel column of a config (nested ones as `holders.label`) → its names, in index
    order: the way to decode label indices without `datasets`."""
    from belgrade_stance.names import class_labels

    m = manifest(data_dir)
    return class_labels(m["features"][_check_config(m, config)])


LABEL_FORMS = ("indices", "names")


def _selected(parts: list[re.Match], tables: dict):
    """One table of the rows the parts of a split string select, counted as datasets counts them: a % on
    either bound makes both percents, rounded to the closest row (round); a negative bound counts back."""
    import pyarrow as pa

    chosen = []
    for p in parts:
        table = pa.concat_tables(tables.values()) if p["split"] == "all" else tables[p["split"]]
        n, pct = table.num_rows, p["start_pct"] or p["stop_pct"]
        if pct and any(abs(int(p[b] or 0)) > 100 for b in ("start", "stop")):
            raise LoadError("unknown-split", f"{p[0]}: a percent bound must lie between -100% and 100%")
        at = [int(p[b]) if p[b] else d for b, d in (("start", 0), ("stop", n))]
        at = [round(x * n / 100.0) if pct and p[k] else x for x, k in zip(at, ("start", "stop"))]
        start, stop = (min(max(n + x, 0) if x < 0 else x, n) for x in at)
        if p["sliced"] and stop <= start:
            raise LoadError("empty-slice", f"{p[0]} selects none of the {n} rows of {p['split']}")
        chosen.append(table.slice(start, stop - start))
    return pa.concat_tables(chosen)


def load(
    config: str | None = None,
    split: str | None = None,
    format: str = "pandas",
    verify: bool = True,
    data_dir: Path | str | None = None,
    labels: str = "indices",
):
    """Load a config of the corpus.

    config: "stance" (default), "holders", "sentences" or "documents".
    split: None (the default) gives a dict {"train": table, "validation": …, "test": …} (for "datasets"
        a DatasetDict); "train", "validation", "test" or "all" (every split's rows in that order) one
        table, as does a split string as `datasets` reads it, sliced in rows or percent and summed:
        "train[:100]", "test[10%:50%]", "all[-3:]", "train[:10%]+validation" (no row: `empty-slice`).
    format: "pandas" (DataFrame), "arrow" (pyarrow.Table) or "datasets" (Dataset/DatasetDict).
    verify: check each file read against the manifest's sha256 and row count, on the very bytes
        parsed (the default); False reads the files unchecked.
    data_dir: another data folder with a manifest (default: the files shipped in the package).
    labels: "indices" (default; the ClassLabel indices, as the Hub folder holds them) or "names":
        every ClassLabel column, nested ones included, as its names (pandas: a Categorical in the
        inventory's order at the top level, strings inside lists and structs). Not for "datasets",
        whose features carry the names.
    """
    data = data_folder(data_dir)
    m = manifest(data)
    config = _check_config(m, config)
    valid = _splits(m, config)
    parts = [] if split is None else [PART.fullmatch(p) for p in re.split(r"\s*\+\s*", str(split))]
    if split is not None and not all(p and p["split"] in [*valid, "all"] for p in parts):
        raise LoadError(
            "unknown-split",
            f"unknown split {clip(split)} of config {config!r}; valid splits: {', '.join(valid)}, all, "
            f"slices and sums of them ({valid[0]}[:10%]+{valid[-1]}; no rounding suffix, no _ in numbers)",
        )
    split = "+".join(p[0] for p in parts) or None  # "a + b" as datasets names it: "a+b"
    if format not in FORMATS:
        raise LoadError("unknown-format", f"unknown format {format!r}; valid formats: {', '.join(FORMATS)}")
    if labels not in LABEL_FORMS:
        raise LoadError("bad-argument", f"labels must be one of {', '.join(LABEL_FORMS)}, not {labels!r}")
    if labels == "names" and format == "datasets":
        raise LoadError(
            "bad-argument",
            "labels='names' is for the pandas and arrow formats; a datasets "
            "Dataset keeps ClassLabel features (features[column].int2str)",
        )
    if format in EXTRAS:
        _require(format)
    asked = {p["split"] for p in parts}
    wanted = [s for s in valid if not asked or s in asked or "all" in asked]
    tables = {s: read_checked(data, m["configs"][config][s], verify) for s in wanted}
    if split is not None:
        tables = {split: _selected(parts, tables)}
    if read_manifest(data) != m:  # a build swapped the folder while its files were read
        raise LoadError("data-changed", "was rebuilt while it was read; load again", str(data))
    if labels == "names":
        from belgrade_stance.names import with_names

        tables = {s: with_names(t, m["features"][config]) for s, t in tables.items()}
    if format == "arrow":
        out = tables
    elif format == "pandas":
        import pandas as pd
        import pyarrow as pa

        # every int column as pandas' nullable Int type (a null is <NA>, not a float NaN); converted in
        # this thread: a threaded conversion can leave Arrow pool threads that abort the interpreter
        ints = {t: pd.api.types.pandas_dtype(str(t).capitalize()) for t in (pa.int32(), pa.int64())}
        out = {s: t.to_pandas(use_threads=False, types_mapper=ints.get) for s, t in tables.items()}
    else:
        from datasets import Dataset, DatasetDict, Features, Split
        from datasets.info import DatasetInfo

        info = DatasetInfo(features=Features.from_dict(m["features"][config]), config_name=config)
        out = DatasetDict({s: Dataset(t, info=info, split=Split(s)) for s, t in tables.items()})
    return out[split] if split is not None else out
