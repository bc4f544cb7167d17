"""The `belgrade-stance` command: build, validate and verify the dataset."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from belgrade_stance.paths import Layout, ProjectNotFound, find_project, packaged_data_dir


def _layout(args) -> Layout:
    layout = find_project(args.root)
    if str(layout.root) not in sys.path:
        sys.path.insert(0, str(layout.root))  # schema/ and scripts/ of the checkout
    return layout


def _run_pipeline(args, write: bool) -> int:
    layout = _layout(args)
    from scripts.pipeline import build
    from scripts.problems import BuildFailed

    try:
        result = build(layout, write=write)
    except BuildFailed as failed:
        print(failed.problems.report(), file=sys.stderr)
        print(f"build failed at stage '{failed.stage}'; data/ left unchanged", file=sys.stderr)
        return 1
    if write:
        from scripts.card import write_card

        for path in write_card(layout):
            print(f"updated {layout.rel(path)}")
    verb = "built" if write else "validated (nothing written)"
    print(f"belgrade-stance {verb}: {layout.rel(layout.data) if write else layout.rel(layout.raw)}")
    print(result["summary"])
    return 0


def cmd_build(args) -> int:
    return _run_pipeline(args, write=True)


def cmd_validate(args) -> int:
    return _run_pipeline(args, write=False)


def cmd_card(args) -> int:
    layout = _layout(args)
    from scripts.card import check_card, write_card

    if args.check:
        stale = check_card(layout)
        for line in stale:
            print(line, file=sys.stderr)
        return 1 if stale else 0
    for path in write_card(layout):
        print(f"updated {layout.rel(path)}")
    return 0


def cmd_verify(args) -> int:
    from belgrade_stance.verify import verify

    root = None
    if args.data is None:
        try:
            layout = find_project(args.root)
            data_dir, root = layout.data, layout.root
        except ProjectNotFound:
            data_dir = packaged_data_dir()
    else:
        data_dir = args.data
    problems = verify(Path(data_dir), root)
    for p in problems:
        print(p, file=sys.stderr)
    if problems:
        print(f"verify: {len(problems)} mismatch(es) in {data_dir}", file=sys.stderr)
        return 1
    print(f"verify: ok ({data_dir}{' and raw/' if root else ''} match the manifest)")
    return 0


def cmd_publish(args) -> int:
    layout = _layout(args)
    from scripts.hub import PublishFailed, publish, upload

    if args.out is None and args.repo_id is None:
        print("publish: give --out DIR, --repo-id ID, or both", file=sys.stderr)
        return 2
    try:
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
        return 1
    return 0


def cmd_evaluate(args) -> int:
    import json

    from belgrade_stance.evaluate import PredictionError, evaluate, evaluate_cv, format_report
    from belgrade_stance.load import LoadError

    targets = [t.strip() for t in args.targets.split(",") if t.strip()] if args.targets else None
    options = dict(agreed_only=args.agreed_only, targets=targets, samples=args.samples, seed=args.seed,
                   data_dir=args.data)
    try:
        if args.protocol == "lodo":
            report = evaluate_cv(args.predictions, **options)
        else:
            report = evaluate(args.predictions, split=args.split, **options)
    except PredictionError as e:
        print(f"evaluate: {e}", file=sys.stderr)
        return 1
    except LoadError as e:
        print(f"evaluate: {e}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(report, indent=2, ensure_ascii=False))
    else:
        print(format_report(report), end="")
    return 0


def _data_dir(args) -> Path | None:
    """--data, else the checkout's data/, else None: the installed package's data."""
    if args.data is not None:
        return args.data
    try:
        return find_project(args.root).data
    except ProjectNotFound:
        return None


def cmd_export(args) -> int:
    from belgrade_stance.load import LoadError

    try:
        if args.format == "label-studio":
            layout = _layout(args)
            from scripts.label_studio import LabelStudioError, export_label_studio

            try:
                written = export_label_studio(layout, args.out, args.pass_name)
            except LabelStudioError as e:
                print(f"export: {e}", file=sys.stderr)
                return 1
        else:
            from belgrade_stance.export import export_conll, export_spacy

            written = (export_conll if args.format == "conll" else export_spacy)(args.out, _data_dir(args))
    except LoadError as e:
        print(f"export: {e}", file=sys.stderr)
        return 2
    for path in written:
        print(f"wrote {path}")
    return 0


def cmd_viewer(args) -> int:
    from belgrade_stance.load import LoadError
    from belgrade_stance.viewer import write_viewer

    try:
        pages = write_viewer(args.out, _data_dir(args))
    except LoadError as e:
        print(f"viewer: {e}", file=sys.stderr)
        return 2
    print(f"wrote {len(pages)} pages; open {pages[0]}")
    return 0


def cmd_import_label_studio(args) -> int:
    layout = _layout(args)
    from scripts.label_studio import LabelStudioError, import_label_studio

    try:
        written = import_label_studio(layout, args.export, args.pass_name)
    except LabelStudioError as e:
        print(f"import-label-studio: {e}", file=sys.stderr)
        print("nothing was written", file=sys.stderr)
        return 1
    for path in written:
        print(f"wrote {layout.rel(path)}")
    print("run `belgrade-stance build` to validate and rebuild data/")
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="belgrade-stance", description="Build, check and use the belgrade-stance corpus.")
    sub = p.add_subparsers(dest="verb", required=True)
    b = sub.add_parser("build", help="Build data/ from raw/ (validate every table, write atomically).",
                       description="Read raw/, validate every stage and table, write data/ atomically.")
    b.add_argument("--root", type=Path, help="source checkout (default: found from the current directory)")
    b.set_defaults(func=cmd_build)
    v = sub.add_parser("validate", help="Run every check of build without writing data/.",
                       description="Run all stages and pandera validation; write nothing.")
    v.add_argument("--root", type=Path, help="source checkout (default: found from the current directory)")
    v.set_defaults(func=cmd_validate)
    c = sub.add_parser("card", help="Regenerate the numbers in DATASET_CARD.md and README.md from data/.",
                       description="Rewrite the generated blocks of the card and README from the built data.")
    c.add_argument("--root", type=Path, help="source checkout (default: found from the current directory)")
    c.add_argument("--check", action="store_true", help="only report stale blocks (exit 1 if any)")
    c.set_defaults(func=cmd_card)
    f = sub.add_parser("verify", help="Check data/ (and raw/) against the manifest.",
                       description="Re-check sha256 and row counts of every data file, and raw inputs in a checkout.")
    f.add_argument("--root", type=Path, help="source checkout (default: found from the current directory)")
    f.add_argument("--data", type=Path, help="a data folder to check (default: the checkout's or the package's)")
    f.set_defaults(func=cmd_verify)
    h = sub.add_parser("publish", help="Assemble the Hugging Face dataset folder; optionally upload it.",
                       description="Write the Hub folder (card as README.md with YAML configs and dataset_info, "
                                   "Parquet of every config and split, croissant.json, guidelines) to --out; "
                                   "with --repo-id, upload it using the token in $HF_TOKEN.")
    h.add_argument("--root", type=Path, help="source checkout (default: found from the current directory)")
    h.add_argument("--out", type=Path, help="folder to write (replaced if it holds a previous publish)")
    h.add_argument("--repo-id", help="Hub dataset repo to upload to, e.g. user/belgrade-stance (needs $HF_TOKEN)")
    h.set_defaults(func=cmd_publish)
    from belgrade_stance.evaluate import SAMPLES, SCORED_SPLITS, SEED

    e = sub.add_parser("evaluate", help="Score stance predictions with the official scorer.",
                       description="Score a JSONL or CSV file of id,label predictions (labels as names or "
                                   "ClassLabel indices) against the gold stance labels: F_avg (official), "
                                   "macro-F1, accuracy, per-target F_avg, confusion matrix, 95%% bootstrap "
                                   "intervals (sentences resampled within the scored set, fixed seed).")
    e.add_argument("predictions", type=Path, help="predictions file (.jsonl or .csv with columns id,label)")
    e.add_argument("--protocol", choices=["split", "lodo"], default="split",
                   help="split: score one split (default); lodo: leave-one-document-out predictions "
                        "for every row, scored per fold and pooled")
    e.add_argument("--split", choices=SCORED_SPLITS, default="test", help="split to score (default: test)")
    e.add_argument("--agreed-only", action="store_true",
                   help="score only the items on which both annotation passes agreed")
    e.add_argument("--targets", help="comma-separated targets to score (default: all)")
    e.add_argument("--samples", type=int, default=SAMPLES, help=f"bootstrap resamples (default: {SAMPLES}; 0: none)")
    e.add_argument("--seed", type=int, default=SEED, help=f"bootstrap seed (default: {SEED})")
    e.add_argument("--data", type=Path, help="a data folder with a manifest (default: the package's data)")
    e.add_argument("--json", action="store_true", help="print the report as JSON")
    e.set_defaults(func=cmd_evaluate)
    x = sub.add_parser("export", help="Export the corpus to CoNLL, spaCy or Label Studio.",
                       description="conll: DIR/<split>.conll (CoNLL-2003-style BIO); spacy: DIR/<split>.spacy "
                                   "(DocBin with entities, sentences and stance); label-studio: DIR/tasks.json "
                                   "and DIR/label-config.xml with a pass's annotations as pre-annotations "
                                   "(needs a source checkout).")
    x.add_argument("format", choices=["conll", "spacy", "label-studio"])
    x.add_argument("--out", type=Path, required=True, help="output folder")
    x.add_argument("--pass", dest="pass_name", default="gold", choices=["a", "b", "gold"],
                   help="annotation pass for label-studio (default: gold)")
    x.add_argument("--root", type=Path, help="source checkout (default: found from the current directory)")
    x.add_argument("--data", type=Path, help="data folder for conll/spacy (default: the checkout's or the package's)")
    x.set_defaults(func=cmd_export)
    w = sub.add_parser("viewer", help="Write a static HTML corpus viewer.",
                       description="Write a self-contained HTML site (index.html and one page per document) "
                                   "showing texts, boilerplate, entities, stance with holders and evidence, and "
                                   "disagreements between passes, with filters by target and label.")
    w.add_argument("--out", type=Path, required=True, help="output folder (replaced if it holds a previous viewer)")
    w.add_argument("--root", type=Path, help="source checkout (default: found from the current directory)")
    w.add_argument("--data", type=Path, help="data folder (default: the checkout's or the package's)")
    w.set_defaults(func=cmd_viewer)
    i = sub.add_parser("import-label-studio", help="Turn a Label Studio JSON export back into raw annotations.",
                       description="Rewrite raw/annotations/<pass>/<doc>.jsonl of every document in a Label "
                                   "Studio JSON export (made from `export label-studio` tasks); unchanged records "
                                   "keep their lines. Then run build.")
    i.add_argument("export", type=Path, help="the JSON export of the Label Studio project")
    i.add_argument("--pass", dest="pass_name", default="gold", choices=["a", "b", "gold"],
                   help="pass to write (default: gold)")
    i.add_argument("--root", type=Path, help="source checkout (default: found from the current directory)")
    i.set_defaults(func=cmd_import_label_studio)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except ProjectNotFound as e:
        print(f"belgrade-stance: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
