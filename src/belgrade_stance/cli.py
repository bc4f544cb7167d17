"""The `belgrade-stance` command.

The installed package brings the verbs that work on its own data: verify, evaluate, compare,
export (CoNLL, spaCy) and viewer. A source checkout installed with `pip install -e '.[build]'`
adds its verbs (build, publish, label-studio) through the entry-point group
`belgrade_stance.commands`; a plugin adds verbs and never replaces a shipped one. A plugin verb
whose code is not installed is not listed; asking for it gives one line saying what it needs.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from importlib.metadata import entry_points
from pathlib import Path

from belgrade_stance.errors import INPUT, USAGE, DatasetError, Problem

PLUGINS = "belgrade_stance.commands"
"""Entry-point group of further verbs: name = verb, value = a function add(subparsers, parents)."""

CHECKOUT_HINT = (
    "needs a source checkout of belgrade-stance installed with its build extra: in the checkout "
    "(the repository, or the unpacked sdist: pip download --no-binary :all: --no-deps "
    "belgrade-stance), run pip install -e '.[build]'"
)


def count(text: str) -> int:
    """An argparse type: a whole number ≥ 0."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text!r} is negative")
    return value


def data_parent() -> argparse.ArgumentParser:
    """The --data option shared by every verb that reads a data folder."""
    p = argparse.ArgumentParser(add_help=False)
    p.add_argument("--data", type=Path, help="a data folder with a manifest (default: the package's data)")
    return p


def _fail(verb: str, message: str, code: int) -> int:
    print(f"belgrade-stance {verb}: {message}", file=sys.stderr)
    return code


def cmd_verify(args) -> int:
    """A data folder against its manifest; in a source checkout (raw/ beside the data folder)
    the raw inputs too."""
    from belgrade_stance.paths import packaged_data_dir
    from belgrade_stance.verify import verify

    data_dir = Path(args.data) if args.data is not None else packaged_data_dir()
    root = data_dir.parent if (data_dir.parent / "raw").is_dir() else None
    problems = verify(data_dir, root)
    for p in problems:
        print(p, file=sys.stderr)
    if problems:
        print(f"verify: {len(problems)} mismatch(es) in {data_dir}", file=sys.stderr)
        return 1
    print(f"verify: ok ({data_dir}{' and raw/' if root else ''} match the manifest)")
    return 0


def cmd_evaluate(args) -> int:
    import json

    from belgrade_stance.scoring import evaluate, evaluate_cv, format_report

    if args.task == "holders":
        from belgrade_stance.scoring import evaluate_holders, format_holders

        report = evaluate_holders(
            args.predictions,
            split=args.split,
            protocol=args.protocol,
            data_dir=args.data,
            verify=not args.no_verify,
        )
        print(
            json.dumps(report, indent=2, ensure_ascii=False) if args.json else format_holders(report),
            end="\n" if args.json else "",
        )
        return 0
    targets = [t.strip() for t in args.targets.split(",") if t.strip()] if args.targets else None
    options = dict(
        agreed_only=args.agreed_only,
        targets=targets,
        samples=args.samples,
        seed=args.seed,
        data_dir=args.data,
        verify=not args.no_verify,
    )
    if args.protocol in ("lodo", "loto"):
        report = evaluate_cv(args.predictions, protocol=args.protocol, **options)
    else:
        report = evaluate(args.predictions, split=args.split, **options)
    if args.json:
        print(json.dumps(report, indent=2, ensure_ascii=False))
    else:
        print(format_report(report), end="")
    return 0


def cmd_compare(args) -> int:
    import json

    from belgrade_stance.scoring import compare, format_comparison

    targets = [t.strip() for t in args.targets.split(",") if t.strip()] if args.targets else None
    report = compare(
        args.a,
        args.b,
        protocol=args.protocol,
        split=args.split,
        agreed_only=args.agreed_only,
        targets=targets,
        samples=args.samples,
        permutations=args.permutations,
        seed=args.seed,
        data_dir=args.data,
        verify=not args.no_verify,
    )
    print(
        json.dumps(report, indent=2, ensure_ascii=False) if args.json else format_comparison(report), end="\n"
    )
    return 0


def cmd_export(args) -> int:
    from belgrade_stance.export import export_conll, export_spacy

    written = (export_conll if args.format == "conll" else export_spacy)(args.out, args.data)
    for path in written:
        print(f"wrote {path}")
    return 0


