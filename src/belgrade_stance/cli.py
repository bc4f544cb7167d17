"""The `belgrade-stance` command: the package's verbs (verify, evaluate, compare, export, viewer,
from-harness), and those a source checkout adds through the entry-point group
`belgrade_stance.commands` (build, publish, label-studio). A plugin adds verbs, never replaces one;
one whose code is not installed is not listed, and asking for it gives one line saying what it needs."""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
from importlib.metadata import entry_points
from pathlib import Path

from belgrade_stance.errors import INPUT, USAGE, DatasetError, Problem
from belgrade_stance.files import STOPPED, stop_on_signals

PLUGINS = "belgrade_stance.commands"
"""Entry-point group of further verbs: name = verb, value = a function add(subparsers, parents)."""

CHECKOUT_HINT = (
    "needs a source checkout of belgrade-stance installed with its build group: in the checkout "
    "(the repository, or the unpacked sdist: pip download --no-binary :all: --no-deps "
    "belgrade-stance), run pip install --group build -e . (pip 25.1 or later)"
)
EXPORT_FORMATS = ("conll", "spacy")


def count(text: str) -> int:
    """An argparse type: a whole number ≥ 0."""
    if not text.isdecimal():
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number ≥ 0")
    return int(text)


def _print(report: dict, text: str, as_json: bool) -> None:
    print(json.dumps(report, indent=2, ensure_ascii=False) if as_json else text.rstrip("\n"))


def _options(args) -> dict:
    targets = [t.strip() for t in args.targets.split(",") if t.strip()] if args.targets else None
    return dict(
        agreed_only=args.agreed_only,
        targets=targets,
        samples=args.samples,
        seed=args.seed,
        data_dir=args.data,
        verify=not args.no_verify,
    )


def cmd_verify(args) -> int:
    """A data folder against its manifest; in a source checkout (raw/ beside it) the raw inputs too."""
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
    from belgrade_stance import scoring

    if args.task == "holders":
        report = scoring.evaluate_holders(
            args.predictions,
            split=args.split,
            protocol=args.protocol,
            data_dir=args.data,
            verify=not args.no_verify,
        )
        _print(report, scoring.format_holders(report), args.json)
    else:
        report = scoring.evaluate(args.predictions, args.split, protocol=args.protocol, **_options(args))
        _print(report, scoring.format_report(report), args.json)
    return 0


def cmd_compare(args) -> int:
    from belgrade_stance import scoring

    report = scoring.compare(args.a, args.b, protocol=args.protocol, split=args.split, **_options(args))
    _print(report, scoring.format_comparison(report), args.json)
    return 0


def cmd_export(args) -> int:
    from belgrade_stance.export import export

    for path in export(args.format, args.out, args.data):
        print(f"wrote {path}")
    return 0


def cmd_viewer(args) -> int:
    from belgrade_stance.viewer import write_viewer

    pages = write_viewer(args.out, args.data)
    print(f"wrote {len(pages)} pages; open {pages[0]}")
    return 0


def cmd_from_harness(args) -> int:
    from belgrade_stance.files import atomic_write
    from belgrade_stance.llm import read_samples
    from belgrade_stance.load import manifest

    predictions, unparseable = read_samples(args.samples_file, args.data)
    if args.out.exists():  # never overwrite a file the project did not write
        raise DatasetError("output-exists", "exists; name a new file", str(args.out))
    version = {"dataset_version": manifest(args.data)["dataset_version"]}  # the data it was made for
    atomic_write(args.out, "".join(json.dumps(p) + "\n" for p in [version, *predictions]))
    print(f"wrote {args.out}: {len(predictions)} predictions, {unparseable} unparseable answer(s) as none")
    return 0


