"""Label Studio: export the raw annotations of a pass as pre-annotated tasks, and import a Label
Studio JSON export back into raw/annotations/<pass>/ (the same standoff records).

    belgrade-stance export label-studio --out DIR [--pass gold]
        DIR/tasks.json           one task per body sentence, with the pass's records as predictions
        DIR/label-config.xml     the labelling configuration to create the project with
    belgrade-stance import-label-studio EXPORT.json [--pass gold]
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
from collections import defaultdict
from pathlib import Path
from xml.sax.saxutils import quoteattr

from belgrade_stance.errors import DatasetError
from belgrade_stance.files import atomic_write
from belgrade_stance_build.layout import Layout
from belgrade_stance_schema.inventory import ENTITY_TYPES, HOLDER_TYPES, STANCE_LABELS, TARGETS
from belgrade_stance_build.stages.metadata import read_metadata
from belgrade_stance_build.problems import Problems
from belgrade_stance_build.stages.records import read_jsonl
from belgrade_stance_build.stages.segments import read_segments
from belgrade_stance_build.stages.texts import check_listing, read_text

COLOURS = ["#f4a261", "#2a9d8f", "#e9c46a", "#8ecae6", "#b5e48c", "#cdb4db", "#ffafcc", "#adb5bd"]
FAVOR_AGAINST = [lab for lab in STANCE_LABELS if lab != "none"]


class LabelStudioError(DatasetError):
    """An export or import that cannot be done; the message names the file, task or region."""

    def __init__(self, rule_id: str, where: str, message: str):
        super().__init__(rule_id, message, where)


def label_config() -> str:
    """The labelling configuration (Label Studio XML) matching the tasks and the import."""
    q = quoteattr
    ents = "\n".join(f"    <Label value={q(t)} background={q(COLOURS[i % len(COLOURS)])}/>"
                     for i, t in enumerate(ENTITY_TYPES))
    evid = "\n".join(f"    <Label value={q(t)} background=\"#e63946\"/>" for t in TARGETS)
    stance = "\n".join(
        f"  <Header value={q('Stance towards ' + t)} size=\"6\"/>\n"
        f"  <Choices name={q('stance_' + t)} toName=\"text\" choice=\"single-radio\" showInline=\"true\">\n"
        + "\n".join(f"    <Choice value={q(lab)}/>" for lab in STANCE_LABELS)
        + f"\n  </Choices>\n  <TextArea name={q('reason_' + t)} toName=\"text\" rows=\"1\" "
          f"placeholder=\"adjudication reason (optional)\"/>"
        for t in TARGETS)
    per_region = (
        "  <View visibleWhen=\"region-selected\" whenTagName=\"evidence\">\n"
        "    <Choices name=\"evidence_label\" toName=\"text\" perRegion=\"true\" choice=\"single-radio\">\n"
        + "\n".join(f"      <Choice value={q(lab)}/>" for lab in FAVOR_AGAINST)
        + "\n    </Choices>\n"
        "    <Choices name=\"holder_type\" toName=\"text\" perRegion=\"true\" choice=\"single-radio\">\n"
        + "\n".join(f"      <Choice value={q(h)}/>" for h in HOLDER_TYPES)
        + "\n    </Choices>\n"
        "    <TextArea name=\"holder_id\" toName=\"text\" perRegion=\"true\" rows=\"1\" "
        "placeholder=\"entity id or group description\"/>\n"
        "    <Choices name=\"primary\" toName=\"text\" perRegion=\"true\" choice=\"multiple\">\n"
        "      <Choice value=\"primary\"/>\n    </Choices>\n"
        "    <TextArea name=\"reason\" toName=\"text\" perRegion=\"true\" rows=\"1\"/>\n"
        "  </View>\n"
        "  <View visibleWhen=\"region-selected\" whenTagName=\"entity\">\n"
        "    <TextArea name=\"entity_id\" toName=\"text\" perRegion=\"true\" rows=\"1\" placeholder=\"entity id\"/>\n"
        "  </View>\n")
    return (
        "<View>\n"
        "  <Header value=\"$sentence_id\"/>\n"
        "  <Text name=\"text\" value=\"$text\"/>\n"
        f"  <Labels name=\"entity\" toName=\"text\">\n{ents}\n  </Labels>\n"
        f"  <Labels name=\"evidence\" toName=\"text\">\n{evid}\n  </Labels>\n"
        "  <Labels name=\"holder_span\" toName=\"text\">\n    <Label value=\"holder\" background=\"#457b9d\"/>\n  </Labels>\n"
        "  <Relations>\n    <Relation value=\"holds\"/>\n  </Relations>\n"
        + per_region + stance + "\n</View>\n")


# --------------------------------------------------------------------------- reading the checkout

def _documents(layout: Layout, doc_ids: list[str] | None = None) -> list[tuple[str, str, list]]:
    """(doc_id, raw text, sentences) of the metadata's documents (of doc_ids only, when given)."""
    problems = Problems()
    metadata = read_metadata(layout, problems)
    if not problems:
        check_listing(layout, metadata, problems)
    out = []
    for row in metadata if not problems else []:
        doc = row["doc_id"]
        if doc_ids is None or doc in doc_ids:
            text = read_text(layout, row, problems)
            seg = read_segments(layout, doc, text, problems) if text is not None else None
            if seg is not None:
                out.append((doc, text, seg.sentences))
    if problems:
        raise LabelStudioError("ls-raw-problems", layout.rel(layout.raw), "has problems (run belgrade-stance "
                               "validate):\n" + problems.report())
    return out


