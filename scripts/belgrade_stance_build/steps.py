"""The workflow, declared once: every step with its help line, the files it reads, the code it
runs and the files it writes. This declaration orders the steps, decides what is stale (the
runner, belgrade_stance_build.workflow) and draws the README's pipeline diagram.

    data       raw/ → data/                 (the build stages of pipeline.STAGES)
    figures    data/ → figures/*.png
    baselines  data/ → results/             (slow, needs the baselines extra: run on request)
    card       data/, figures/, results/ → DATASET_CARD.md, README.md (generated blocks)
    docs       the rule registry (belgrade_stance.errors) → docs/errors.md
    publish    data/, card, figures, guidelines → a Hub folder (run by `publish --out`)

Steps name their functions as "module:function" strings, so the declaration imports no step code.
"""

from __future__ import annotations

from dataclasses import dataclass
from fnmatch import fnmatch


@dataclass(frozen=True)
class Step:
    name: str
    help: str
    deps: tuple[str, ...]  # files it reads: globs relative to the project root ("**" = any depth)
    code: tuple[str, ...]  # modules whose source it runs (their change makes it stale)
    outputs: tuple[str, ...]  # files it writes, likewise
    default: bool  # run by `belgrade-stance build`
    run: str  # "module:function", called (layout, context) -> lines to print
    check: str | None = None  # "module:function", called (layout, context) -> stale outputs, as messages


def stage_code() -> tuple[str, ...]:
    from belgrade_stance_build.pipeline import STAGES

    return ("belgrade_stance_build.pipeline", "belgrade_stance_build.layout", "belgrade_stance_build.problems",
            *dict.fromkeys(m for s in STAGES for m in s.code))


CARD_CODE = ("belgrade_stance_build.card.counts", "belgrade_stance_build.card.render",
             "belgrade_stance_build.card.structure", "belgrade_stance_build.card.hub_yaml",
             "belgrade_stance_build.card.leaderboard", "belgrade_stance_build.card.markdown",
             "belgrade_stance_schema.features", "belgrade_stance_schema.inventory",
             "belgrade_stance_build.steps", "belgrade_stance_build.pipeline")

STEPS = (
    Step("data", "Build data/ from raw/: read and check every input, validate every table, write atomically.",
         ("raw/**",), stage_code(), ("data/**",), True, "belgrade_stance_build.workflow:_run_data", "belgrade_stance_build.workflow:_check_data"),
    Step("figures", "Draw the card's figures from data/.",
         ("data/**",), ("belgrade_stance_build.card.figures", "belgrade_stance_build.card.counts"),
         ("figures/*.png",), True, "belgrade_stance_build.workflow:_run_figures", "belgrade_stance_build.workflow:_check_figures"),
    Step("baselines", "Fit and score the reference baselines (python scripts/baselines.py; needs the baselines extra).",
         ("data/**",), ("belgrade_stance_build.baselines.results", "belgrade_stance_build.baselines.holders"),
         ("results/**",), False,
         "belgrade_stance_build.workflow:_run_baselines", "belgrade_stance_build.workflow:_check_baselines"),
    Step("card", "Rewrite the generated blocks (numbers, tables, Hub YAML) of DATASET_CARD.md and README.md.",
         ("data/**", "figures/*.png", "results/baselines.json"), CARD_CODE, ("DATASET_CARD.md", "README.md"), True,
         "belgrade_stance_build.workflow:_run_card", "belgrade_stance_build.workflow:_check_card"),
    Step("docs", "Write docs/errors.md, the page of every rule a problem can name, from the registry.",
         (), ("belgrade_stance.errors",), ("docs/errors.md",), True,
         "belgrade_stance_build.workflow:_run_docs", "belgrade_stance_build.workflow:_check_docs"),
    Step("publish", "Assemble the Hugging Face dataset folder (belgrade-stance publish --out DIR).",
         ("data/**", "figures/*.png", "DATASET_CARD.md", "docs/annotation-guidelines.md", "docs/errors.md"),
         ("belgrade_stance_build.publish.hub_folder", "belgrade_stance_build.publish.croissant"), (), False,
         "belgrade_stance_build.workflow:_run_publish"),
)


# --------------------------------------------------------------------------- order

def _overlaps(pattern: str, output: str) -> bool:
    """Whether a dependency pattern can match a file an output pattern names."""
    return fnmatch(output, pattern) or fnmatch(pattern, output) or \
        pattern.split("*")[0].startswith(output.split("*")[0]) or output.split("*")[0].startswith(pattern.split("*")[0])


def order(steps=STEPS) -> list[Step]:
    """The steps ordered so that each runs after the steps whose outputs it reads (a topological
    sort of the declarations; declaration order breaks ties). Raises ValueError on a cycle."""
    after = {s.name: {t.name for t in steps if t is not s and any(_overlaps(d, o) for d in s.deps for o in t.outputs)}
             for s in steps}
    out: list[Step] = []
    while len(out) < len(steps):
        ready = [s for s in steps if s not in out and after[s.name] <= {t.name for t in out}]
        if not ready:
            raise ValueError(f"the workflow's steps read each other's outputs in a circle: "
                             f"{sorted(s.name for s in steps if s not in out)}")
        out.append(ready[0])
    return out


def _module_path(module: str) -> str:
    """The checkout path of a module of the build or schema package."""
    top = module.split(".")[0]
    folder = {"belgrade_stance_build": "scripts", "belgrade_stance_schema": "schema"}.get(top, "src")
    return f"{folder}/{module.replace('.', '/')}.py"


def diagram() -> str:
    """The README's pipeline diagram, drawn from STEPS and pipeline.STAGES (a generated block)."""
    from belgrade_stance_build.pipeline import PART_DOCUMENTS, STAGES

    steps = order()
    lines = ["```text", "steps in order: " + " → ".join(s.name if s.default else f"({s.name})" for s in steps)
             + "   (parenthesised: on request, not run by build)", ""]
    for step in steps:
        lines.append(f"{step.name}: {step.help}")
        lines.append(f"    reads  {', '.join(step.deps)}")
        lines.append(f"    writes {', '.join(step.outputs) or 'the folder given by --out'}")
        if step.name == "data":
            scopes = {"corpus": "once", "document": "per document",
                      "part": f"per part of {PART_DOCUMENTS} documents", "release": "once, at the end"}
            for stage in STAGES:
                branch = "└─" if stage is STAGES[-1] else "├─"
                lines.append(f"    {branch} {stage.name:<13} {scopes[stage.scope]:<27} {_module_path(stage.code[0])}")
        else:
            lines.append(f"    code   {', '.join(_module_path(m) for m in step.code[:2])}"
                         + (" …" if len(step.code) > 2 else ""))
    lines.append("```")
    return "\n".join(lines) + "\n"
