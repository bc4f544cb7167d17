"""Reading and checking predictions, for every scorer. Every problem is found before anything is
scored and reported together in one PredictionError."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator, Mapping
from functools import partial
from pathlib import Path

from belgrade_stance.errors import DatasetError, Problem, Problems, clip


class PredictionError(DatasetError):
    """Predictions that cannot be scored: one problem (rule, message), or every problem found."""

    def __init__(self, source: str, rule: str = "", message: str = "", problems: list[Problem] | None = None):
        problems = problems or [Problem(source, None, rule, message)]
        self.source = source
        self.rules = {p.rule for p in problems}
        listed = "".join(f"\n  - [{p.rule}] {p.message}" for p in problems)
        super().__init__(problems[0].rule, "cannot be scored, nothing was scored:" + listed, source)


MAX_LINE = 1 << 16
"""Characters of a line of a prediction file read at most; a longer line is not a record."""


class Examples(list):
    """The first five items of a kind, and how many there were (total): memory stays bounded."""

    total = 0

    def append(self, item) -> None:
        self.total += 1
        if len(self) < 5:
            super().append(item)


def shortlist(items: list[str]) -> str:
    """The first five items, and how many more there are."""
    total = getattr(items, "total", len(items))
    return ", ".join(items[:5]) + (f", … ({total - 5} more)" if total > 5 else "")


def _file_records(path: Path, holders: bool, bad: Examples) -> Iterator[tuple[str, object]]:
    """Records of a CSV file (.csv, or another suffix whose text does not start with "{") or JSON
    Lines, read a line at a time; unreadable lines go to bad."""
    suffix = path.suffix.lower()
    try:
        with path.open(encoding="utf-8-sig", newline="") as f:
            json_lines = f.read(MAX_LINE).lstrip().startswith("{")
            f.seek(0)
            if suffix == ".csv" or (suffix not in (".jsonl", ".ndjson") and not json_lines):
                if holders:
                    raise PredictionError(str(path), "predictions-type", "holder predictions are JSON Lines")
                reader = csv.DictReader(f)
                reader.fieldnames = [f.strip() for f in reader.fieldnames or []]
                if not {"id", "label"} <= set(reader.fieldnames):
                    found = clip(", ".join(reader.fieldnames) or "nothing")
                    return bad.append(f"line 1: the CSV header must name id and label (found: {found})")
                for rec in reader:
                    stripped = {k: v.strip() if isinstance(v, str) else v for k, v in rec.items()}
                    yield f"line {reader.line_num}", stripped
                return
            for n, line in enumerate(iter(lambda: f.readline(MAX_LINE), ""), 1):
                try:
                    if len(line) == MAX_LINE and not line.endswith("\n"):  # skip the rest of a long line
                        while (rest := f.readline(MAX_LINE)) and not rest.endswith("\n"):
                            pass
                        bad.append(f"line {n}: longer than {MAX_LINE} characters")
                    elif line.strip():
                        yield f"line {n}", json.loads(line)
                except ValueError as e:  # not JSON, or a number of more digits than Python converts
                    bad.append(f"line {n}: not valid JSON ({getattr(e, 'msg', 'a number too long')})")
    except (OSError, UnicodeDecodeError, RecursionError, csv.Error) as e:
        raise PredictionError(str(path), "predictions-unreadable", f"cannot be read ({clip(e)})") from None


def read_records(predictions, holders: bool) -> tuple[str, list[tuple[str, object]], list[str]]:
    """(source, [(where, record)], unreadable records) of predictions: a file, a DataFrame, a mapping
    id → label, an iterable of records or (id, label) pairs; for holders a file or a list of records."""
    source = str(predictions) if isinstance(predictions, (str, Path)) else type(predictions).__name__
    if isinstance(predictions, (str, Path)):
        path, bad = Path(predictions), Examples()
        if path.is_file():
            records = _file_records(path, holders, bad)
            return source, list(records) if holders else records, bad
        raise PredictionError(
            source, "predictions-missing", "not a file" if path.exists() else "no such file"
        )
    if holders and not isinstance(predictions, (list, tuple)):
        raise PredictionError(source, "predictions-type", "holder predictions are a file or list of records")
    if hasattr(predictions, "columns") and hasattr(predictions, "to_dict"):  # a pandas DataFrame
        if missing := ", ".join(c for c in ("id", "label") if c not in predictions.columns):
            raise PredictionError(
                source, "predictions-type", f"the columns id and label are needed (missing: {missing})"
            )
        predictions = predictions.to_dict("records")
    if not isinstance(predictions, Iterable):
        raise PredictionError(
            source, "predictions-type", "must be a file, DataFrame, mapping id → label or (id, label) pairs"
        )
    pairs = (
        dict(zip(("id", "label"), item)) if isinstance(item, (tuple, list)) and len(item) == 2 else item
        for item in (predictions.items() if isinstance(predictions, Mapping) else predictions)
    )
    return source, [(f"item {i}", rec) for i, rec in enumerate(pairs)], Examples()


def check_predictions(predictions, gold_ids: list, all_ids: set, names: list[str], scope: str, version=None):
    """Map every id of gold_ids to a label index, or raise PredictionError naming the offenders.
    all_ids: every id a prediction may name (the scored split's rows, before any restriction).
    A file names the data version it was made for, which must be the data's, in a record of its own
    (a first line {"dataset_version": "0.4.0"}) or a field (a CSV column) dataset_version."""
    source, records, unreadable = read_records(predictions, holders=False)
    # a label is its name (any case) or its index, as an int, digits or an integral float
    index_of = {str(x): i for i, name in enumerate(names) for x in (name.lower(), i, float(i))}
    seen: dict[str, Examples] = {}  # where each id of all_ids is predicted
    labels, bad_labels, bad_ids, other_version = {}, Examples(), Examples(), Examples()
    for where, rec in records:
        if isinstance(rec, Mapping) and "dataset_version" in rec:
            if rec["dataset_version"] != version:
                other_version.append(f"{clip(rec['dataset_version'])} ({where})")
            if len(rec) == 1:  # the version alone: not a prediction
                continue
        pid, value = (rec.get("id"), rec.get("label")) if isinstance(rec, Mapping) else (None, None)
        if any(v is None or isinstance(v, str) and not v for v in (pid, value)):
            unreadable.append(f"{where}: a record needs an id and a label")
            continue
        pid, value = (v if isinstance(v, str) else clip(v) for v in (pid, value))  # clip: even 5,000 digits
        index = index_of.get(value.strip().lower())
        if pid not in all_ids:
            bad_ids.append(f"{clip(pid)} ({where})")
            continue
        seen.setdefault(pid, Examples()).append(where)
        if index is None:
            bad_labels.append(f"{clip(value)} ({where})")
        else:
            labels[pid] = index
    doubled = [f"{pid!r} ({shortlist(w)})" for pid, w in seen.items() if w.total > 1]
    missing = [pid for pid in gold_ids if pid not in seen]
    problems = Problems()
    add = partial(problems.add, source, None)
    if other_version:
        made_for = f"{other_version.total} record(s) made for another version of the data than {version}"
        add("data-version-mismatch", f"{made_for}: {shortlist(other_version)}")
    if unreadable:
        add("prediction-record", f"{unreadable.total} unreadable record(s): {shortlist(unreadable)}")
    if not seen and not bad_ids and not unreadable:  # every record goes to one of them
        add("no-predictions", "no predictions at all")
    if missing:
        add(
            "missing-prediction",
            f"{len(missing)} missing id(s) of {len(gold_ids)} rows of {scope} have no prediction: "
            f"{shortlist(missing)}",
        )
    if bad_ids:
        add("unknown-id", f"{bad_ids.total} unknown id(s), not rows of {scope}: {shortlist(bad_ids)}")
    if doubled:
        add("duplicate-prediction", f"{len(doubled)} id(s) predicted more than once: {shortlist(doubled)}")
    if bad_labels:
        valid = f"{', '.join(names)} or 0–{len(names) - 1}"
        add("unknown-label", f"{bad_labels.total} unknown label(s) (valid: {valid}): {shortlist(bad_labels)}")
    if problems:
        raise PredictionError(source, problems=problems.items)
    return labels