def _scoring(sub, name: str, parents: dict, help: str, description: str):
    """The options evaluate and compare share."""
    from belgrade_stance.scoring import PROTOCOLS, SAMPLES, SCORED_SPLITS, SEED

    p = sub.add_parser(name, parents=[parents["data"]], help=help, description=description)
    p.add_argument(
        "--protocol",
        choices=PROTOCOLS,
        default="split",
        help="split: one split (default); lodo: leave-one-document-out predictions of every row, "
        "scored per fold and pooled; loto: leave-one-target-out predictions of every row (a target "
        "of a document predicted from the other targets of the other documents), folds by target",
    )
    p.add_argument("--split", choices=SCORED_SPLITS, default="test", help="split to score (default: test)")
    p.add_argument(
        "--agreed-only", action="store_true", help="only the items both annotation passes agreed on"
    )
    p.add_argument("--targets", help="comma-separated targets to score (default: all)")
    p.add_argument("--samples", type=count, default=SAMPLES, help=f"bootstrap resamples (default: {SAMPLES})")
    p.add_argument("--seed", type=count, default=SEED, help=f"seed (default: {SEED})")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.add_argument(
        "--no-verify",
        action="store_true",
        help="read the gold files without checking them against the manifest (not advised)",
    )
    return p


def add_shipped(sub, parents) -> None:
    data = [parents["data"]]
    sub.add_parser(
        "verify",
        parents=data,
        help="Check a data folder against its manifest.",
        description="Re-check the sha256, rows and features of every data file against the "
        "manifest (in a source checkout: every raw input too).",
    ).set_defaults(func=cmd_verify)
    e = _scoring(
        sub,
        "evaluate",
        parents,
        "Score stance predictions with the official scorer.",
        "Score a JSONL or CSV file of id,label predictions (labels as names or ClassLabel indices) "
        "against the gold stance labels: F_avg (official), macro-F1, accuracy, per-target F_avg "
        "with its oracle ceiling, confusion matrix, 95% bootstrap intervals (sentences resampled, "
        "fixed seed); for lodo and loto also the folds with a t interval over them.",
    )
    e.add_argument(
        "predictions",
        type=Path,
        help="predictions file (.jsonl or .csv with columns id,label; for --task holders, JSON Lines "
        'of holder records); a first line {"dataset_version": "X"} names the data it was made for',
    )
    e.add_argument(
        "--task",
        choices=["stance", "holders"],
        default="stance",
        help="stance: one label per stance row (default); holders: (target, label, holder id, "
        "evidence) records per sentence, scored by strict tuple F1 (evidence overlapping the gold), "
        "holder-only tuple F1 and evidence token F1",
    )
    e.set_defaults(func=cmd_evaluate)
    c = _scoring(
        sub,
        "compare",
        parents,
        "Compare two systems' predictions (paired bootstrap).",
        "B − A in F_avg and macro-F1 on the same rows from one paired bootstrap over whole "
        "sentences: 95% interval, p-value and significance flag, which agree (significant exactly "
        "when the interval excludes 0); per target, the difference and its interval only.",
    )
    c.add_argument("a", type=Path, help="predictions of system A (as for evaluate)")
    c.add_argument("b", type=Path, help="predictions of system B")
    c.set_defaults(func=cmd_compare)
    x = sub.add_parser(
        "export",
        parents=data,
        help="Export the corpus to other tools' formats.",
        description="conll: DIR/<split>.ner (CoNLL-2003-style BIO, for spacy convert -c ner); spacy: DIR/"
        "<split>.spacy (DocBins, a Doc per sentence) and DIR/config.cfg (spacy train config for NER).",
    )
    x.add_argument("format", choices=list(EXPORT_FORMATS))
    x.add_argument("--out", type=Path, required=True, help="output folder")
    x.set_defaults(func=cmd_export)
    w = sub.add_parser(
        "viewer",
        parents=data,
        help="Write a static HTML corpus viewer.",
        description="A self-contained HTML site (index.html and a page per document): "
        "texts, boilerplate, entities, stance with holders and evidence, disagreements "
        "between passes, filters by target and label.",
    )
    w.add_argument("--out", type=Path, required=True, help="output folder (replaced if it holds a viewer)")
    w.set_defaults(func=cmd_viewer)
    h = sub.add_parser(
        "from-harness",
        parents=data,
        help="Turn an lm-evaluation-harness sample log into predictions.",
        description="Read the samples_<task>_*.jsonl that lm_eval --log_samples wrote for a "
        "belgrade-stance task, parse every answer (belgrade_stance.llm.parse; unparseable as none) "
        "and write JSON Lines {id, label} for evaluate and compare.",
    )
    h.add_argument("samples_file", type=Path, metavar="SAMPLES", help="the harness's samples_*.jsonl")
    h.add_argument(
        "--out",
        type=Path,
        required=True,
        help="the new prediction file (.jsonl; line 1 names the data version)",
    )
    h.set_defaults(func=cmd_from_harness)


