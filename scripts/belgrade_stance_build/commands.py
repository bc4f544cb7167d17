"""The verbs of a source checkout, added to the `belgrade-stance` command as plugins (entry-point
group `belgrade_stance.commands` in pyproject.toml): build, publish and label-studio. They work
on the checkout found from the current folder (or --root). A plugin adds verbs; it never
replaces one the package ships. Only the standard library and the installed package are imported
at load time, so that `belgrade-stance --help` stays fast."""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from belgrade_stance_build.layout import HUB, Layout, find_project


def root_parent() -> argparse.ArgumentParser:
    """The one --root option of every checkout verb."""
    p = argparse.ArgumentParser(add_help=False)
    p.add_argument(
        "--root", type=Path, help="project folder with raw/ (default: found from the current directory)"
    )
    return p


ROOT = root_parent()


def cmd_build(args) -> int:
    from belgrade_stance_build.build import BuildFailed, build_all, stale_outputs

    layout = find_project(args.root)
    try:
        if args.check:
            stale = stale_outputs(layout)
            if stale:
                print(
                    *stale,
                    f"build --check: {len(stale)} output(s) differ from a fresh build",
                    sep="\n",
                    file=sys.stderr,
                )
                return 1
            print("build --check: every output equals a fresh build")
            return 0
        print(*build_all(layout), sep="\n")
    except BuildFailed as failed:
        print(failed.problems.report(), file=sys.stderr)
        print(f"build failed at stage '{failed.stage}'; data/ left unchanged", file=sys.stderr)
        return 1
    return 0


def cmd_publish(args) -> int:
    """Refusals are DatasetErrors and failed writes OSErrors: the command prints them in one line."""
    from belgrade_stance_build.publish.hub_folder import check_repo_id, publish, upload

    layout = find_project(args.root)
    if args.out is None and args.repo_id is None:
        print("publish: give --out DIR, --repo-id [ID], or both", file=sys.stderr)
        return 2
    if args.repo_id is not None:
        args.repo_id = layout.hub_url().removeprefix(HUB) if args.repo_id is True else args.repo_id
        check_repo_id(args.repo_id)
    with tempfile.TemporaryDirectory() as tmp:
        folder = publish(layout, args.out or Path(tmp) / "hub")
        if args.out is not None:
            print(f"published the Hub folder: {folder}")
        if args.repo_id is not None:
            print(f"uploaded: {upload(folder, args.repo_id)}")
    return 0


def cmd_label_studio(args) -> int:
    """Export a pass as Label Studio tasks, or import a Label Studio export into raw/annotations;
    a refusal (a DatasetError) writes nothing."""
    from belgrade_stance_build.annotation.label_studio import export_label_studio, import_label_studio

    layout: Layout = find_project(args.root)
    if (args.action == "export") != (args.out is not None) or (args.action == "import") != (
        args.path is not None
    ):
        print("label-studio: export takes --out DIR; import takes the export FILE", file=sys.stderr)
        return 2
    if args.action == "export":
        for path in export_label_studio(layout, args.out, args.pass_name):
            print(f"wrote {layout.rel(path)}")
        return 0
    for path, n in import_label_studio(layout, args.path, args.pass_name, args.dry_run).items():
        print(f"{layout.rel(path)}: {n['added']} added, {n['changed']} changed, {n['removed']} removed")
    print("dry run: nothing written" if args.dry_run else "run `belgrade-stance build` to rebuild data/")
    return 0


PASSES = ["a", "b", "gold"]


def add_build(sub, parents) -> None:
    b = sub.add_parser(
        "build",
        parents=[ROOT],
        help="Build data/ from raw/, then the figures, the card's generated blocks and docs/errors.md.",
        description="Run every stage: read and check raw/, validate every table, write data/ atomically, "
        "then draw the figures and rewrite the generated blocks of the card and README and docs/errors.md.",
    )
    b.add_argument(
        "--check",
        action="store_true",
        help="write nothing: build in a temporary copy and name every output that differs (exit 1 if any)",
    )
    b.set_defaults(func=cmd_build)


def add_publish(sub, parents) -> None:
    h = sub.add_parser(
        "publish",
        parents=[ROOT],
        help="Assemble the Hugging Face dataset folder; optionally upload it.",
        description="Write the Hub folder (card as README.md with YAML configs and dataset_info, Parquet of "
        "every config and split, croissant.json, guidelines) to --out; with --repo-id [ID], upload it to ID "
        "(alone: pyproject's Homepage) with the Hugging Face token ($HF_TOKEN or a saved hf auth login).",
    )
    h.add_argument("--out", type=Path, help="folder to write (replaced if it holds a previous publish)")
    h.add_argument("--repo-id", nargs="?", const=True, help="Hub repo to upload to (alone: the Homepage's)")
    h.set_defaults(func=cmd_publish)


def add_label_studio(sub, parents) -> None:
    s = sub.add_parser(
        "label-studio",
        parents=[ROOT],
        help="Export a pass as Label Studio tasks, or import a Label Studio export into raw/.",
        description="export --out DIR: DIR/tasks.json and DIR/label-config.xml with a pass's annotations as "
        "pre-annotations. import FILE: rewrite raw/annotations/<pass>/<doc>.jsonl of every document in a "
        "Label Studio JSON export (unchanged records keep their lines); then run build.",
    )
    s.add_argument("action", choices=["export", "import"])
    s.add_argument("path", type=Path, nargs="?", help="import: the JSON export of the Label Studio project")
    s.add_argument("--out", type=Path, help="export: the output folder")
    s.add_argument("--dry-run", action="store_true", help="import: print what would change, write nothing")
    s.add_argument(
        "--pass", dest="pass_name", default="gold", choices=PASSES, help="annotation pass (default: gold)"
    )
    s.set_defaults(func=cmd_label_studio)
