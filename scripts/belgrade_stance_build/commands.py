"""The verbs of a source checkout, registered as `belgrade-stance` plugins (entry-point group
`belgrade_stance.commands` in pyproject.toml).

build, validate, card, publish and import-label-studio work on the checkout found from the
current folder (or --root); verify and export replace the package's own verbs with versions
that also know the checkout (raw inputs and stale workflow steps; the Label Studio format).
This module imports only the standard library and the installed package at load time, so that
`belgrade-stance --help` stays fast and says what a missing dependency is when a verb runs.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from belgrade_stance import cli
from belgrade_stance.errors import Problem
from belgrade_stance_build.layout import Layout, ProjectNotFound, find_project


def root_parent() -> argparse.ArgumentParser:
    """The one --root option of every checkout verb."""
    p = argparse.ArgumentParser(add_help=False)
    p.add_argument("--root", type=Path, help="project folder with raw/ (default: found from the current directory)")
    return p


ROOT = root_parent()


def _layout(args) -> Layout:
    return find_project(args.root)


def checkout_verb(func):
    """A verb that needs the checkout: a missing one is one line and exit 2."""
    def run(args) -> int:
        try:
            return func(args, _layout(args))
        except ProjectNotFound as e:
            print(f"belgrade-stance {args.verb}: {e}", file=sys.stderr)
            return e.exit
    return run


@checkout_verb
def cmd_build(args, layout: Layout) -> int:
    from belgrade_stance_build.workflow import run_build

    return run_build(layout, write=True, force=args.force)


@checkout_verb
def cmd_validate(args, layout: Layout) -> int:
    from belgrade_stance_build.workflow import run_build

    return run_build(layout, write=False)


@checkout_verb
def cmd_card(args, layout: Layout) -> int:
    from belgrade_stance_build import workflow

    steps = [s for s in workflow.order() if s.name in ("figures", "card")]
    if args.check:
        lock, context = workflow.read_lock(layout), {}
        stale = [r for s in steps for r in workflow.why_stale(s, layout, lock, context)]
        for line in stale:
            print(line, file=sys.stderr)
        return 1 if stale else 0
    for line in workflow.run(layout, [s.name for s in steps]):
        print(line)
    return 0


def cmd_verify(args) -> int:
    """In a checkout: data/ and raw/ against the manifest, and stale workflow steps. With --data,
    or outside a checkout, the package's own verify of one data folder."""
    from belgrade_stance.verify import verify
    from belgrade_stance_build.workflow import stale_steps

    layout = None
    if args.root is not None or args.data is None:
        try:
            layout = _layout(args)
        except ProjectNotFound as e:
            if args.root is not None:  # a --root that is not a project: say so
                print(f"belgrade-stance verify: {e}", file=sys.stderr)
                return e.exit
    if layout is None:
        return cli.cmd_verify(args)
    problems = verify(layout.data, layout.root) + stale_steps(layout)
    return cli.report_verify(layout.data, problems, " and raw/")


@checkout_verb
def cmd_publish(args, layout: Layout) -> int:
    from belgrade_stance_build.publish.hub_folder import PublishFailed, check_repo_id, publish, upload

    if args.out is None and args.repo_id is None:
        print("publish: give --out DIR, --repo-id ID, or both", file=sys.stderr)
        return 2
    try:
        if args.repo_id is not None:
            check_repo_id(args.repo_id)
        if args.out is not None:
            folder = publish(layout, args.out)
            print(f"published the Hub folder: {folder}")
            if args.repo_id:
                print(f"uploaded: {upload(folder, args.repo_id)}")
        else:
            import tempfile

            with tempfile.TemporaryDirectory() as tmp:
                folder = publish(layout, Path(tmp) / "hub")
                print(f"uploaded: {upload(folder, args.repo_id)}")
    except PublishFailed as e:
        print(f"publish failed: {e}", file=sys.stderr)
        return e.exit
    except OSError as e:  # the destination could not be written (permissions, disk full): nothing swapped in
        print(f"publish failed: {Problem(e.filename or '', None, 'publish-write', e.strerror or str(e))}", file=sys.stderr)
        return 1
    return 0


def cmd_export(args) -> int:
    if args.format != "label-studio":
        if args.data is None:
            try:
                args.data = _layout(args).data
            except ProjectNotFound:
                pass  # outside a checkout: the package's data
        return cli.cmd_export(args)
    return _export_label_studio(args)


