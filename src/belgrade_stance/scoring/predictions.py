"""Reading and checking predictions, for every scorer. Every problem is found before anything is
scored and reported together in one PredictionError."""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from functools import partial
from pathlib import Path

from belgrade_stance.errors import DatasetError, Problem, Problems


class PredictionError(DatasetError):
    """Predictions that cannot be scored: one problem (rule, message), or every problem found."""

    def __init__(self, source: str, rule: str = "", message: str = "", problems: list[Problem] | None = None):
        problems = problems or [Problem(source, None, rule, message)]
        self.source = source
        self.rules = {p.rule for p in problems}
        listed = "".join(f"\n  - [{p.rule}] {p.message}" for p in problems)
        super().__init__(problems[0].rule, "cannot be scored, nothing was scored:" + listed, source)


def shortlist(items: list[str]) -> str:
    """The first five items, and how many more there are."""
    return ", ".join(items[:5]) + (f", … ({len(items) - 5} more)" if len(items) > 5 else "")


def _file_records(path: Path, holders: bool) -> tuple[list, list[str]]:
    """Records of a CSV file (.csv, or another suffix whose text does not start with "{") or JSON Lines."""
    text = path.read_text(encoding="utf-8-sig")
    suffix = path.suffix.lower()
    if suffix == ".csv" or (suffix not in (".jsonl", ".ndjson") and not text.lstrip().startswith("{")):
        if holders:
            raise PredictionError(str(path), "predictions-type", "holder predictions are JSON Lines, not CSV")
        reader = csv.DictReader(io.StringIO(text))
        reader.fieldnames = [f.strip() for f in reader.fieldnames or []]
        if not {"id", "label"} <= set(reader.fieldnames):
            found = ", ".join(reader.fieldnames) or "nothing"
            return [], [f"line 1: the CSV header must name the columns id and label (found: {found})"]
        stripped = ({k: v.strip() if isinstance(v, str) else v for k, v in rec.items()} for rec in reader)
        return [(f"line {reader.line_num}", rec) for rec in stripped], []
    records, bad = [], []
    for n, line in enumerate(text.splitlines(), 1):
        try:
            if line.strip():
                records.append((f"line {n}", json.loads(line)))
        except json.JSONDecodeError as e:
            bad.append(f"line {n}: not valid JSON ({e.msg})")
    return records, bad


def read_records(predictions, holders: bool) -> tuple[str, list[tuple[str, object]], list[str]]:
    """(source, [(where, record)], unreadable records) of predictions: a file, a DataFrame, a mapping
    id → label, an iterable of records or (id, label) pairs; for holders a file or a list of records."""
    source = str(predictions) if isinstance(predictions, (str, Path)) else type(predictions).__name__
    if isinstance(predictions, (str, Path)):
        path = Path(predictions)
        try:
            if path.is_file():
                return source, *_file_records(path, holders)
        except (OSError, UnicodeDecodeError, RecursionError, csv.Error) as e:
            raise PredictionError(source, "predictions-unreadable", f"cannot be read ({e})") from None
        raise PredictionError(
            source, "predictions-missing", "not a file" if path.exists() else "no such file"
        )
    if holders and not isinstance(predictions, (list, tuple)):
        raise PredictionError(
            source, "predictions-type", "holder predictions are a JSON Lines file or a list of records"
        )
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
    return source, [(f"item {i}", rec) for i, rec in enumerate(pairs)], []


def check_predictions(predictions, gold_ids: list[str], all_ids: set[str], names: list[str], scope: str):
    """Map every id of gold_ids to a label index, or raise PredictionError naming the offenders.
    all_ids: every id a prediction may name (the scored split's rows, before any restriction)."""
    source, records, unreadable = read_records(predictions, holders=False)
    # a label is its name (any case) or its index, as an int, digits or an integral float
    index_of = {str(x): i for i, name in enumerate(names) for x in (name.lower(), i, float(i))}
    seen: dict[str, list[str]] = defaultdict(list)
    labels, bad_labels, bad_ids = {}, [], []
    for where, rec in records:
        pid, value = (rec.get("id"), rec.get("label")) if isinstance(rec, Mapping) else (None, None)
        if any(v is None or isinstance(v, str) and not v for v in (pid, value)):
            unreadable.append(f"{where}: a record needs an id and a label")
            continue
        pid, index = str(pid), index_of.get(str(value).strip().lower())
        seen[pid].append(where)
        if pid not in all_ids:
            bad_ids.append(f"{pid!r} ({where})")
        elif index is None:
            bad_labels.append(f"{value!r} ({where})")
        else:
            labels[pid] = index
    doubled = [f"{pid!r} ({', '.join(w)})" for pid, w in seen.items() if len(w) > 1]
    missing = [pid for pid in gold_ids if pid not in seen]
    problems = Problems()
    add = partial(problems.add, source, None)
    if unreadable:
        add("prediction-record", f"{len(unreadable)} unreadable record(s): {shortlist(unreadable)}")
    if not records and not unreadable:
        add("no-predictions", "no predictions at all")
    if missing:
        add(
            "missing-prediction",
            f"{len(missing)} missing id(s) of {len(gold_ids)} rows of {scope} have no prediction: "
            f"{shortlist(missing)}",
        )
    if bad_ids:
        add("unknown-id", f"{len(bad_ids)} unknown id(s), not rows of {scope}: {shortlist(bad_ids)}")
    if doubled:
        add("duplicate-prediction", f"{len(doubled)} id(s) predicted more than once: {shortlist(doubled)}")
    if bad_labels:
        valid = f"{', '.join(names)} or 0–{len(names) - 1}"
        add("unknown-label", f"{len(bad_labels)} unknown label(s) (valid: {valid}): {shortlist(bad_labels)}")
    if problems:
        raise PredictionError(source, problems=problems.items)
    return labels
