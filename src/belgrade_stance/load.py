"""The loader: the package's API to the shipped Parquet files.

    import belgrade_stance
    df = belgrade_stance.load("stance", split="test")                   # pandas DataFrame
    every = belgrade_stance.load("stance", split="all")                 # every split in one DataFrame
    tables = belgrade_stance.load("sentences", format="arrow")          # {split: pyarrow.Table}
    ds = belgrade_stance.load("stance", format="datasets")              # datasets.DatasetDict

Rows and features are those of the Hugging Face folder (`datasets.load_dataset(DIR, config)`):
label columns hold ClassLabel indices; `features(config)` gives their names.
"""

from __future__ import annotations

import re
from pathlib import Path

from belgrade_stance.errors import LoadError, clip
from belgrade_stance.paths import packaged_data_dir
from belgrade_stance.verify import read_checked, read_manifest

FORMATS = ("pandas", "arrow", "datasets")
SLICE = re.compile(r"(?P<split>\w+)\[(?P<start>-?[0-9]{0,18}):(?P<stop>-?[0-9]{0,18})\]")
"""A slice of a split's rows, as in `datasets`: train[:10], test[5:20], validation[-3:]."""
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
    split: "train", "validation", "test", or "all" (the rows of every split, in that order, in
        one table); None (the default) gives a dict of split → table (for "datasets" a DatasetDict).
        A slice of a split's rows as in `datasets`: "train[:10]", "test[5:20]", "all[-3:]".
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
    rows = slice(None)
    if isinstance(split, str) and (sliced := SLICE.fullmatch(split)):
        split = sliced["split"]
        rows = slice(*(int(v) if v else None for v in (sliced["start"], sliced["stop"])))
    if split is not None and split not in [*valid, "all"]:
        raise LoadError(
            "unknown-split",
            f"unknown split {clip(split)} of config {config!r}; valid splits: "
            f"{', '.join(valid)}, all (or a slice such as {valid[0]}[:10])",
        )
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
    wanted = valid if split in (None, "all") else [split]
    tables = {s: read_checked(data, m["configs"][config][s], verify) for s in wanted}
    if split == "all":
        import pyarrow as pa

        tables = {"all": pa.concat_tables(tables.values())}
    if rows != slice(None):
        n = tables[split].num_rows
        start, stop, _ = rows.indices(n)
        if stop < start or (rows.start or 0) >= n:  # bounds reversed, or past the end; [:0] asks for none
            raise LoadError("empty-slice", f"{sliced[0]} selects none of the {n} rows of {split}")
        tables[split] = tables[split].slice(start, stop - start)
    if read_manifest(data) != m:  # a build swapped the folder while its files were read
        raise LoadError("data-changed", "was rebuilt while it was read; load again", str(data))
    if labels == "names":
        from belgrade_stance.names import with_names

        tables = {s: with_names(t, m["features"][config]) for s, t in tables.items()}
    if format == "arrow":
        out = tables
    elif format == "pandas":
        # converted in this thread: a threaded conversion can leave Arrow pool threads that abort the
        # interpreter at exit ("terminate called without an active exception")
        out = {s: t.to_pandas(use_threads=False) for s, t in tables.items()}
    else:
        from datasets import Dataset, DatasetDict, Features, Split
        from datasets.info import DatasetInfo

        info = DatasetInfo(features=Features.from_dict(m["features"][config]), config_name=config)
        out = DatasetDict({s: Dataset(t, info=info, split=Split(s)) for s, t in tables.items()})
    return out[split] if split is not None else out
