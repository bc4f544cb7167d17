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
        self.source = source
        self.problems = Problems(problems or [Problem(source, None, rule, message)])
        self.rules = self.problems.rules()
        listed = "\n".join(f"  - [{p.rule}] {p.message}" for p in self.problems.items)
        first = self.problems.items[0].rule
        super().__init__(first, "cannot be scored, nothing was scored:\n" + listed, source)


def shortlist(items: list[str], show: int = 5) -> str:
    """The first items, and how many more there are."""
    return ", ".join(items[:show]) + (f", … ({len(items) - show} more)" if len(items) > show else "")


def _file_records(path: Path, holders: bool) -> tuple[list, list[str]]:
    """.jsonl/.ndjson: a JSON object per line; .json: a list of objects (or, for stance, one object
    id → label); .csv: a header naming id and label. Another suffix is JSON Lines if the text
    starts with "{", else CSV."""
    text = path.read_text(encoding="utf-8-sig")
    suffix = path.suffix.lower()
    if suffix not in (".jsonl", ".csv", ".json", ".ndjson"):
        suffix = ".jsonl" if text.lstrip().startswith("{") else ".csv"
    if suffix == ".csv" and holders:
        raise PredictionError(str(path), "predictions-type", "holder predictions are JSON Lines, not CSV")
    if suffix == ".csv":
        reader = csv.DictReader(io.StringIO(text))
        reader.fieldnames = [f.strip() for f in reader.fieldnames or []]
        if not {"id", "label"} <= set(reader.fieldnames):
            found = ", ".join(reader.fieldnames) or "nothing"
            return [], [f"line 1: the CSV header must name the columns id and label (found: {found})"]
        stripped = ({k: v.strip() if isinstance(v, str) else v for k, v in rec.items()} for rec in reader)
        return [(f"line {reader.line_num}", rec) for rec in stripped], []
    if suffix == ".json":
        try:
            obj = json.loads(text)
        except json.JSONDecodeError as e:
            return [], [f"line {e.lineno}: not valid JSON ({e.msg})"]
        if isinstance(obj, Mapping) and not holders:
            return [(f"key {k!r}", {"id": k, "label": v}) for k, v in obj.items()], []
        if not isinstance(obj, list):
            return [], [
                "line 1: a .json file holds a list of objects"
                + ("" if holders else " or an object id → label")
            ]
        return [(f"item {i}", rec) for i, rec in enumerate(obj)], []
    records, bad = [], []
    for n, line in enumerate(text.splitlines(), 1):
        try:
            if line.strip():
                records.append((f"line {n}", json.loads(line)))
        except json.JSONDecodeError as e:
            bad.append(f"line {n}: not valid JSON ({e.msg})")
    return records, bad


def read_records(predictions, holders: bool = False) -> tuple[str, list[tuple[str, object]], list[str]]:
    """(source, [(where, record)], records that could not be read) of predictions given as a file,
    a DataFrame, a mapping id → label or an iterable of records or (id, label) pairs; a
    PredictionError if they cannot be read at all."""
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
    if hasattr(predictions, "columns") and hasattr(predictions, "to_dict"):  # a pandas DataFrame
        if missing := ", ".join(c for c in ("id", "label") if c not in predictions.columns):
            raise PredictionError(
                source, "predictions-type", f"the columns id and label are needed (missing: {missing})"
            )
        return source, [(f"row {i}", r) for i, r in enumerate(predictions.to_dict("records"))], []
    if isinstance(predictions, Mapping):
        return "mapping", [(f"key {k!r}", {"id": k, "label": v}) for k, v in predictions.items()], []
    if isinstance(predictions, Iterable):
        pairs = (
            dict(zip(("id", "label"), item)) if isinstance(item, (tuple, list)) and len(item) == 2 else item
            for item in predictions
        )
        return "predictions", [(f"item {i}", rec) for i, rec in enumerate(pairs)], []
    raise PredictionError(
        source,
        "predictions-type",
        "predictions must be a file path, a DataFrame, a mapping id → label or an iterable of (id, label)",
    )


def _label_index(value, labels: dict[str, int]) -> int | None:
    """The index of a label given as a name (any case) or an index (an int, integral float or digits)."""
    if hasattr(value, "item") and not isinstance(value, str):  # numpy scalars
        value = value.item()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        return None
    return labels.get(str(value).strip().lower())


def check_predictions(predictions, gold_ids: list[str], all_ids: set[str], names: list[str], scope: str):
    """Map every id of gold_ids to a label index, or raise PredictionError naming the offenders.
    all_ids: every id a prediction may name (the scored split's rows, before any restriction)."""
    source, records, unreadable = read_records(predictions)
    seen: dict[str, list[str]] = defaultdict(list)
    labels: dict[str, int] = {}
    index_of = {n.lower(): i for i, n in enumerate(names)} | {str(i): i for i in range(len(names))}
    unknown_labels, unknown_ids = [], []
    for where, rec in records:
        pid, value = (rec.get("id"), rec.get("label")) if isinstance(rec, Mapping) else (None, None)
        if any(v is None or isinstance(v, str) and not v for v in (pid, value)):
            unreadable.append(f"{where}: a record needs an id and a label")
            continue
        pid, index = str(pid), _label_index(value, index_of)
        seen[pid].append(where)
        if pid not in all_ids:
            unknown_ids.append(f"{pid!r} ({where})")
        elif index is None:
            unknown_labels.append(f"{value!r} ({where})")
        else:
            labels[pid] = index
    duplicates = [f"{pid!r} ({', '.join(w)})" for pid, w in seen.items() if len(w) > 1]
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
    if unknown_ids:
        add("unknown-id", f"{len(unknown_ids)} unknown id(s), not rows of {scope}: {shortlist(unknown_ids)}")
    if duplicates:
        add(
            "duplicate-prediction",
            f"{len(duplicates)} id(s) predicted more than once: {shortlist(duplicates)}",
        )
    if unknown_labels:
        valid = f"{', '.join(names)} or 0–{len(names) - 1}"
        add(
            "unknown-label",
            f"{len(unknown_labels)} unknown label(s) (valid: {valid}): {shortlist(unknown_labels)}",
        )
    if problems:
        raise PredictionError(source, problems=problems.items)
    return labels
