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
    with pytest.raises(LoadError, match="valid configs: stance, documents, sentences"):
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
