"""Label Studio: a pass's raw annotations as pre-annotated tasks, and a Label Studio JSON export
back into raw/annotations/<pass>/ (the same standoff records).

    belgrade-stance label-studio export --out DIR [--pass gold]
        DIR/tasks.json           one task per body sentence, with the pass's records as predictions
        DIR/label-config.xml     the labelling configuration to create the project with
    belgrade-stance label-studio import EXPORT.json [--pass gold]
        rewrites raw/annotations/<pass>/<doc_id>.jsonl of every document in the export

A task's text is the sentence; offsets in Label Studio are sentence offsets, raw offsets are
restored from raw/segments/. What each part of an annotation means:
* `entity` regions (labels = entity types), with the per-region text area `entity_id`;
* `stance_<target>` choices: the item's label (none / against / favor) for each target;
* `evidence` regions, labelled with the target, one per favor/against record, with per-region
  controls `evidence_label` (against/favor), `holder_type`, `holder_id` (entity id or group
  description), `primary` and `reason`; a `holder_span` region linked to the evidence region by a
  relation marks the holder's words (absent for the author);
* `reason_<target>` text areas: the adjudication reason of a none record.
The import takes each task's most recent annotation (pre-annotations left unreviewed count as
they are) and refuses anything it cannot turn into valid records, naming task and region.
"""

from __future__ import annotations

import json
from pathlib import Path
from xml.sax.saxutils import quoteattr as q

from belgrade_stance_schema.inventory import ENTITY_TYPES, HOLDER_TYPES, STANCE_LABELS, TARGETS

from belgrade_stance.errors import DatasetError, Problems
from belgrade_stance.files import atomic_write
from belgrade_stance.outputs import check_out, fill
from belgrade_stance_build.layout import Layout
from belgrade_stance_build.stages.metadata import read_metadata
from belgrade_stance_build.stages.raw_records import read_jsonl
from belgrade_stance_build.stages.segments import read_segments
from belgrade_stance_build.stages.texts import check_listing, read_text

COLOURS = ["#f4a261", "#2a9d8f", "#e9c46a", "#8ecae6", "#b5e48c", "#cdb4db", "#ffafcc", "#adb5bd"]
FAVOR_AGAINST = [lab for lab in STANCE_LABELS if lab != "none"]


class LabelStudioError(DatasetError):
    """An export or import that cannot be done; its place names the file, task or region."""


STANCE_CONFIG = """\
  <Header value="Stance towards {target}" size="6"/>
  <Choices name="stance_{target}" toName="text" choice="single-radio" showInline="true">
{labels}
  </Choices>
  <TextArea name="reason_{target}" toName="text" rows="1" placeholder="adjudication reason (optional)"/>
"""
"""The labelling configuration's part for one target (label-config.xml holds the rest)."""


def _items(tag: str, values, indent: int, colours: list[str] | None = None) -> str:
    """One line <tag value="…"/> per value, with a background colour for labels."""
    colours = [f" background={q(c)}" for c in colours] if colours else [""]
    return "\n".join(
        f"{' ' * indent}<{tag} value={q(v)}{colours[i % len(colours)]}/>" for i, v in enumerate(values)
    )


def label_config() -> str:
    """The labelling configuration (Label Studio XML) matching the tasks and the import:
    label-config.xml beside this module, filled in from the inventory."""
    labels = _items("Choice", STANCE_LABELS, 4)
    config = Path(__file__).with_name("label-config.xml").read_text(encoding="utf-8")
    return config.format(
        entity_types=_items("Label", ENTITY_TYPES, 4, COLOURS),
        targets=_items("Label", TARGETS, 4, ["#e63946"]),
        favor_against=_items("Choice", FAVOR_AGAINST, 6),
        holder_types=_items("Choice", HOLDER_TYPES, 6),
        stance="".join(STANCE_CONFIG.format(target=t, labels=labels) for t in TARGETS),
    )


