"""Reading and checking predictions, shared by the stance, comparison and holder scorers.

Stance predictions are one label per row of the `stance` config: a JSONL file of objects
`{"id": ..., "label": ...}`, a CSV file with columns `id,label`, a pandas DataFrame with those
columns, a mapping id → label, or an iterable of (id, label) pairs. Labels are the names
(`none`, `against`, `favor`, any case) or their ClassLabel indices (0, 1, 2). The predictions are
checked before anything is scored: missing ids, unknown ids, duplicates and unknown labels are
errors, reported together in one PredictionError.
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from functools import partial
from pathlib import Path

from belgrade_stance.errors import DatasetError, Problem, Problems, exit_code

SHOW = 5
"""Offenders listed per kind of problem in a PredictionError."""


class PredictionError(DatasetError):
    """Predictions that cannot be scored. `problems` holds every problem found (errors.Problems),
    `rules` their rule ids; `rule` is the first problem's rule."""

    def __init__(self, source: str, problems: list[Problem]):
        self.source = source
        self.problems = Problems(list(problems))
        self.rules = self.problems.rules()
        listed = "\n".join(f"  - [{p.rule}] {p.message}" for p in problems)
        super().__init__(problems[0].rule, "cannot be scored, nothing was scored:\n" + listed, source)
        self.exit = exit_code(self.rules)


def shortlist(items: list[str]) -> str:
    """The first SHOW items, and how many more there are."""
    shown = ", ".join(items[:SHOW])
    return shown + (f", … ({len(items) - SHOW} more)" if len(items) > SHOW else "")


def _file_records(path: Path, required: tuple[str, ...], mapping: bool):
    """(where, record) per record of a prediction file, and the lines that could not be read."""
    text = path.read_text(encoding="utf-8-sig")
    suffix = path.suffix.lower()
    if suffix not in (".jsonl", ".csv", ".json", ".ndjson"):
        suffix = ".jsonl" if text.lstrip().startswith("{") else ".csv"
    if suffix == ".csv":
        reader = csv.DictReader(io.StringIO(text))
        fields = [f.strip() for f in (reader.fieldnames or [])]
        if not set(required) <= set(fields):
            found = ", ".join(fields) or "nothing"
            return [], [
                f"line 1: the CSV header must name the columns {' and '.join(required)} (found: {found})"
            ]
        reader.fieldnames = fields
        return [
            (f"line {reader.line_num}", {k: (v.strip() if isinstance(v, str) else v) for k, v in rec.items()})
            for rec in reader
        ], []
    if suffix == ".json":
        try:
            obj = json.loads(text)
        except json.JSONDecodeError as e:
            return [], [f"line {e.lineno}: not valid JSON ({e.msg})"]
        if mapping and isinstance(obj, Mapping):
            return [(f"key {k!r}", {"id": k, "label": v}) for k, v in obj.items()], []
        if not isinstance(obj, list):
            alternative = " or an object id → label" if mapping else ""
            return [], [f"line 1: a .json file holds a list of objects{alternative}"]
        return [(f"item {i}", rec) for i, rec in enumerate(obj)], []
    records, bad = [], []
    for n, line in enumerate(text.splitlines(), 1):
        if line.strip():
            try:
                records.append((f"line {n}", json.loads(line)))
            except json.JSONDecodeError as e:
                bad.append(f"line {n}: not valid JSON ({e.msg})")
    return records, bad


def read_prediction_file(
    predictions: str | Path, required: tuple[str, ...] = ("id", "label"), mapping: bool = True
):
    """The records of a prediction file, as [(where, record)], and the lines that could not be
    read; PredictionError if the file cannot be read at all (missing, not UTF-8, not CSV, nested
    too deeply, unreadable).

    .jsonl/.ndjson: one JSON object per line; .json: a list of objects (or, with mapping, one
    object id → label); .csv: a header naming at least the required columns. Another suffix is
    read as JSON Lines if the text starts with "{", else as CSV."""
    path = Path(predictions)
    source = str(path)
    try:
        if path.is_file():
            return _file_records(path, required, mapping)
        problem = Problem(
            source, None, "predictions-missing", "not a file" if path.exists() else "no such file"
        )
    except UnicodeDecodeError as e:
        problem = Problem(
            source, None, "predictions-unreadable", f"not UTF-8 text ({e.reason} at byte {e.start})"
        )
    except RecursionError:
        problem = Problem(source, None, "predictions-unreadable", "JSON nested too deeply to be predictions")
    except csv.Error as e:
        problem = Problem(source, None, "predictions-unreadable", f"not a readable CSV file ({e})")
    except OSError as e:
        problem = Problem(source, None, "predictions-unreadable", f"cannot be read ({e.strerror or e})")
    raise PredictionError(source, [problem])


