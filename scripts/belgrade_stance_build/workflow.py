"""The workflow's runner: runs the steps declared in belgrade_stance_build.steps in their order,
skips a step whose inputs are unchanged since it last ran and whose outputs still hold, and
records each run in workflow.lock (as spaCy projects do in project.lock); `verify` and
`card --check` report stale steps from the same declarations.

`belgrade-stance build` runs the default steps (data, figures, card) that are stale; `--force`
runs them all.
"""

from __future__ import annotations

import json
import sys
from importlib import import_module
from importlib.util import find_spec
from pathlib import Path

from belgrade_stance.errors import Problem
from belgrade_stance_build.layout import Layout
from belgrade_stance_build.steps import Step, order

LOCK = "workflow.lock"
"""Per step: the sha256 of every input file and code module when it last ran (JSON)."""


def _call(ref: str, layout: Layout, context: dict):
    module, name = ref.split(":")
    return getattr(import_module(module), name)(layout, context)


# --------------------------------------------------------------------------- what each step runs

def _counts(layout: Layout, context: dict):
    from belgrade_stance_build.card.counts import split_counts

    if "counts" not in context:
        context["counts"] = split_counts(layout.data)
    return context["counts"]


def _run_data(layout: Layout, context: dict) -> list[str]:
    from belgrade_stance_build.pipeline import build

    result = build(layout, write=True)
    context["manifest"] = result["manifest"]
    return [f"built {layout.rel(layout.data)}"]


def _check_data(layout: Layout, context: dict) -> list[str]:
    from belgrade_stance.verify import verify

    return verify(layout.data, layout.root)


def _run_figures(layout: Layout, context: dict) -> list[str]:
    from belgrade_stance_build.card.figures import write_figures

    return [f"updated {layout.rel(p)}" for p in write_figures(layout, _counts(layout, context))]


def _check_figures(layout: Layout, context: dict) -> list[str]:
    from belgrade_stance_build.card.figures import check_figures

    return check_figures(layout, _counts(layout, context))


def _run_card(layout: Layout, context: dict) -> list[str]:
    from belgrade_stance_build.card.render import write_blocks

    return [f"updated {layout.rel(p)}" for p in write_blocks(layout, _counts(layout, context))]


def _check_card(layout: Layout, context: dict) -> list[str]:
    from belgrade_stance_build.card.render import check_blocks

    return check_blocks(layout, _counts(layout, context))


ERRORS_PAGE = "docs/errors.md"


def _run_docs(layout: Layout, context: dict) -> list[str]:
    from belgrade_stance.errors import markdown
    from belgrade_stance.files import atomic_write

    path = layout.root / ERRORS_PAGE
    if path.is_file() and path.read_text(encoding="utf-8") == markdown():
        return []
    atomic_write(path, markdown())
    return [f"updated {ERRORS_PAGE}"]


def _check_docs(layout: Layout, context: dict) -> list[str]:
    from belgrade_stance.errors import markdown

    path = layout.root / ERRORS_PAGE
    if not path.is_file() or path.read_text(encoding="utf-8") != markdown():
        return [f"{ERRORS_PAGE} is not the registry's page (run belgrade-stance build)"]
    return []


def _run_baselines(layout: Layout, context: dict) -> list[str]:
    from belgrade_stance_build.baselines.results import BASELINES, run

    run(list(BASELINES), layout.results, layout.data, ner=True)
    return [f"updated {layout.rel(layout.baseline_results)}"]


def _check_baselines(layout: Layout, context: dict) -> list[str]:
    from belgrade_stance_build.baselines.provenance import results_match

    path = layout.baseline_results
    if not path.is_file():
        return []  # a project without baselines: nothing to be stale
    if results_match(json.loads(path.read_text(encoding="utf-8")), layout.data):
        return []
    return [f"{layout.rel(path)}: computed from other data files than data/ holds (run python scripts/baselines.py)"]


def _run_publish(layout: Layout, context: dict) -> list[str]:
    from belgrade_stance_build.publish.hub_folder import publish

    return [f"published the Hub folder: {publish(layout, context['out'])}"]


# --------------------------------------------------------------------------- staleness

def _sha256(path: Path) -> str:
    from belgrade_stance.verify import sha256_file

    return sha256_file(path)


def _files(layout: Layout, pattern: str) -> list[Path]:
    if pattern.endswith("/**"):
        folder = layout.root / pattern[:-3]
        return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.is_dir() else []
    if "*" not in pattern:
        path = layout.root / pattern
        return [path] if path.is_file() else []
    return sorted(p for p in layout.root.glob(pattern) if p.is_file())


def inputs_of(step: Step, layout: Layout, context: dict | None = None) -> dict[str, str]:
    """sha256 of every file the step reads and every module it runs, keyed by path or `code:module`.

    data/ counts as its manifest, which pins the sha256 of every data file (verify checks them)."""
    out = {}
    manifest = (context or {}).get("manifest")
    for pattern in step.deps:
        if pattern == "raw/**" and manifest is not None:
            out.update(manifest["raw_inputs"])  # hashed by the build that has just read them
        elif pattern == "data/**":
            path = layout.data / "manifest.json"
            out[layout.rel(path)] = _sha256(path) if path.is_file() else None
        else:
            for path in _files(layout, pattern):
                out[layout.rel(path)] = _sha256(path)
    for module in step.code:
        out[f"code:{module}"] = _sha256(Path(find_spec(module).origin))
    return out


