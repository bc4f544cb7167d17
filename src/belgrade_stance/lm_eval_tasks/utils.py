"""lm-evaluation-harness hooks of the belgrade-stance tasks (the code is belgrade_stance.llm)."""

from pathlib import Path

from belgrade_stance.llm import count, f_avg, process_results, prompt, task_docs

__all__ = ["count", "docs", "f_avg", "process_results", "prompt", "prompt_with_context"]


def docs(**_):
    return task_docs(Path(__file__).resolve().parent)


def prompt_with_context(doc: dict) -> str:
    return prompt(doc, "belgrade_stance_context")