def _stance_rows(predictions) -> tuple[str, list[tuple[str, object, object]], list[str]]:
    """Any accepted form of stance predictions as (source name, [(where, id, label)], unreadable records)."""
    if isinstance(predictions, (str, Path)):
        records, bad = read_prediction_file(predictions)
        rows = []
        for where, rec in records:
            if not isinstance(rec, Mapping) or "id" not in rec or "label" not in rec:
                bad.append(f"{where}: each record must be an object with the keys id and label")
            elif rec["id"] in (None, "") or rec["label"] in (None, ""):
                bad.append(f"{where}: a row needs both id and label")
            else:
                rows.append((where, rec["id"], rec["label"]))
        return str(predictions), rows, bad
    if hasattr(predictions, "columns") and hasattr(predictions, "itertuples"):  # a pandas DataFrame
        missing = [c for c in ("id", "label") if c not in predictions.columns]
        if missing:
            problem = Problem(
                "DataFrame",
                None,
                "predictions-type",
                f"the columns id and label are needed (missing: {', '.join(missing)})",
            )
            raise PredictionError("DataFrame", [problem])
        rows = predictions[["id", "label"]].itertuples(index=False)
        return "DataFrame", [(f"row {i}", r.id, r.label) for i, r in enumerate(rows)], []
    if isinstance(predictions, Mapping):
        return "mapping", [(f"key {k!r}", k, v) for k, v in predictions.items()], []
    if isinstance(predictions, Iterable):
        rows, bad = [], []
        for i, item in enumerate(predictions):
            if isinstance(item, Mapping) and "id" in item and "label" in item:
                rows.append((f"item {i}", item["id"], item["label"]))
            elif isinstance(item, (tuple, list)) and len(item) == 2:
                rows.append((f"item {i}", item[0], item[1]))
            else:
                bad.append(f"item {i}: expected an (id, label) pair or an object with id and label")
        return "predictions", rows, bad
    source = type(predictions).__name__
    problem = Problem(
        source,
        None,
        "predictions-type",
        "predictions must be a file path, a DataFrame, a mapping id → label or an iterable of (id, label)",
    )
    raise PredictionError(source, [problem])


def _label_index(value, names: list[str]) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int) or (isinstance(value, float) and value.is_integer()):
        return int(value) if 0 <= value < len(names) else None
    if hasattr(value, "item") and not isinstance(value, str):  # numpy scalars
        return _label_index(value.item(), names)
    if isinstance(value, str):
        v = value.strip()
        lowered = [n.lower() for n in names]
        if v.lower() in lowered:
            return lowered.index(v.lower())
        if v.isdigit():
            return _label_index(int(v), names)
    return None


def check_predictions(predictions, gold_ids: list[str], all_ids: set[str], names: list[str], scope: str):
    """Map every id of gold_ids to a label index, or raise PredictionError naming the offenders.

    all_ids: every id a prediction may name (the rows of the scored split, before any restriction).
    """
    source, rows, unreadable = _stance_rows(predictions)
    seen: dict[str, list[str]] = defaultdict(list)
    labels: dict[str, int] = {}
    unknown_labels, unknown_ids = [], []
    for where, pid, value in rows:
        pid = str(pid)
        seen[pid].append(where)
        if pid not in all_ids:
            unknown_ids.append(f"{pid!r} ({where})")
            continue
        index = _label_index(value, names)
        if index is None:
            unknown_labels.append(f"{value!r} ({where})")
        else:
            labels[pid] = index
    duplicates = [f"{pid!r} ({', '.join(w)})" for pid, w in seen.items() if len(w) > 1]
    missing = [pid for pid in gold_ids if pid not in seen]
    problems = Problems()
    add = partial(problems.add, source, None)
    if unreadable:
        add("prediction-record", f"{len(unreadable)} unreadable record(s): {shortlist(unreadable)}")
    if not rows and not unreadable:
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
        add(
            "unknown-label",
            f"{len(unknown_labels)} unknown label(s) (valid: {', '.join(names)} or 0–{len(names) - 1}): "
            f"{shortlist(unknown_labels)}",
        )
    if problems:
        raise PredictionError(source, problems.items)
    return labels
