"""Agreement figures are recomputed from the shipped per-pass labels with scikit-learn."""

from __future__ import annotations

import json

import pandas as pd
from sklearn.metrics import cohen_kappa_score

from belgrade_stance_schema.inventory import STANCE_LABELS, TARGETS
from helpers import ROOT


def test_kappa_matches_the_shipped_pass_labels(built):
    agreement = json.loads((ROOT / "data" / "agreement.json").read_text())
    stance = pd.DataFrame(built["tables"]["stance"])
    kappa = cohen_kappa_score(stance["label_a"], stance["label_b"], labels=list(STANCE_LABELS))
    assert abs(kappa - agreement["stance_kappa"]) < 1e-12
    assert agreement["items"] == len(stance)
    for t in TARGETS:
        sub = stance[stance["target"] == t]
        pct = (sub["label_a"] == sub["label_b"]).mean()
        assert abs(pct - agreement["per_target"][t]["percent_agreement"]) < 1e-12


def test_passes_agree_flag(built):
    stance = pd.DataFrame(built["tables"]["stance"])
    assert (stance["passes_agree"] == (stance["label_a"] == stance["label_b"])).all()


def test_every_disagreement_is_adjudicated_with_a_reason(built):
    stance = pd.DataFrame(built["tables"]["stance"])
    disagreements = stance[~stance["passes_agree"].astype(bool)]
    records = [json.loads(line) for p in sorted((ROOT / "raw" / "adjudication").glob("*.jsonl"))
               for line in p.read_text(encoding="utf-8").splitlines()]
    keyed = {(r["sentence"], r["target"]): r for r in records if r["type"] == "stance"}
    for _, row in disagreements.iterrows():
        rec = keyed[(row["sentence_id"], row["target"])]
        assert rec["reason"].strip()
        assert rec["gold"] == row["label"]