def _label_studio(verb: str, layout: Layout, call) -> int:
    """Run a Label Studio conversion; its refusal is one message and exit 1, nothing written."""
    from belgrade_stance_build.annotation.label_studio import LabelStudioError

    try:
        written = call()
    except LabelStudioError as e:
        print(f"{verb}: {e}\nnothing was written", file=sys.stderr)
        return e.exit
    for path in written:
        print(f"wrote {layout.rel(path)}")
    return 0


@checkout_verb
def _export_label_studio(args, layout: Layout) -> int:
    from belgrade_stance_build.annotation.label_studio import export_label_studio

    return _label_studio("export", layout, lambda: export_label_studio(layout, args.out, args.pass_name))


@checkout_verb
def cmd_import_label_studio(args, layout: Layout) -> int:
    from belgrade_stance_build.annotation.label_studio import import_label_studio

    code = _label_studio("import-label-studio", layout, lambda: import_label_studio(layout, args.export, args.pass_name))
    if code == 0:
        print("run `belgrade-stance build` to validate and rebuild data/")
    return code


PASSES = ["a", "b", "gold"]


def add_build(sub, parents) -> None:
    b = sub.add_parser("build", parents=[ROOT], help="Build data/ from raw/ (validate every table, write atomically), "
                                                     "then the figures and the card.",
                       description="Run the workflow's stale steps: the build stages (read raw/, validate every "
                                   "table, write data/ atomically), the figures and the card's generated blocks. "
                                   "A step whose inputs and outputs are unchanged since it last ran is skipped.")
    b.add_argument("--force", action="store_true", help="run every step even if nothing changed")
    b.set_defaults(func=cmd_build)


def add_validate(sub, parents) -> None:
    v = sub.add_parser("validate", parents=[ROOT], help="Run every check of build without writing data/.",
                       description="Run all stages and pandera validation; write nothing.")
    v.set_defaults(func=cmd_validate)


def add_card(sub, parents) -> None:
    c = sub.add_parser("card", parents=[ROOT], help="Regenerate the numbers and figures of DATASET_CARD.md and README.md.",
                       description="Rewrite the generated blocks of the card and README (and stale figures) from "
                                   "the built data.")
    c.add_argument("--check", action="store_true", help="only report stale blocks and figures (exit 1 if any)")
    c.set_defaults(func=cmd_card)


def add_verify(sub, parents) -> None:
    f = sub.add_parser("verify", parents=[ROOT, parents["data"]],
                       help="Check data/ and raw/ against the manifest, and the workflow for stale steps.",
                       description="Re-check sha256 and row counts of every data file, the raw inputs, and which "
                                   "workflow steps are stale (inputs or outputs changed since they ran).")
    f.set_defaults(func=cmd_verify)


def add_publish(sub, parents) -> None:
    h = sub.add_parser("publish", parents=[ROOT], help="Assemble the Hugging Face dataset folder; optionally upload it.",
                       description="Write the Hub folder (card as README.md with YAML configs and dataset_info, "
                                   "Parquet of every config and split, croissant.json, guidelines) to --out; "
                                   "with --repo-id, upload it with the Hugging Face token ($HF_TOKEN or a saved hf auth login).")
    h.add_argument("--out", type=Path, help="folder to write (replaced if it holds a previous publish)")
    h.add_argument("--repo-id", help="Hub dataset repo to upload to, e.g. user/belgrade-stance (needs $HF_TOKEN or a saved login)")
    h.set_defaults(func=cmd_publish)


def add_export(sub, parents) -> None:
    x = cli.add_export(sub, parents, (*cli.EXPORT_FORMATS, "label-studio"), cmd_export,
                       "; label-studio: DIR/tasks.json and DIR/label-config.xml with a pass's annotations as "
                       "pre-annotations", more_parents=(ROOT,))
    x.add_argument("--pass", dest="pass_name", default="gold", choices=PASSES,
                   help="annotation pass for label-studio (default: gold)")


def add_import_label_studio(sub, parents) -> None:
    i = sub.add_parser("import-label-studio", parents=[ROOT],
                       help="Turn a Label Studio JSON export back into raw annotations.",
                       description="Rewrite raw/annotations/<pass>/<doc>.jsonl of every document in a Label "
                                   "Studio JSON export (made from `export label-studio` tasks); unchanged records "
                                   "keep their lines. Then run build.")
    i.add_argument("export", type=Path, help="the JSON export of the Label Studio project")
    i.add_argument("--pass", dest="pass_name", default="gold", choices=PASSES, help="pass to write (default: gold)")
    i.set_defaults(func=cmd_import_label_studio)