def _corpus(layout: Layout, pass_name: str):
    """(doc_id, sentences, records) of every document with a file of the pass."""
    problems = Problems()
    out = []
    for doc, text, sentences in _documents(layout):
        path = layout.annotation_file(pass_name, doc)
        if path.is_file():
            lines = read_jsonl(path, layout.rel(path), problems)
            if lines is not None:
                out.append((doc, text, sentences, [rec for _, rec in lines]))
    if problems:
        raise LabelStudioError("ls-raw-problems", layout.rel(layout.raw), "has problems (run belgrade-stance "
                               "validate):\n" + problems.report())
    return out


def _value(start: int, end: int, text: str, **more) -> dict:
    return {"start": start, "end": end, "text": text, **more}


def task_results(sentence, records: list[dict]) -> list[dict]:
    """The Label Studio result items of one sentence's records (sentence offsets)."""
    off = sentence.start
    res: list[dict] = []

    def item(rid, name, kind, value):
        res.append({"id": rid, "from_name": name, "to_name": "text", "type": kind, "value": value})

    n = 0
    by_target: dict[str, list[dict]] = defaultdict(list)
    for rec in records:
        if rec["type"] == "entity":
            n += 1
            rid = f"{sentence.id}-e{n}"
            span = _value(rec["start"] - off, rec["end"] - off, rec["text"])
            item(rid, "entity", "labels", {**span, "labels": [rec["label"]]})
            item(rid, "entity_id", "textarea", {**span, "text": [rec["entity_id"]]})
        elif rec["type"] == "stance":
            by_target[rec["target"]].append(rec)
    for target in TARGETS:
        recs = by_target.get(target, [])
        if not recs:
            continue
        if len(recs) == 1 and recs[0]["label"] == "none":
            label = "none"
            if recs[0].get("reason"):
                item(f"{sentence.id}-r-{target}", f"reason_{target}", "textarea", {"text": [recs[0]["reason"]]})
        else:
            label = recs[0]["label"] if len({r["label"] for r in recs}) == 1 else \
                next(r["label"] for r in recs if r.get("primary"))
            for rec in recs:
                n += 1
                rid = f"{sentence.id}-v{n}"
                ev = rec["evidence"]
                span = _value(ev["start"] - off, ev["end"] - off, ev["text"])
                item(rid, "evidence", "labels", {**span, "labels": [target]})
                item(rid, "evidence_label", "choices", {**span, "choices": [rec["label"]]})
                item(rid, "holder_type", "choices", {**span, "choices": [rec["holder_type"]]})
                item(rid, "holder_id", "textarea", {**span, "text": [rec["holder"]]})
                if rec.get("primary"):
                    item(rid, "primary", "choices", {**span, "choices": ["primary"]})
                if rec.get("reason"):
                    item(rid, "reason", "textarea", {**span, "text": [rec["reason"]]})
                if rec.get("holder_span"):
                    hs = rec["holder_span"]
                    hid = f"{sentence.id}-h{n}"
                    item(hid, "holder_span", "labels", {**_value(hs["start"] - off, hs["end"] - off, hs["text"]),
                                                   "labels": ["holder"]})
                    res.append({"type": "relation", "from_id": hid, "to_id": rid, "direction": "right",
                                "labels": ["holds"]})
        item(f"{sentence.id}-c-{target}", f"stance_{target}", "choices", {"choices": [label]})
    return res