def cmd_viewer(args) -> int:
    from belgrade_stance.viewer import write_viewer

    pages = write_viewer(args.out, args.data)
    print(f"wrote {len(pages)} pages; open {pages[0]}")
    return 0


def add_verify(sub, parents) -> None:
    f = sub.add_parser(
        "verify",
        parents=[parents["data"]],
        help="Check a data folder against its manifest.",
        description="Re-check the sha256 and row count of every data file against the manifest.",
    )
    f.set_defaults(func=cmd_verify)


def add_evaluate(sub, parents) -> None:
    from belgrade_stance.scoring import SAMPLES, SCORED_SPLITS, SEED

    e = sub.add_parser(
        "evaluate",
        parents=[parents["data"]],
        help="Score stance predictions with the official scorer.",
        description="Score a JSONL or CSV file of id,label predictions (labels as names or "
        "ClassLabel indices) against the gold stance labels: F_avg (official), "
        "macro-F1, accuracy, per-target F_avg, confusion matrix, 95%% bootstrap "
        "intervals (sentences resampled within the scored set, fixed seed).",
    )
    e.add_argument(
        "predictions",
        type=Path,
        help="predictions file (.jsonl or .csv with columns id,label; "
        "for --task holders, JSON Lines of holder records)",
    )
    e.add_argument(
        "--task",
        choices=["stance", "holders"],
        default="stance",
        help="stance: one label per stance row (default); holders: (target, label, holder, evidence) "
        "records per sentence, scored by tuple F1 and evidence token F1",
    )
    e.add_argument(
        "--protocol",
        choices=["split", "lodo", "loto"],
        default="split",
        help="split: score one split (default); lodo: leave-one-document-out predictions "
        "for every row, scored per fold and pooled; loto: leave-one-target-out (zero-shot "
        "target) predictions for every row",
    )
    e.add_argument("--split", choices=SCORED_SPLITS, default="test", help="split to score (default: test)")
    e.add_argument(
        "--agreed-only",
        action="store_true",
        help="score only the items on which both annotation passes agreed",
    )
    e.add_argument("--targets", help="comma-separated targets to score (default: all)")
    e.add_argument(
        "--samples", type=count, default=SAMPLES, help=f"bootstrap resamples (default: {SAMPLES}; 0: none)"
    )
    e.add_argument("--seed", type=count, default=SEED, help=f"bootstrap seed (default: {SEED})")
    e.add_argument("--json", action="store_true", help="print the report as JSON")
    e.add_argument(
        "--no-verify",
        action="store_true",
        help="read the gold files without checking them against the manifest's sha256 (not advised)",
    )
    e.set_defaults(func=cmd_evaluate)


def add_compare(sub, parents) -> None:
    from belgrade_stance.scoring import PERMUTATIONS, SAMPLES, SCORED_SPLITS, SEED

    c = sub.add_parser(
        "compare",
        parents=[parents["data"]],
        help="Compare two systems' predictions (paired tests).",
        description="B − A in F_avg and macro-F1 on the same rows, overall and per target: a paired "
        "bootstrap interval (whole sentences) and a paired approximate-randomization "
        "p-value, Holm-corrected over targets.",
    )
    c.add_argument("a", type=Path, help="predictions of system A (as for evaluate)")
    c.add_argument("b", type=Path, help="predictions of system B")
    c.add_argument(
        "--protocol",
        choices=["split", "lodo", "loto"],
        default="split",
        help="split: one split (default test); lodo, loto: the cross-validation predictions of every row",
    )
    c.add_argument(
        "--split", choices=SCORED_SPLITS, default="test", help="split of the split protocol (default: test)"
    )
    c.add_argument(
        "--agreed-only", action="store_true", help="only the items both annotation passes agreed on"
    )
    c.add_argument("--targets", help="comma-separated targets (default: all)")
    c.add_argument("--samples", type=count, default=SAMPLES, help=f"bootstrap resamples (default: {SAMPLES})")
    c.add_argument(
        "--permutations",
        type=count,
        default=PERMUTATIONS,
        help=f"randomization permutations (default: {PERMUTATIONS}; exact when fewer assignments exist)",
    )
    c.add_argument("--seed", type=count, default=SEED, help=f"seed (default: {SEED})")
    c.add_argument("--json", action="store_true", help="print the report as JSON")
    c.add_argument(
        "--no-verify", action="store_true", help="read the gold files without checking them (not advised)"
    )
    c.set_defaults(func=cmd_compare)