SHIPPED = ("verify", "evaluate", "compare", "export", "viewer", "from-harness")


def plugins() -> tuple[dict, set[str]]:
    """(verb → add function) of the plugins that load here, and the verbs of those that don't.
    A plugin named like a shipped verb is left out: it cannot replace it."""
    available, missing = {}, set()
    for ep in entry_points(group=PLUGINS):
        if ep.name not in SHIPPED:
            try:
                available[ep.name] = ep.load()
            except ImportError:  # the plugin's code is not installed (a wheel): the verb is not offered
                missing.add(ep.name)
    return available, missing


def main(argv: list[str] | None = None) -> int:
    from belgrade_stance import __version__

    argv = sys.argv[1:] if argv is None else list(argv)
    available, missing = plugins()
    verb = next((a for a in argv if not a.startswith("-")), None)
    if verb in missing:
        return _fail(verb, Problem("", None, "needs-checkout", CHECKOUT_HINT), USAGE)
    p = argparse.ArgumentParser(
        prog="belgrade-stance", description="Build, check and use the belgrade-stance corpus."
    )
    p.add_argument("--version", action="version", version=f"belgrade-stance {__version__}")
    sub = p.add_subparsers(dest="verb", required=True, metavar="VERB")
    parents = {"data": argparse.ArgumentParser(add_help=False)}
    parents["data"].add_argument(
        "--data", type=Path, help="a data folder with a manifest (default: the package's)"
    )
    add_shipped(sub, parents)
    for add in available.values():
        add(sub, parents)
    args = p.parse_args(argv)
    try:
        code = args.func(args)
        if STOPPED:  # a signal whose exception a library swallowed
            raise KeyboardInterrupt(STOPPED[0])
        return code
    except KeyboardInterrupt:  # SIGINT or SIGTERM: one line, exit 128 + the signal, as Unix tools do
        sig = signal.Signals(STOPPED[0] if STOPPED else signal.SIGINT)
        why = Problem("", None, "interrupted-by-signal", f"stopped by {sig.name} (exit {128 + sig})")
        return _fail(args.verb, why, 128 + sig)
    except BrokenPipeError:  # the reader of our output went away (| head): stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except DatasetError as e:  # bad input or a bad request: its rule gives the line and the exit code
        return _fail(args.verb, e, e.exit)
    except ModuleNotFoundError as e:  # a plugin verb whose third-party dependencies are not installed
        if args.verb not in available:
            raise
        needs = f"needs the Python package {e.name!r}: pip install --group build -e . in the checkout"
        return _fail(args.verb, Problem("", None, "missing-dependency", needs), USAGE)
    except OSError as e:  # the system refused a read or a write
        where = " → ".join(str(f) for f in (e.filename, e.filename2) if f)
        return _fail(args.verb, Problem(where, None, "io-error", e.strerror or str(e)), INPUT)


def _fail(verb: str, problem, code: int) -> int:
    print(f"belgrade-stance {verb}: {problem}", file=sys.stderr)
    return code


def run() -> None:
    """The `belgrade-stance` command: main(), then the process ends at once with its exit code,
    after flushing what it printed. Skipping the interpreter's teardown avoids a rare abort in
    pyarrow's native cleanup at exit (exit 134 in place of the command's own code)."""
    stop_on_signals()
    code = main()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # the reader went away, or the stream is closed
            pass
    os._exit(code or 0)


if __name__ == "__main__":
    run()
