"""The LLM track: prompts read only the model's inputs, the parse rule, the converter's refusals, and
end to end offline: a tiny random LM through lm-evaluation-harness on the Hub folder, whose F_avg
equals `belgrade-stance evaluate` on the converted samples."""

from __future__ import annotations

import importlib.util
import json
import os
import string
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from belgrade_stance import cli, scoring
from belgrade_stance.llm import FIELDS, PROMPT_VERSION, PROMPTS, TASKS, parse, prompt
from helpers import ROOT, need


def test_prompts_read_only_the_allowed_inputs_and_are_versioned():
    named = {f for t in PROMPTS.values() for _, f, _, _ in string.Formatter().parse(t) if f}
    assert named <= set(FIELDS) <= set(scoring.INPUT_COLUMNS)
    doc = {"id": "x", "text": "S.", "target": "war", "target_description": "D.", "context": ""}
    assert "Sentence: S." in prompt(doc) and "opens the article" in prompt(doc, "belgrade_stance_context")
    assert set(PROMPTS) == {p.stem for p in TASKS.glob("*.yaml")}
    base = (TASKS / "_belgrade_stance_yaml").read_text(encoding="utf-8").replace("!function", "")
    assert str(yaml.safe_load(base)["metadata"]["version"]) == PROMPT_VERSION
    assert f"prompt version `{PROMPT_VERSION}`" in (ROOT / "DATASET_CARD.md").read_text(encoding="utf-8")


def test_the_parse_rule_takes_the_first_label_word():
    parsed = {" Against.": "against", "FAVOUR": "favor", "none; favor": "none", "  in favor\n": "favor"}
    parsed |= {"neutral": None, "favorable": None, "": None}  # unparseable: scored as none, counted
    assert {answer: parse(answer) for answer in parsed} == parsed


def _sample(doc_id: str, answer: str = "against") -> str:
    doc = {"id": doc_id, "text": "…", "label": "none"}
    return json.dumps({"doc": doc, "filtered_resps": [answer], "f_avg": ["none", answer], "unparseable": 0})


@pytest.mark.parametrize(
    "lines, rule",
    [
        (None, "io-error"),
        (["{not json"], "harness-not-json"),
        ([json.dumps({"id": "d03-s000-war", "label": "none"})], "harness-wrong-task"),
        ([], "harness-wrong-task"),
        ([_sample("d00-s000-war")], "harness-unknown-id"),
        ([_sample("d03-s000-war")] * 2, "harness-duplicate-id"),
    ],
)
def test_the_converter_refuses_bad_sample_logs_in_one_line(tmp_path, capsys, lines, rule):
    path = tmp_path / "samples_belgrade_stance_x.jsonl"
    if lines is not None:
        path.write_text("\n".join(lines), encoding="utf-8")
    assert cli.main(["from-harness", str(path), "--out", str(tmp_path / "p.jsonl")]) == 1
    err = capsys.readouterr().err.strip()
    assert f"[{rule}]" in err and len(err.splitlines()) == 1 and not (tmp_path / "p.jsonl").exists(), err


def _tiny_model(folder: Path) -> None:
    """A randomly initialised 2-layer GPT-2 and a BPE tokenizer trained on the corpus texts. The
    output rows of the label words are scaled up, so that some answers parse and some do not."""
    import torch
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import GPT2Config, GPT2LMHeadModel, PreTrainedTokenizerFast

    import belgrade_stance

    texts = [
        t for s in belgrade_stance.load("sentences", format="arrow").values() for t in s["text"].to_pylist()
    ]
    bpe = Tokenizer(models.BPE())
    bpe.pre_tokenizer, bpe.decoder = pre_tokenizers.ByteLevel(add_prefix_space=False), decoders.ByteLevel()
    alphabet = pre_tokenizers.ByteLevel.alphabet()
    trainer = trainers.BpeTrainer(vocab_size=400, special_tokens=["<|endoftext|>"], initial_alphabet=alphabet)
    bpe.train_from_iterator(texts + ["x favor against none"] * 200, trainer)
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=bpe, eos_token="<|endoftext|>", pad_token="<|endoftext|>"
    )
    tokenizer.save_pretrained(folder)
    torch.manual_seed(0)
    eos = tokenizer.eos_token_id
    shape = dict(
        n_embd=32, n_layer=2, n_head=2, tie_word_embeddings=False, bos_token_id=eos, eos_token_id=eos
    )
    model = GPT2LMHeadModel(GPT2Config(vocab_size=len(tokenizer), **shape))
    with torch.no_grad():  # untied: the output rows only
        model.lm_head.weight[sum(tokenizer([" favor", " against"])["input_ids"], [])] *= 3
    model.save_pretrained(folder)


@pytest.mark.slow
def test_lm_eval_on_the_hub_folder_equals_the_official_scorer(hub, tmp_path, capsys):
    exe = Path(sys.executable).with_name("lm_eval")
    if not exe.exists() or None in map(importlib.util.find_spec, ("torch", "transformers")):
        need("lm_eval, transformers and torch", "pip install -e '.[llm]' (.ci/run does)")
    _tiny_model(tmp_path / "model")
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1", "PYTHONDONTWRITEBYTECODE": "1"}
    command = [exe, "--model", "hf", "--model_args", f"pretrained={tmp_path / 'model'},dtype=float32"]
    command += ["--include_path", hub / "lm_eval_tasks", "--tasks", "belgrade_stance_llm", "--device", "cpu"]
    command += ["--batch_size", "16", "--log_samples", "--output_path", tmp_path / "out"]
    done = subprocess.run(command, capture_output=True, text=True, env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    (results,) = (tmp_path / "out").rglob("results_*.json")
    results = json.loads(results.read_text(encoding="utf-8"))["results"]
    for task in PROMPTS:  # both tasks: some answers parse, some do not
        (samples,) = (tmp_path / "out").rglob(f"samples_{task}_2*.jsonl")
        pred = tmp_path / f"{task}.jsonl"
        assert cli.main(["from-harness", str(samples), "--out", str(pred)]) == 0
        unparseable = results[task]["unparseable,none"]
        assert f" {unparseable} unparseable" in capsys.readouterr().out and unparseable > 0
        f_avg = scoring.evaluate(pred, "test", samples=0)["metrics"]["f_avg"]["value"]
        assert results[task]["f_avg,none"] == f_avg > 0
    assert cli.main(["from-harness", str(samples), "--out", str(pred)]) == 1  # never overwrites a file
    assert "[output-exists]" in capsys.readouterr().err