EXPORT_FORMATS = ("conll", "spacy")


def add_export(sub, parents) -> None:
    x = sub.add_parser(
        "export",
        parents=[parents["data"]],
        help="Export the corpus to other tools' formats.",
        description="conll: DIR/<split>.conll (CoNLL-2003-style BIO); spacy: DIR/<split>.spacy "
        "(DocBin with entities, sentences and stance).",
    )
    x.add_argument("format", choices=list(EXPORT_FORMATS))
    x.add_argument("--out", type=Path, required=True, help="output folder")
    x.set_defaults(func=cmd_export)


def add_viewer(sub, parents) -> None:
    w = sub.add_parser(
        "viewer",
        parents=[parents["data"]],
        help="Write a static HTML corpus viewer.",
        description="Write a self-contained HTML site (index.html and one page per document) "
        "showing texts, boilerplate, entities, stance with holders and evidence, and "
        "disagreements between passes, with filters by target and label.",
    )
    w.add_argument(
        "--out", type=Path, required=True, help="output folder (replaced if it holds a previous viewer)"
    )
    w.set_defaults(func=cmd_viewer)


SHIPPED = {
    "verify": add_verify,
    "evaluate": add_evaluate,
    "compare": add_compare,
    "export": add_export,
    "viewer": add_viewer,
}


def plugins() -> tuple[dict[str, Callable], dict[str, str]]:
    """(verb → add function) of the plugins that load here, and (verb → why not) of those that
    don't. A plugin named like a shipped verb is left out: it cannot replace it."""
    available, missing = {}, {}
    for ep in entry_points(group=PLUGINS):
        if ep.name in SHIPPED:
            continue
        try:
            available[ep.name] = ep.load()
        except ImportError as e:  # the plugin's code is not installed (a wheel): the verb is not offered
            missing[ep.name] = getattr(e, "name", None) or str(e)
    return available, missing


def parser(verbs: dict[str, Callable] | None = None) -> argparse.ArgumentParser:
    verbs = verbs if verbs is not None else {**plugins()[0], **SHIPPED}
    from belgrade_stance import __version__

    p = argparse.ArgumentParser(
        prog="belgrade-stance", description="Build, check and use the belgrade-stance corpus."
    )
    p.add_argument("--version", action="version", version=f"belgrade-stance {__version__}")
    sub = p.add_subparsers(dest="verb", required=True, metavar="VERB")
    parents = {"data": data_parent()}
    for add in verbs.values():
        add(sub, parents)
    return p


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    available, missing = plugins()
    verb = next((a for a in argv if not a.startswith("-")), None)
    if verb in missing and verb not in SHIPPED:
        return _fail(verb, str(Problem("", None, "needs-checkout", CHECKOUT_HINT)), USAGE)
    args = parser({**available, **SHIPPED}).parse_args(argv)
    try:
        return args.func(args)
    except BrokenPipeError:  # the reader of our output went away (| head): stop quietly
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except DatasetError as e:  # bad input or a bad request: its rule gives the line and the exit code
        return _fail(args.verb, str(e), e.exit)
    except ModuleNotFoundError as e:  # a plugin verb whose third-party dependencies are not installed
        if args.verb not in available:
            raise
        return _fail(
            args.verb,
            str(
                Problem(
                    "",
                    None,
                    "missing-dependency",
                    f"needs the Python package {e.name!r}: pip install -e '.[build]' in the checkout",
                )
            ),
            USAGE,
        )
    except OSError as e:  # the system refused a read or a write
        where = " → ".join(str(f) for f in (e.filename, e.filename2) if f) or ""
        return _fail(args.verb, str(Problem(where, None, "io-error", e.strerror or str(e))), INPUT)


def run() -> None:
    """The `belgrade-stance` command: main(), then the process ends at once with its exit code,
    after flushing what it printed. Skipping the interpreter's teardown avoids a rare abort in
    pyarrow's native cleanup at exit ("terminate called without an active exception", exit 134
    in place of the command's own code). An exception main() does not handle propagates as usual."""
    import os

    code = main()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # the reader went away, or the stream is closed
            pass
    os._exit(code or 0)


if __name__ == "__main__":
    run()