def export_label_studio(layout: Layout, out: Path, pass_name: str = "gold") -> list[Path]:
    """out/tasks.json and out/label-config.xml (out written whole, only over an empty folder or an
    earlier, unchanged output of this export: belgrade_stance.outputs)."""
    from belgrade_stance.outputs import check_out, fill

    target = check_out(out, "export label-studio", [(layout.data, "data/"), (layout.raw, "raw/")])  # before any work
    tasks = []
    for doc, _, sentences, records in _corpus(layout, pass_name):
        by_sentence: dict[str, list[dict]] = defaultdict(list)
        for rec in records:
            by_sentence[rec.get("sentence")].append(rec)
        for s in sentences:
            tasks.append({
                "data": {"text": s.text, "doc_id": doc, "sentence_id": s.id, "raw_start": s.start},
                "predictions": [{"model_version": f"belgrade-stance {pass_name} pass",
                                 "result": task_results(s, by_sentence.get(s.id, []))}],
            })
    with fill(target, "export label-studio") as tmp:
        (tmp / "tasks.json").write_text(json.dumps(tasks, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        (tmp / "label-config.xml").write_text(label_config(), encoding="utf-8")
    return [Path(out) / "tasks.json", Path(out) / "label-config.xml"]


# --------------------------------------------------------------------------- import

def _result_of(task: dict) -> list[dict]:
    """The most recent submitted annotation of a task, else its latest prediction."""
    anns = [a for a in task.get("annotations") or [] if not a.get("was_cancelled")]
    if anns:
        return max(anns, key=lambda a: (a.get("updated_at") or a.get("created_at") or "", a.get("id") or 0))["result"]
    preds = [p for p in task.get("predictions") or [] if isinstance(p, dict)]  # exports may list ids only
    return preds[-1]["result"] if preds else []


def records_of(task: dict, sentence, text: str, where: str) -> list[dict]:
    """Raw records of one task, checked against the raw text."""
    off = sentence.start
    regions: dict[str, dict] = defaultdict(dict)
    choices: dict[str, str] = {}
    reasons: dict[str, str] = {}
    relations = []
    for r in _result_of(task):
        if r.get("type") == "relation":
            relations.append((r["from_id"], r["to_id"]))
            continue
        name, v = r.get("from_name", ""), r.get("value", {})
        if name.startswith("stance_"):
            choices[name[len("stance_"):]] = (v.get("choices") or [None])[0]
        elif name.startswith("reason_"):
            reasons[name[len("reason_"):]] = " ".join(v.get("text") or [])
        else:
            reg = regions[r["id"]]
            reg.setdefault("span", (v.get("start"), v.get("end")))
            if r["type"] == "labels":
                reg["kind"], reg["label"] = name, (v.get("labels") or [None])[0]
            elif r["type"] == "choices":
                reg[name] = v.get("choices") or []
            elif r["type"] == "textarea":
                reg[name] = " ".join(v.get("text") or [])

    def span(rid: str, what: str) -> dict:
        start, end = regions[rid]["span"]
        a, b = off + start, off + end
        if not (sentence.start <= a < b <= sentence.end):
            raise LabelStudioError("ls-region", where, f"{what} region {rid} ({start}–{end}) is outside the sentence")
        return {"start": a, "end": b, "text": text[a:b]}

    out: list[dict] = []
    evidence: dict[str, list[dict]] = defaultdict(list)
    holder_of = {to: frm for frm, to in relations}
    for rid, reg in regions.items():
        if reg.get("kind") == "entity":
            if reg["label"] not in ENTITY_TYPES:
                raise LabelStudioError("ls-region", where, f"entity region {rid} has the unknown type {reg['label']!r}")
            where_span = span(rid, "entity")
            if not reg.get("entity_id"):
                raise LabelStudioError("ls-region", where, f"entity region {rid} has no entity_id")
            out.append({"type": "entity", "sentence": sentence.id, **where_span, "label": reg["label"],
                        "entity_id": reg["entity_id"].strip()})
        elif reg.get("kind") == "evidence":
            target = reg["label"]
            label = (reg.get("evidence_label") or [None])[0]
            htype = (reg.get("holder_type") or [None])[0]
            if target not in TARGETS or label not in FAVOR_AGAINST or htype not in HOLDER_TYPES:
                raise LabelStudioError("ls-region", where, f"evidence region {rid} needs a target, a label "
                                       f"({'/'.join(FAVOR_AGAINST)}) and a holder type "
                                       f"(got {target!r}, {label!r}, {htype!r})")
            hid = holder_of.get(rid)
            rec = {"type": "stance", "sentence": sentence.id, "target": target, "label": label,
                   "holder_type": htype, "holder": (reg.get("holder_id") or "").strip(),
                   "holder_span": span(hid, "holder") if hid else None,
                   "evidence": span(rid, "evidence"), "primary": "primary" in (reg.get("primary") or [])}
            if reg.get("reason"):
                rec["reason"] = reg["reason"]
            evidence[target].append(rec)
    for target in TARGETS:
        label = choices.get(target)
        recs = evidence.get(target, [])
        if label is None:
            raise LabelStudioError("ls-stance-choice", where, f"no stance choice for target {target!r}")
        if label == "none":
            if recs:
                raise LabelStudioError("ls-stance-choice", where, f"target {target!r} is none but has {len(recs)} evidence region(s)")
            rec = {"type": "stance", "sentence": sentence.id, "target": target, "label": "none"}
            if reasons.get(target):
                rec["reason"] = reasons[target]
            out.append(rec)
        elif not recs:
            raise LabelStudioError("ls-stance-choice", where, f"target {target!r} is {label} but has no evidence region")
        else:
            out += recs
    return out


def _canonical(records: list[dict], sentences) -> list[dict]:
    order = {s.id: i for i, s in enumerate(sentences)}
    targets = list(TARGETS)
    return sorted(records, key=lambda r: (order[r["sentence"]], r["type"] != "entity", r.get("start", 0),
                                          targets.index(r["target"]) if r["type"] == "stance" else 0,
                                          r.get("evidence", {}).get("start", 0) if r.get("evidence") else 0,
                                          r.get("holder") or ""))


def _same(record: dict) -> str:
    """A record's identity for comparison: its JSON with sorted keys, null holder_span as absent."""
    r = {k: v for k, v in record.items() if not (k == "holder_span" and v is None)}
    return json.dumps(r, sort_keys=True, ensure_ascii=False)


def _slots(rec: dict) -> list[tuple]:
    """Keys from fine to coarse under which a changed record takes the place of an old one."""
    if rec.get("type") == "entity":
        return [("entity", rec.get("start"), rec.get("end")), ("entity", rec.get("entity_id"))]
    ev = rec.get("evidence") or {}
    return [("stance", rec.get("target"), rec.get("holder"), ev.get("start")), ("stance", rec.get("target"))]


def _merge(path: Path, records: list[dict], sentences) -> str:
    """The new file: per sentence, the unchanged lines of the old file verbatim and in place, a
    changed record in the place of the old record it replaces, new records after them in
    canonical order. A round trip without corrections gives the same bytes; a correction
    changes only its own lines."""
    old: dict[str, list[tuple[dict, str]]] = defaultdict(list)
    if path.is_file():
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                try:
                    rec = json.loads(line)
                except json.JSONDecodeError:
                    continue
                old[rec.get("sentence")].append((rec, line))
    by_sentence: dict[str, list[dict]] = defaultdict(list)
    for rec in records:
        by_sentence[rec["sentence"]].append(rec)
    out = []
    for s in sentences:
        new = list(by_sentence.get(s.id, []))
        olds = old.get(s.id, [])
        placed: list[str | None] = [None] * len(olds)
        for k, (rec, line) in enumerate(olds):  # unchanged records keep their lines
            same = next((r for r in new if _same(r) == _same(rec)), None)
            if same is not None:
                new.remove(same)
                placed[k] = line
        for level in range(2):  # changed records take the place of the record they replace
            for k, (rec, _) in enumerate(olds):
                if placed[k] is None:
                    match = next((r for r in new if _slots(r)[level] == _slots(rec)[level]), None)
                    if match is not None:
                        new.remove(match)
                        placed[k] = json.dumps(match, ensure_ascii=False)
        out += [line for line in placed if line is not None]
        out += [json.dumps(r, ensure_ascii=False) for r in _canonical(new, sentences)]
    return "".join(line + "\n" for line in out)


def import_label_studio(layout: Layout, export: Path, pass_name: str = "gold") -> list[Path]:
    """Rewrite raw/annotations/<pass>/<doc>.jsonl for every document of a Label Studio JSON export."""
    try:
        tasks = json.loads(Path(export).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise LabelStudioError("ls-unreadable", str(export), f"not a readable Label Studio JSON export ({e})") from None
    if not isinstance(tasks, list):
        raise LabelStudioError("ls-unreadable", str(export), "a Label Studio JSON export is a list of tasks")
    docs: dict[str, list[dict]] = defaultdict(list)
    for i, task in enumerate(tasks):
        data = task.get("data") if isinstance(task, dict) else None
        if not isinstance(data, dict) or not isinstance(data.get("doc_id"), str) \
                or not isinstance(data.get("sentence_id"), str) or not data["doc_id"] or not data["sentence_id"]:
            raise LabelStudioError("ls-task-data", str(export), f"task {task.get('id', i) if isinstance(task, dict) else i} has no doc_id/sentence_id in its data")
        docs[data["doc_id"]].append(task)
    corpus = {doc: (text, sentences) for doc, text, sentences in _documents(layout, list(docs))}
    written: dict[Path, str] = {}
    for doc, doc_tasks in docs.items():
        if doc not in corpus:
            raise LabelStudioError("ls-unknown-document", str(export), f"document {doc!r} is not in {layout.rel(layout.metadata)}")
        text, sentences = corpus[doc]
        by_id = {s.id: s for s in sentences}
        seen: dict[str, int] = {}
        records = []
        for task in doc_tasks:
            sid = task["data"]["sentence_id"]
            where = f"{export}: task {task.get('id', '?')} ({sid})"
            if sid not in by_id:
                raise LabelStudioError("ls-unknown-sentence", where, f"no such sentence in {layout.rel(layout.segment_file(doc))}")
            if sid in seen:
                raise LabelStudioError("ls-duplicate-task", where, "sentence appears in two tasks")
            seen[sid] = 1
            if task["data"].get("text") != by_id[sid].text:
                raise LabelStudioError("ls-text-changed", where, "the task's text differs from the sentence in raw/segments")
            try:
                records += records_of(task, by_id[sid], text, where)
            except (KeyError, TypeError, AttributeError, ValueError) as e:
                if isinstance(e, LabelStudioError):
                    raise
                raise LabelStudioError("ls-unreadable", where, "its annotation is not of the shape Label Studio "
                                       f"writes ({type(e).__name__}: {e})") from None
        missing = [s.id for s in sentences if s.id not in seen]
        if missing:
            raise LabelStudioError("ls-missing-tasks", str(export), f"document {doc} lacks tasks for {len(missing)} sentence(s): "
                                   + ", ".join(missing[:5]))
        path = layout.annotation_file(pass_name, doc)
        written[path] = _merge(path, records, sentences)
    for path, content in written.items():  # every document converted before any file is replaced
        atomic_write(path, content)
    return list(written)
