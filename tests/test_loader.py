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
    assert df.equals(pd.read_parquet(split_file(packaged_data_dir(), DEFAULT_CONFIG, "test")))
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
        assert frames[s].equals(arrow[s].to_pandas())


def test_unknown_config_split_or_format_lists_the_valid_ones():
    with pytest.raises(LoadError, match="valid configs: stance, documents, holders, sentences"):
        belgrade_stance.load("tweets")
    with pytest.raises(LoadError, match="valid splits: train, validation, test"):
        belgrade_stance.load("stance", split="dev")
    with pytest.raises(LoadError, match="valid formats: pandas, arrow, datasets"):
        belgrade_stance.load("stance", format="polars")


def test_a_missing_extra_is_a_clear_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "pandas", None)  # import pandas now raises ImportError
    with pytest.raises(LoadError, match=r"pip install 'belgrade-stance\[pandas\]'"):
        belgrade_stance.load("stance", split="test")
    assert belgrade_stance.load("stance", split="test", format="arrow").num_rows > 0


def test_verify_true_checks_the_files_against_the_manifest(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(packaged_data_dir(), data)
    assert belgrade_stance.load("stance", "test", format="arrow", verify=True, data_dir=data).num_rows > 0
    p = data / "stance" / "test.parquet"
    b = bytearray(p.read_bytes())
    b[len(b) // 2] ^= 1
    p.write_bytes(bytes(b))
    with pytest.raises(LoadError, match=r"stance/test.parquet: \[sha256-mismatch\]"):
        belgrade_stance.load("stance", "test", verify=True, data_dir=data)


def test_inventories_and_features_come_with_the_data():
    inv = belgrade_stance.inventories()
    assert inv["targets"] == TARGETS
    assert belgrade_stance.features("stance")["label"].names == inv["stance_labels"]
    assert belgrade_stance.configs()[0] == DEFAULT_CONFIG
    assert belgrade_stance.splits("sentences") == list(SPLITS)


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
    with pytest.raises(
        (OSError, ValueError)
    ):  # unchecked, the broken footer is pyarrow's to report (ArrowInvalid)
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


def test_split_slices_as_in_datasets():
    test = belgrade_stance.load("stance", split="test")
    assert belgrade_stance.load("stance", split="test[:10]").equals(test.iloc[:10].reset_index(drop=True))
    assert belgrade_stance.load("stance", split="test[5:20]").id.tolist() == test.id.iloc[5:20].tolist()
    assert belgrade_stance.load("stance", split="test[-3:]").id.tolist() == test.id.iloc[-3:].tolist()
    assert belgrade_stance.load("stance", split="test[:0]", format="arrow").num_rows == 0
    with pytest.raises(LoadError, match=r"valid splits: train, validation, test, all \(or a slice"):
        belgrade_stance.load("stance", split="dev[:3]")
    with pytest.raises(LoadError, match="unknown split"):
        belgrade_stance.load("stance", split="test[1:2:3]")


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


def test_verify_without_arguments_checks_the_shipped_data():
    assert belgrade_stance.verify() == []


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
        f = feats[column]
        label = (
            (f.feature[inner] if inner else f.feature)
            if hasattr(f, "feature")
            else (f[inner] if inner else f)
        )
        assert label.names == names, path
        for a, b in zip(ids[column], named[column]):
            if inner:
                assert [label.int2str(x[inner]) for x in a] == [y[inner] for y in b], path
            elif hasattr(f, "feature"):
                assert [label.int2str(int(x)) for x in a] == list(b), path
            elif a is None or a != a:
                assert b != b or b is None
            else:
                assert label.int2str(int(a)) == b, path
            checked += 1
    if paths:
        assert checked
    for column in named.columns:
        if column in paths and not hasattr(feats[column], "feature"):  # a top-level label: a Categorical
            assert list(named[column].cat.categories) == paths[column]


def test_labels_must_be_indices_or_names():
    with pytest.raises(LoadError, match="labels must be one of indices, names"):
        belgrade_stance.load("stance", split="test", labels="strings")
    with pytest.raises(LoadError, match="keeps ClassLabel features"):
        belgrade_stance.load("stance", split="test", format="datasets", labels="names")


def test_the_readme_use_blocks_run_as_written():
    """Every python block of the README's Use section (base install, datasets, polars and DuckDB)."""
    from test_install import use_blocks

    blocks = use_blocks()
    assert len(blocks) == 3
    scope: dict = {}
    for code in blocks:
        exec(compile(code, "README.md", "exec"), scope)
    assert list(scope["named"].label.cat.categories) == ["none", "against", "favor"]


@pytest.mark.parametrize(
    "kwargs, rule",
    [
        ({"data_dir": "data\0x"}, "bad-argument"),
        ({"split": f"test[{'1' * 5000}:]"}, "unknown-split"),
        ({"split": "test[5:2]"}, "empty-slice"),
        ({"split": "test[900:]"}, "empty-slice"),
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