def read_lock(layout: Layout) -> dict:
    path = layout.root / LOCK
    if not path.is_file():
        return {}
    try:
        lock = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError):
        return {}  # an unreadable record: every step counts as never run
    return lock if isinstance(lock, dict) else {}


def _changed(recorded: dict, now: dict) -> list[str]:
    return sorted(k for k in set(recorded) | set(now) if recorded.get(k) != now.get(k))


def why_stale(step: Step, layout: Layout, lock: dict, context: dict, every: bool = True,
              check: bool = True) -> list[str]:
    """Why a step must run again ([] if it is fresh): inputs changed since its last run, or its
    outputs no longer hold (its own check, unless check=False). every=False stops at the first
    reason found."""
    if step.check is not None and step.name != "data" and not (layout.data / "manifest.json").is_file():
        return [f"{step.name}: data/ has not been built"]
    reasons = []
    if step.name in lock:
        changed = _changed(lock[step.name], inputs_of(step, layout))
        if changed:
            shown = ", ".join(changed[:3]) + (f" and {len(changed) - 3} more" if len(changed) > 3 else "")
            reasons.append(f"{step.name}: inputs changed since it last ran ({shown})")
    elif step.default:
        reasons.append(f"{step.name}: no record of a run in {LOCK}")
    if check and step.check is not None and (every or not reasons):
        reasons += [f"{step.name}: {m}" for m in _call(step.check, layout, context)]
    return reasons


def stale_steps(layout: Layout) -> list[str]:
    """Every step that ran here before (it has a record in the lock) and is stale now, with the
    reason, in workflow order (for verify). The data step's own outputs are verify's business."""
    lock, context, out = read_lock(layout), {}, []
    for step in order():
        if step.name not in lock:
            continue
        # verify itself checks data/ and raw/ against the manifest: the data step's own check
        # (the same verify) is not run a second time
        out += [str(Problem("", None, "stale-step", r)) for r in why_stale(step, layout, lock, context, check=step.name != "data")]
    return out


def record(layout: Layout, step: Step, context: dict) -> None:
    from belgrade_stance.files import atomic_write

    lock = read_lock(layout)
    lock[step.name] = inputs_of(step, layout, context)
    atomic_write(layout.root / LOCK, json.dumps(lock, indent=1, sort_keys=True) + "\n")


# --------------------------------------------------------------------------- running

BUILD_LOCK = ".build.lock"
"""Held (fcntl) while the workflow runs: two builds of one project take turns."""


def run(layout: Layout, names: list[str] | None = None, force: bool = False, context: dict | None = None) -> list[str]:
    """Run the named steps (default: the default steps) in workflow order, each only if stale
    (or force); return what was done, a line per step. Builds of one project take turns."""
    from belgrade_stance.files import exclusive

    with exclusive(layout.root / BUILD_LOCK, f"waiting for another build of {layout.root} to finish"):
        return _run_steps(layout, names, force, {} if context is None else context)


def _run_steps(layout: Layout, names: list[str] | None, force: bool, context: dict) -> list[str]:
    lock = read_lock(layout)
    lines = []
    for step in order():
        if (step.name not in names) if names is not None else not step.default:
            continue
        reasons = ["forced"] if force else why_stale(step, layout, lock, context, every=False)
        if not reasons:
            lines.append(f"{step.name}: up to date, skipped")
            continue
        done = _call(step.run, layout, context)
        lines += [f"{step.name}: ran ({reasons[0].removeprefix(step.name + ': ')})", *done]
        if step.name == "data":
            context.pop("counts", None)  # counts of the data before the build
        if step.outputs:  # a step that writes outside the project (publish) leaves no record
            record(layout, step, context)
    return lines


def run_build(layout: Layout, write: bool = True, force: bool = False) -> int:
    """`belgrade-stance build` (write) and `validate` (no write): the exit code."""
    from belgrade_stance_build.pipeline import build
    from belgrade_stance_build.problems import BuildFailed

    try:
        if write:
            context: dict = {}
            for line in run(layout, force=force, context=context):
                print(line)
            from belgrade_stance_build.pipeline import summary

            counts = _counts(layout, context)
            print(f"{layout.rel(layout.data)}:")
            print(summary({s: {"documents": c.documents, "sentences": c.sentences, "entities": c.entities,
                               "stance": c.stance} for s, c in counts.items()}))
        else:
            result = build(layout, write=False)
            print(f"belgrade-stance validated (nothing written): {layout.rel(layout.raw)}")
            print(result["summary"])
    except BuildFailed as failed:
        print(failed.problems.report(), file=sys.stderr)
        print(f"build failed at stage '{failed.stage}'; data/ left unchanged", file=sys.stderr)
        return 1
    return 0
