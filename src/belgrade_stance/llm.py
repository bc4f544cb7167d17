"""LLM evaluation of the stance task: versioned zero-shot prompts, the rule that parses an answer,
the hooks of the lm-evaluation-harness tasks (the folder `TASKS`, also in the Hub folder), and the
reading of the harness's sample logs (`lm_eval --log_samples`) into a prediction file.

Parse rule: the first of the whole words favor, favour, against, none in the answer, in any case
(favour is favor). An answer with none of them is unparseable: it counts as none, and the number of
unparseable answers is reported (the harness's `unparseable` metric, the converter's summary)."""

from __future__ import annotations

import json
import re
from pathlib import Path

from belgrade_stance.errors import DatasetError

PROMPT_VERSION = "1"
"""Changes with any template or the parse rule: scores of different versions are not comparable."""
TASKS = Path(__file__).resolve().parent / "lm_eval_tasks"
"""The lm-evaluation-harness task folder: lm_eval --include_path TASKS --tasks belgrade_stance."""
FIELDS = ("id", "text", "target", "target_description", "context")
"""The inputs a task's documents carry besides the gold label; a prompt reads only these."""
ANSWER = re.compile(r"\b(favou?r|against|none)\b", re.IGNORECASE)

QUESTION = (
    "Does the sentence (its author, or anyone it reports) express a stance in favor of the target, "
    "against it, or none? Answer with one word: favor, against or none.\nAnswer:"
)
PROMPTS = {
    "belgrade_stance": "Read a sentence from a news article and decide its stance towards the target.\n\n"
    "Target: {target_description}\nSentence: {text}\n\n" + QUESTION,
    "belgrade_stance_context": "Read a sentence from a news article, with the text before it, and decide "
    "the sentence's stance towards the target.\n\nTarget: {target_description}\n"
    "Text before the sentence: {context}\nSentence: {text}\n\n" + QUESTION,
}
"""Zero-shot templates (version PROMPT_VERSION), by task name; they name only FIELDS."""


def prompt(doc: dict, task: str = "belgrade_stance") -> str:
    """The prompt of a document (a stance row) for a task, from its allowed inputs only."""
    inputs = {k: doc[k] for k in FIELDS}
    inputs["context"] = inputs["context"] or "(none: the sentence opens the article)"
    return PROMPTS[task].format(**inputs)


def parse(answer: str) -> str | None:
    """The label of an answer by the parse rule, or None if it is unparseable (scored as none)."""
    found = ANSWER.search(answer or "")
    return found and found[1].lower().replace("favour", "favor")


def task_docs(folder: Path):
    """The scored split (test) as the harness's documents: FIELDS and the gold `label` by name. Read
    from the Hub folder that holds `folder` (the task folder), else from the installed package."""
    from datasets import Dataset, DatasetDict

    from belgrade_stance.load import load

    hub = folder.parent if (folder.parent / "manifest.json").is_file() else None
    table = load("stance", "test", format="arrow", data_dir=hub, labels="names")
    return DatasetDict({"test": Dataset(table.select([*FIELDS, "label"]))})


def process_results(doc: dict, results: list[str]) -> dict:
    label = parse(results[0])
    return {"f_avg": (doc["label"], label or "none"), "unparseable": int(label is None)}


def f_avg(items: list[tuple[str, str]]) -> float:
    """The official F_avg of the (gold, predicted) labels, by the package's scorer."""
    from belgrade_stance.load import inventories
    from belgrade_stance.scoring import score

    names = inventories()["stance_labels"]
    gold, pred = ([names.index(pair[i]) for pair in items] for i in (0, 1))
    return score(gold, pred, names, samples=0)["metrics"]["f_avg"]["value"]


def count(items: list[int]) -> int:
    return sum(items)


def read_samples(path: Path, data_dir: Path | None = None) -> tuple[list[dict], int]:
    """The predictions ({"id", "label"}) of a harness sample log of a belgrade-stance task, and how many
    answers were unparseable (predicted none)."""
    from belgrade_stance.load import load

    predictions, unparseable, seen = [], 0, set()
    known = set(load("stance", format="arrow", data_dir=data_dir)["test"]["id"].to_pylist())
    for n, line in enumerate(path.read_text(encoding="utf-8").split("\n"), 1):
        if not line.strip():
            continue
        try:
            sample = json.loads(line)
        except json.JSONDecodeError as e:
            raise DatasetError("harness-not-json", f"not valid JSON ({e.msg})", f"{path}:{n}") from None
        doc = sample.get("doc") if isinstance(sample, dict) else None
        if not (isinstance(doc, dict) and "unparseable" in sample and sample.get("filtered_resps")):
            raise DatasetError(
                "harness-wrong-task",
                "not a sample of a belgrade-stance task (lm_eval --log_samples of belgrade_stance*)",
                f"{path}:{n}",
            )
        if not isinstance(row := doc.get("id"), str) or row not in known:
            raise DatasetError("harness-unknown-id", f"{row!r} is no row of the test split", f"{path}:{n}")
        if row in seen:
            raise DatasetError("harness-duplicate-id", f"{row!r} was answered before", f"{path}:{n}")
        seen.add(row)
        answer = sample["filtered_resps"][0]
        label = parse(answer[0] if isinstance(answer, list) else answer)
        unparseable += label is None
        predictions.append({"id": row, "label": label or "none"})
    if not predictions:
        raise DatasetError("harness-wrong-task", "holds no sample of a belgrade-stance task", str(path))
    return predictions, unparseable
