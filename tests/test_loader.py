"""belgrade_stance.load: formats, clear errors, verification against the manifest."""

from __future__ import annotations

import shutil
import sys

import pandas as pd
import pyarrow as pa
import pytest

import belgrade_stance
from belgrade_stance import LoadError
from belgrade_stance.paths import packaged_data_dir, split_file
from belgrade_stance_schema.inventory import CONFIGS, DEFAULT_CONFIG, SPLITS, TARGETS


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
    with pytest.raises(Exception):  # unchecked, the broken footer is pyarrow's to report
        belgrade_stance.load("stance", "test", format="arrow", data_dir=data, verify=False)


def test_the_scorer_refuses_gold_files_that_changed(tmp_path, capsys):
    from belgrade_stance.cli import main
    from helpers import ROOT

    data = _flipped_copy(tmp_path, lambda n: (n // 2, 3))
    pred = ROOT / "results" / "predictions" / "tfidf-lr" / "split.jsonl"
    with pytest.raises(LoadError, match=r"\[sha256-mismatch\]"):
        belgrade_stance.evaluate(pred, data_dir=data, samples=0)
    assert main(["evaluate", str(pred), "--data", str(data), "--samples", "0"]) == 1  # a bad input
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "[sha256-mismatch]" in err[0]