def _documents(layout: Layout, wanted: set[str] | None = None, pass_name: str | None = None) -> dict:
    """doc_id → (raw text, sentences, records of the pass's file or None) of the metadata's documents
    (those in wanted, when given); LabelStudioError if raw/ has problems."""
    problems = Problems()
    metadata = read_metadata(layout, problems)
    if not problems:
        check_listing(layout, metadata, problems)
    out = {}
    for row in [] if problems else metadata:
        doc = row["doc_id"]
        if wanted is None or doc in wanted:
            text = read_text(layout, row, problems)
            segments = read_segments(layout, doc, text, problems) if text is not None else None
            path = layout.annotation_file(pass_name, doc) if pass_name else None
            lines = read_jsonl(path, layout.rel(path), problems) if path and path.is_file() else None
            if segments is not None:
                out[doc] = (text, segments.sentences, None if lines is None else [rec for _, rec in lines])
    if problems:
        where, report = layout.rel(layout.raw), problems.report()
        raise LabelStudioError(
            "ls-raw-problems", f"has problems (run belgrade-stance build):\n{report}", where
        )
    return out


def task_results(sentence, records: list[dict]) -> list[dict]:
    """The Label Studio result items of one sentence's records (sentence offsets)."""
    res: list[dict] = []

    def item(rid: str, name: str, kind: str, value: dict, span: dict | None = None) -> None:
        if span is not None:
            start, end = span["start"] - sentence.start, span["end"] - sentence.start
            value = {"start": start, "end": end, "text": span["text"], **value}
        res.append({"id": rid, "from_name": name, "to_name": "text", "type": kind, "value": value})

    n = 0
    for rec in records:
        if rec["type"] == "entity":
            n += 1
            item(f"{sentence.id}-e{n}", "entity", "labels", {"labels": [rec["label"]]}, rec)
            item(f"{sentence.id}-e{n}", "entity_id", "textarea", {"text": [rec["entity_id"]]}, rec)
    for target in TARGETS:
        recs = [r for r in records if r["type"] == "stance" and r["target"] == target]
        if not recs:
            continue
        if len(recs) == 1 and recs[0]["label"] == "none" and recs[0].get("reason"):
            item(f"{sentence.id}-r-{target}", f"reason_{target}", "textarea", {"text": [recs[0]["reason"]]})
        for rec in recs if recs[0]["label"] != "none" else []:
            n += 1
            rid, hid, ev = f"{sentence.id}-v{n}", f"{sentence.id}-h{n}", rec["evidence"]
            item(rid, "evidence", "labels", {"labels": [target]}, ev)
            item(rid, "evidence_label", "choices", {"choices": [rec["label"]]}, ev)
            item(rid, "holder_type", "choices", {"choices": [rec["holder_type"]]}, ev)
            item(rid, "holder_id", "textarea", {"text": [rec["holder"]]}, ev)
            if rec.get("primary"):
                item(rid, "primary", "choices", {"choices": ["primary"]}, ev)
            if rec.get("reason"):
                item(rid, "reason", "textarea", {"text": [rec["reason"]]}, ev)
            if rec.get("holder_span"):
                item(hid, "holder_span", "labels", {"labels": ["holder"]}, rec["holder_span"])
                relation = {"from_id": hid, "to_id": rid, "direction": "right", "labels": ["holds"]}
                res.append({"type": "relation", **relation})
        labels = {r["label"] for r in recs}
        label = labels.pop() if len(labels) == 1 else next(r["label"] for r in recs if r.get("primary"))
        item(f"{sentence.id}-c-{target}", f"stance_{target}", "choices", {"choices": [label]})
    return res


