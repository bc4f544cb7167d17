"""belgrade_stance.load: formats, clear errors, verification against the manifest."""

from __future__ import annotations

import importlib
import re
import shutil
import subprocess
import sys

import pandas as pd
import pyarrow as pa
import pytest

import belgrade_stance
from belgrade_stance import LoadError
from belgrade_stance.paths import packaged_data_dir, split_file
from belgrade_stance_schema.inventory import CONFIGS, DEFAULT_CONFIG, SPLITS, TARGETS
from helpers import ROOT


def test_the_default_is_the_stance_config_as_pandas():
    df = belgrade_stance.load(split="test")
    assert isinstance(df, pd.DataFrame)
    path = split_file(packaged_data_dir(), DEFAULT_CONFIG, "test")
    assert df.equals(pd.read_parquet(path).astype(df.dtypes))  # ints as pandas' nullable Int types
    assert set(df["target"]) == set(TARGETS)


@pytest.mark.parametrize("config", CONFIGS)
def test_every_format_gives_the_same_rows(config):
    arrow = belgrade_stance.load(config, format="arrow")
    frames = belgrade_stance.load(config)
    ds = belgrade_stance.load(config, format="datasets")
    assert list(arrow) == list(frames) == list(ds) == list(SPLITS)
    for s in SPLITS:
        assert isinstance(arrow[s], pa.Table)
        assert arrow[s].to_pylist() == ds[s].to_list()
        ints = {f.name: f"Int{f.type.bit_width}" for f in arrow[s].schema if pa.types.is_integer(f.type)}
        assert {c: str(frames[s][c].dtype) for c in ints} == ints  # holder_start: Int32 with <NA>, no float
        assert frames[s].equals(arrow[s].to_pandas().astype(ints))


def test_unknown_config_split_or_format_lists_the_valid_ones():
    with pytest.raises(LoadError, match="valid configs: stance, documents, holders, sentences"):
        belgrade_stance.load("tweets")
    with pytest.raises(LoadError, match="valid splits: train, validation, test, all, slices and sums"):
        belgrade_stance.load("stance", split="dev")
    with pytest.raises(LoadError, match="valid formats: pandas, arrow, datasets"):
        belgrade_stance.load("stance", format="polars")


def test_a_missing_extra_is_a_clear_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "pandas", None)  # import pandas now raises ImportError
    with pytest.raises(LoadError, match=r"pip install 'belgrade-stance\[pandas\]'"):
        belgrade_stance.load("stance", split="test")
    assert belgrade_stance.load("stance", split="test", format="arrow").num_rows > 0


def _flipped_copy(tmp_path, position_of, config="stance", split="test"):
    data = tmp_path / "data"
    if not data.exists():
        shutil.copytree(packaged_data_dir(), data)
    p = data / config / f"{split}.parquet"
    original = (packaged_data_dir() / config / f"{split}.parquet").read_bytes()
    b = bytearray(original)
    pos, bit = position_of(len(b))
    b[pos] ^= 1 << bit
    p.write_bytes(bytes(b))
    return data


def test_the_default_load_catches_a_flipped_bit_anywhere_in_a_file(tmp_path):
    """Every single-bit flip, wherever it falls (header, pages, footer), is refused by default;
    the file is never parsed into a silently different table."""
    import random

    rng = random.Random(2016)
    for _ in range(200):
        data = _flipped_copy(tmp_path, lambda n: (rng.randrange(n), rng.randrange(8)))
        with pytest.raises(LoadError, match=r"\[sha256-mismatch\]"):
            belgrade_stance.load("stance", "test", format="arrow", data_dir=data)


def test_verify_false_reads_without_the_check(tmp_path):
    data = _flipped_copy(tmp_path, lambda n: (n - 1, 0))  # the last byte of the footer magic
    with pytest.raises(LoadError, match=r"\[sha256-mismatch\]"):
        belgrade_stance.load("stance", "test", format="arrow", data_dir=data)
    with pytest.raises((OSError, ValueError)):  # unchecked, the broken footer is pyarrow's (ArrowInvalid)
        belgrade_stance.load("stance", "test", format="arrow", data_dir=data, verify=False)


def test_the_scorer_refuses_gold_files_that_changed(tmp_path, capsys):
    from belgrade_stance.cli import main

    data = _flipped_copy(tmp_path, lambda n: (n // 2, 3))
    pred = ROOT / "results" / "predictions" / "tfidf-lr" / "split.jsonl"
    with pytest.raises(LoadError, match=r"\[sha256-mismatch\]"):
        belgrade_stance.evaluate(pred, data_dir=data, samples=0)
    assert main(["evaluate", str(pred), "--data", str(data), "--samples", "0"]) == 1  # a bad input
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "[sha256-mismatch]" in err[0]


def test_split_strings_select_the_rows_datasets_selects():
    from datasets import ReadInstruction

    ids = {s: t["id"].to_pylist() for s, t in belgrade_stance.load("stance", format="arrow").items()}
    ids["all"] = [i for s in SPLITS for i in ids[s]]
    specs = ["test[5:20]", "test[-3:]", "train[:10%]", "test[10:50%]", "train[:10%]+validation", "all[-3:]"]
    specs += [f"validation[{a}%:{a + 25}%] + test[-{a + 5}%:]" for a in range(0, 76, 5)]  # 25.5 rows: 26
    for spec in specs:
        where = ReadInstruction.from_spec(spec).to_absolute({s: len(v) for s, v in ids.items()})
        want = [i for w in where for i in ids[w.splitname][w.from_ : w.to]]
        assert belgrade_stance.load("stance", split=spec, format="arrow")["id"].to_pylist() == want, spec
    test = belgrade_stance.load("stance", split="test")
    assert belgrade_stance.load("stance", split="test[:10]").equals(test.iloc[:10].reset_index(drop=True))


def test_split_all_is_every_split_in_one_table_and_no_split_a_dict_of_them():
    parts = belgrade_stance.load("holders", labels="names")
    assert list(parts) == list(SPLITS)
    every = belgrade_stance.load("holders", split="all", labels="names")
    assert every.equals(pd.concat(parts.values(), ignore_index=True))
    assert belgrade_stance.load("holders", split="all[-3:]", format="arrow").num_rows == 3
    assert belgrade_stance.load("holders", split="all", format="datasets").split == "all"


def test_the_viewer_and_export_folders_the_readme_names_are_git_ignored():
    ignored = (ROOT / ".gitignore").read_text(encoding="utf-8").split()
    named = set(re.findall(r"--out ([a-z]+)", (ROOT / "README.md").read_text(encoding="utf-8")))
    assert {"exports", "site"} <= named and all(f"/{f}/" in ignored for f in named)


def test_version_and_module_entry_point(capsys):
    from belgrade_stance.cli import main

    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0 and not hasattr(belgrade_stance, "version")  # __version__ only
    assert capsys.readouterr().out.strip() == f"belgrade-stance {belgrade_stance.__version__}"
    proc = subprocess.run(
        [sys.executable, "-m", "belgrade_stance", "evaluate", "-h"], capture_output=True, text=True
    )
    assert proc.returncode == 0 and proc.stdout.count("95%") == 1 and "%%" not in proc.stdout


@pytest.mark.parametrize("config", ["stance", "holders", "sentences", "documents"])
def test_label_names_equal_the_datasets_class_labels(config):
    """Every ClassLabel column, nested ones included, decodes as datasets' int2str does."""
    feats = belgrade_stance.features(config)
    ids = belgrade_stance.load(config, split="test")
    named = belgrade_stance.load(config, split="test", labels="names")
    paths = belgrade_stance.label_names(config)
    checked = 0
    for path, names in paths.items():
        column, _, inner = path.partition(".")
        listed = hasattr(feats[column], "feature")  # a list column (of labels or of structs)
        f = feats[column].feature if listed else feats[column]
        label = f[inner] if inner else f
        assert label.names == names, path
        for a, b in zip(ids[column], named[column]):
            if inner:
                assert [label.int2str(x[inner]) for x in a] == [y[inner] for y in b], path
            elif listed:
                assert [label.int2str(int(x)) for x in a] == list(b), path
            elif a is None or a != a:
                assert b != b or b is None
            else:
                assert label.int2str(int(a)) == b, path
            checked += 1
    assert checked or not paths
    for column in named.columns:
        if column in paths and not hasattr(feats[column], "feature"):  # a top-level label: a Categorical
            assert list(named[column].cat.categories) == paths[column]


@pytest.mark.parametrize(
    "kwargs, rule",
    [
        ({"data_dir": "data\0x"}, "bad-argument"),
        ({"split": f"test[{'1' * 5000}:]"}, "unknown-split"),
        ({"split": "test[1:2:3]"}, "unknown-split"),
        ({"split": "test[101%:]"}, "unknown-split"),
        ({"split": "train+test[5:2]"}, "empty-slice"),
        ({"split": "test[900:]"}, "empty-slice"),
        ({"split": "test[:0]"}, "empty-slice"),
        ({"split": "test[0%:0%]"}, "empty-slice"),
        ({"labels": "strings"}, "bad-argument"),
        ({"format": "datasets", "labels": "names"}, "bad-argument"),  # its features carry the names
    ],
)
def test_a_bad_request_is_one_short_load_error(kwargs, rule):
    with pytest.raises(LoadError) as e:
        belgrade_stance.load("stance", **kwargs)
    assert e.value.rule == rule and len(str(e.value)) < 300


def test_a_load_that_straddles_a_rebuild_fails_rather_than_mixing(tmp_path, monkeypatch):
    loader = importlib.import_module("belgrade_stance.load")  # the module, not the function
    data = shutil.copytree(packaged_data_dir(), tmp_path / "data")
    read = loader.read_checked

    def read_then_rebuild(folder, entry, verify):  # a build swaps in new data after the first file
        (data / "manifest.json").write_text((data / "manifest.json").read_text().replace("0.", "9.", 1))
        return read(folder, entry, verify)

    monkeypatch.setattr(loader, "read_checked", read_then_rebuild)
    with pytest.raises(LoadError, match=r"\[data-changed\]"):
        belgrade_stance.load("stance", data_dir=data, verify=False)