def export_label_studio(layout: Layout, out: Path, pass_name: str = "gold") -> list[Path]:
    """out/tasks.json and out/label-config.xml (out written whole, only over an empty folder or an
    earlier, unchanged output of this export: belgrade_stance.outputs)."""
    command = "label-studio export"
    target = check_out(out, command, [(layout.data, "data/"), (layout.raw, "raw/")])  # before any work
    tasks = []
    for doc, (_, sentences, records) in _documents(layout, pass_name=pass_name).items():
        for s in sentences if records is not None else []:
            result = task_results(s, [r for r in records if r.get("sentence") == s.id])
            prediction = {"model_version": f"belgrade-stance {pass_name} pass", "result": result}
            data = {"text": s.text, "doc_id": doc, "sentence_id": s.id, "raw_start": s.start}
            tasks.append({"data": data, "predictions": [prediction]})
    with fill(target, command) as tmp:
        (tmp / "tasks.json").write_text(
            json.dumps(tasks, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
        )
        (tmp / "label-config.xml").write_text(label_config(), encoding="utf-8")
    return [Path(out) / "tasks.json", Path(out) / "label-config.xml"]


def _result_of(task: dict) -> list[dict]:
    """The most recent submitted annotation of a task, else its latest prediction."""
    annotations = [a for a in task.get("annotations") or [] if not a.get("was_cancelled")]
    annotations.sort(key=lambda a: (a.get("updated_at") or a.get("created_at") or "", a.get("id") or 0))
    predictions = [p for p in task.get("predictions") or [] if isinstance(p, dict)]  # or their ids only
    return (annotations or predictions or [{"result": []}])[-1]["result"]


def records_of(task: dict, sentence, text: str, at: str) -> list[dict]:
    """Raw records of one task, checked against the raw text (at: the task, for messages)."""
    regions: dict[str, dict] = {}
    choices, reasons, holder_of = {}, {}, {}
    for r in _result_of(task):
        name, v = r.get("from_name", ""), r.get("value", {})
        if r.get("type") == "relation":
            holder_of[r["to_id"]] = r["from_id"]
        elif name.startswith("stance_"):
            choices[name.removeprefix("stance_")] = (v.get("choices") or [None])[0]
        elif name.startswith("reason_"):
            reasons[name.removeprefix("reason_")] = " ".join(v.get("text") or [])
        else:
            reg = regions.setdefault(r["id"], {"span": (v.get("start"), v.get("end"))})
            if r["type"] == "labels":
                reg["kind"], reg["label"] = name, (v.get("labels") or [None])[0]
            elif r["type"] == "choices":
                reg[name] = v.get("choices") or []
            elif r["type"] == "textarea":
                reg[name] = " ".join(v.get("text") or [])

    def span(rid: str, what: str) -> dict:
        start, end = regions[rid]["span"]
        a, b = sentence.start + start, sentence.start + end
        if not sentence.start <= a < b <= sentence.end:
            raise LabelStudioError(
                "ls-region", f"{what} region {rid} ({start}–{end}) is outside the sentence", at
            )
        return {"start": a, "end": b, "text": text[a:b]}

    out: list[dict] = []
    evidence: dict[str, list[dict]] = {t: [] for t in TARGETS}
    for rid, reg in regions.items():
        if reg.get("kind") == "entity":
            label, entity_id = reg["label"], reg.get("entity_id", "").strip()
            if label not in ENTITY_TYPES:
                raise LabelStudioError("ls-region", f"entity region {rid} has the unknown type {label!r}", at)
            found = span(rid, "entity")
            if not entity_id:
                raise LabelStudioError("ls-region", f"entity region {rid} has no entity_id", at)
            found |= {"label": label, "entity_id": entity_id}
            out.append({"type": "entity", "sentence": sentence.id, **found})
        elif reg.get("kind") == "evidence":
            target = reg["label"]
            label, htype = ((reg.get(k) or [None])[0] for k in ("evidence_label", "holder_type"))
            if target not in TARGETS or label not in FAVOR_AGAINST or htype not in HOLDER_TYPES:
                got = f"got {target!r}, {label!r}, {htype!r}"
                raise LabelStudioError(
                    "ls-region",
                    f"evidence region {rid} needs a target, a label and a holder type ({got})",
                    at,
                )
            hid, primary = holder_of.get(rid), "primary" in reg.get("primary", [])
            rec = {"type": "stance", "sentence": sentence.id, "target": target, "label": label}
            rec |= {"holder_type": htype, "holder": reg.get("holder_id", "").strip()}
            rec |= {"holder_span": span(hid, "holder") if hid else None, "evidence": span(rid, "evidence")}
            rec |= {"primary": primary} | ({"reason": reg["reason"]} if reg.get("reason") else {})
            evidence[target].append(rec)
    for target, recs in evidence.items():
        label = choices.get(target)
        if label is None:
            raise LabelStudioError("ls-stance-choice", f"no stance choice for target {target!r}", at)
        if (label == "none") == bool(recs):
            raise LabelStudioError(
                "ls-stance-choice", f"target {target!r} is {label} with {len(recs)} evidence regions", at
            )
        if label == "none":
            rec = {"type": "stance", "sentence": sentence.id, "target": target, "label": "none"}
            out.append(rec | ({"reason": reasons[target]} if reasons.get(target) else {}))
        out += recs
    return out


def _same(rec: dict) -> str:
    """A record's identity for comparison: its JSON with sorted keys, null holder_span as absent."""
    return json.dumps({k: v for k, v in rec.items() if v is not None or k != "holder_span"}, sort_keys=True)


def _slot(record: dict) -> tuple:
    """What a changed record replaces: an entity, or a stance record towards the same target."""
    return record.get("type"), record.get("target")


def _merge(path: Path, records: list[dict], sentences) -> str:
    """The new file: per sentence, the unchanged lines of the old file verbatim and in place, a
    changed record in the place of an old record of its kind (an entity, or stance towards the
    same target) that is gone, new records after them. A round trip without corrections gives
    the same bytes; a correction changes only its own lines."""
    old: dict[str, list[tuple[dict, str]]] = {}
    for line in path.read_text(encoding="utf-8").splitlines() if path.is_file() else []:
        try:
            rec = json.loads(line)
            old.setdefault(rec.get("sentence"), []).append((rec, line))
        except (ValueError, AttributeError):
            pass  # not a record: the build reports it; the import replaces it
    lines = []
    for s in sentences:
        new = [r for r in records if r["sentence"] == s.id]
        new.sort(key=lambda r: (r["type"], r.get("start", 0)))  # entities in reading order, then stance
        olds = old.get(s.id, [])
        placed: list[str | None] = [None] * len(olds)
        for key in (_same, _slot):  # first unchanged records, then changed ones in the place of old ones
            for k, (rec, line) in enumerate(olds):
                match = next((r for r in new if placed[k] is None and key(r) == key(rec)), None)
                if match is not None:
                    new.remove(match)
                    placed[k] = line if key is _same else json.dumps(match, ensure_ascii=False)
        lines += [line for line in placed if line is not None]
        lines += [json.dumps(r, ensure_ascii=False) for r in new]
    return "".join(line + "\n" for line in lines)


def import_label_studio(layout: Layout, export: Path, pass_name: str = "gold") -> list[Path]:
    """Rewrite raw/annotations/<pass>/<doc>.jsonl for every document of a Label Studio JSON export."""
    where = str(export)
    try:
        tasks = json.loads(Path(export).read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise LabelStudioError(
            "ls-unreadable", f"not a readable Label Studio JSON export ({e})", where
        ) from None
    if not isinstance(tasks, list):
        raise LabelStudioError("ls-unreadable", "a Label Studio JSON export is a list of tasks", where)
    docs: dict[str, list[dict]] = {}
    for i, task in enumerate(tasks):
        data = task.get("data") if isinstance(task, dict) else None
        ids = [data.get("doc_id"), data.get("sentence_id")] if isinstance(data, dict) else [None]
        if not all(isinstance(x, str) and x for x in ids):
            name = task.get("id", i) if isinstance(task, dict) else i
            raise LabelStudioError(
                "ls-task-data", f"task {name} has no doc_id/sentence_id in its data", where
            )
        docs.setdefault(data["doc_id"], []).append(task)
    corpus = _documents(layout, wanted=set(docs))
    written: dict[Path, str] = {}
    for doc, doc_tasks in docs.items():
        if doc not in corpus:
            raise LabelStudioError(
                "ls-unknown-document", f"no document {doc!r} in {layout.rel(layout.metadata)}", where
            )
        text, sentences, _ = corpus[doc]
        by_id, seen, records = {s.id: s for s in sentences}, set(), []
        for task in doc_tasks:
            sid = task["data"]["sentence_id"]
            at = f"{export}: task {task.get('id', '?')} ({sid})"
            if sid not in by_id:
                raise LabelStudioError(
                    "ls-unknown-sentence", f"no such sentence in {layout.rel(layout.segments)}", at
                )
            if sid in seen:
                raise LabelStudioError("ls-duplicate-task", "the sentence appears in two tasks", at)
            seen.add(sid)
            if by_id[sid].text != task["data"].get("text"):
                raise LabelStudioError(
                    "ls-text-changed", "the task's text differs from the sentence in raw/segments", at
                )
            try:
                records += records_of(task, by_id[sid], text, at)
            except LabelStudioError:
                raise
            except (KeyError, TypeError, AttributeError, ValueError) as e:
                why = f"{type(e).__name__}: {e}"
                raise LabelStudioError(
                    "ls-unreadable", f"not the shape of a Label Studio export ({why})", at
                ) from None
        missing = [s.id for s in sentences if s.id not in seen]
        if missing:
            shown = ", ".join(missing[:5])
            raise LabelStudioError(
                "ls-missing-tasks", f"{doc} lacks tasks for {len(missing)} sentences: {shown}", where
            )
        path = layout.annotation_file(pass_name, doc)
        written[path] = _merge(path, records, sentences)
    for path, content in written.items():  # every document converted before any file is replaced
        atomic_write(path, content)
    return list(written)
