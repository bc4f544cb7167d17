"""Label Studio (README, "Exports and the viewer"): `label-studio export` writes a pass's raw annotations
as pre-annotated tasks, one per body sentence with offsets within it, and the labelling configuration
(label-config.xml); `label-studio import` turns a Label Studio JSON export back into raw/annotations/<pass>/
from each task's latest annotation (else its prediction), refusing what it cannot turn into valid records."""

import json
import os
import tempfile
from itertools import cycle
from pathlib import Path
from xml.sax.saxutils import quoteattr as q

from belgrade_stance.errors import DatasetError, Problems
from belgrade_stance.outputs import check_out, fill
from belgrade_stance_build.layout import Layout
from belgrade_stance_build.stages.metadata import read_metadata
from belgrade_stance_build.stages.raw_records import checked_records, read_jsonl
from belgrade_stance_build.stages.segments import read_segments
from belgrade_stance_build.stages.texts import check_listing, read_text
from belgrade_stance_schema.inventory import ENTITY_TYPES, HOLDER_TYPES, STANCE_LABELS, TARGETS
from belgrade_stance_schema.records import ANNOTATION

COLOURS = ["#f4a261", "#2a9d8f", "#e9c46a", "#8ecae6", "#b5e48c", "#cdb4db", "#ffafcc", "#adb5bd"]
FAVOR_AGAINST = [lab for lab in STANCE_LABELS if lab != "none"]


def _items(tag: str, values, indent: int, colours: list[str] | None = None) -> str:
    """One line <tag value="…"/> per value, with a background colour for labels."""
    attributes = cycle([f" background={q(c)}" for c in colours] if colours else [""])
    return "\n".join(f"{' ' * indent}<{tag} value={q(v)}{a}/>" for v, a in zip(values, attributes))


def label_config() -> str:
    """label-config.xml beside this module with label-config-stance.xml per target, from the inventory."""
    config, stance = (
        Path(__file__).with_name(f"label-config{p}.xml").read_text("utf-8") for p in ("", "-stance")
    )
    labels = _items("Choice", STANCE_LABELS, 4)
    return config.format(
        entity_types=_items("Label", ENTITY_TYPES, 4, COLOURS),
        targets=_items("Label", TARGETS, 4, ["#e63946"]),
        favor_against=_items("Choice", FAVOR_AGAINST, 6),
        holder_types=_items("Choice", HOLDER_TYPES, 6),
        stance="".join(stance.format(target=t, labels=labels) for t in TARGETS),
    )


def documents(layout: Layout, pass_name: str | None = None) -> dict:
    """doc_id → (its sentences, the pass's raw records or None); DatasetError if raw/ has problems."""
    problems, out = Problems(), {}
    metadata = read_metadata(layout, problems)
    if not problems:
        check_listing(layout, metadata, problems)
    for row in [] if problems else metadata:
        doc, text = row["doc_id"], read_text(layout, row, problems)
        segments = read_segments(layout, doc, text, problems) if text is not None else None
        path = layout.annotation_file(pass_name or "", doc)
        lines = read_jsonl(path, layout.rel(path), problems) if pass_name and path.is_file() else None
        if segments is not None:
            out[doc] = (segments.sentences, None if lines is None else [rec for _, rec in lines])
    if problems:
        raise DatasetError("ls-raw-problems", f"has problems:\n{problems.report()}", layout.rel(layout.raw))
    return out


def task_results(sentence, records: list[dict]) -> list[dict]:
    """The Label Studio result items of one sentence's records (sentence offsets)."""
    res: list[dict] = []

    def item(rid: str, name: str, kind: str, values: list, span: dict | None = None) -> None:
        value = {"text" if kind == "textarea" else kind: values}
        if span is not None:
            start, end = span["start"] - sentence.start, span["end"] - sentence.start
            value = {"start": start, "end": end, "text": span["text"], **value}
        res.append({"id": rid, "from_name": name, "to_name": "text", "type": kind, "value": value})

    n = 0
    for rec in records:
        if rec["type"] == "entity":
            n += 1
            item(f"{sentence.id}-e{n}", "entity", "labels", [rec["label"]], rec)
            item(f"{sentence.id}-e{n}", "entity_id", "textarea", [rec["entity_id"]], rec)
    for target in TARGETS:
        recs = [r for r in records if r["type"] == "stance" and r["target"] == target]
        if not recs:
            continue
        if len(recs) == 1 and recs[0]["label"] == "none" and recs[0].get("reason"):
            item(f"{sentence.id}-r-{target}", f"reason_{target}", "textarea", [recs[0]["reason"]])
        for rec in recs if recs[0]["label"] != "none" else []:
            n += 1
            rid, hid, ev = f"{sentence.id}-v{n}", f"{sentence.id}-h{n}", rec["evidence"]
            item(rid, "evidence", "labels", [target], ev)
            item(rid, "evidence_label", "choices", [rec["label"]], ev)
            item(rid, "holder_type", "choices", [rec["holder_type"]], ev)
            item(rid, "holder_id", "textarea", [rec["holder"]], ev)
            if rec.get("holder_description"):
                item(rid, "holder_description", "textarea", [rec["holder_description"]], ev)
            if rec.get("primary"):
                item(rid, "primary", "choices", ["primary"], ev)
            if rec.get("reason"):
                item(rid, "reason", "textarea", [rec["reason"]], ev)
            if rec.get("holder_span"):
                item(hid, "holder_span", "labels", ["holder"], rec["holder_span"])
                relation = {"from_id": hid, "to_id": rid, "direction": "right", "labels": ["holds"]}
                res.append({"type": "relation", **relation})
        labels = {r["label"] for r in recs}
        label = labels.pop() if len(labels) == 1 else next(r["label"] for r in recs if r.get("primary"))
        item(f"{sentence.id}-c-{target}", f"stance_{target}", "choices", [label])
    return res


def export_label_studio(layout: Layout, out: Path, pass_name: str = "gold") -> list[Path]:
    """out/tasks.json and out/label-config.xml, written as belgrade_stance.outputs allows."""
    command = "label-studio export"
    target = check_out(out, command, layout.data)  # before any work
    tasks = []
    for doc, (sentences, records) in documents(layout, pass_name).items():
        for s in sentences if records is not None else []:
            result = task_results(s, [r for r in records if r.get("sentence") == s.id])
            prediction = {"model_version": f"belgrade-stance {pass_name} pass", "result": result}
            data = {"text": s.text, "doc_id": doc, "sentence_id": s.id, "raw_start": s.start}
            tasks.append({"data": data, "predictions": [prediction]})
    with fill(target, command) as tmp:
        text = json.dumps(tasks, ensure_ascii=False, indent=1) + "\n"
        (tmp / "tasks.json").write_text(text, encoding="utf-8")
        (tmp / "label-config.xml").write_text(label_config(), encoding="utf-8")
    return [Path(out) / "tasks.json", Path(out) / "label-config.xml"]


def records_of(task: dict, sentence, at: str, pass_name: str) -> list[dict]:
    """Raw records of a task's latest annotation, else prediction, checked against its sentence."""
    annotations = [a for a in task.get("annotations") or [] if not a.get("was_cancelled")]
    annotations.sort(key=lambda a: (a.get("updated_at") or a.get("created_at") or "", a.get("id") or 0))
    predictions = [p for p in task.get("predictions") or [] if isinstance(p, dict)]  # or their ids only
    regions: dict[str, dict] = {}
    whole, holder_of = {}, {}  # the stance_ and reason_ items by name; evidence id → holder region id
    for r in (annotations or predictions or [{"result": []}])[-1]["result"]:
        v = r.get("value", {})
        values = v.get("text" if r["type"] == "textarea" else r["type"]) or []
        value = " ".join(values).strip() if r["type"] == "textarea" else next(iter(values), None)
        if r["type"] == "relation":
            holder_of[r["to_id"]] = r["from_id"]
        elif r["from_name"].startswith(("stance_", "reason_")):
            whole[r["from_name"]] = value
        else:
            regions.setdefault(r["id"], {})[r["from_name"]] = value
            if r["type"] == "labels":  # the region's own span and text
                regions[r["id"]]["span"] = (v.get("start"), v.get("end"), v.get("text"))

    def span(rid: str, what: str) -> dict:
        (start, end, text), base = regions[rid]["span"], sentence.start
        if not 0 <= start < end <= len(sentence.text):
            raise DatasetError("ls-region", f"{what} region {rid!s:.80} is outside the sentence", at)
        if text != (found := sentence.text[start:end]):
            raise DatasetError(
                "ls-region-text",
                f"{what} region {rid!s:.80}: {text!r:.80} != sentence text {found!r:.80}",
                at,
            )
        return {"start": base + start, "end": base + end, "text": text}

    out: list[dict] = []
    evidence: dict[str, list[dict]] = {t: [] for t in TARGETS}
    for rid, reg in regions.items():
        if "entity" in reg:
            found = {**span(rid, "entity"), "label": reg["entity"], "entity_id": reg["entity_id"]}
            out.append({"type": "entity", "sentence": sentence.id, **found})
        elif "evidence" in reg:
            target, label, htype = (reg.get(k) for k in ("evidence", "evidence_label", "holder_type"))
            if target not in TARGETS:
                raise DatasetError(
                    "ls-region", f"evidence region {rid!s:.80}: unknown target {target!r:.80}", at
                )
            hid, reason = holder_of.get(rid), reg.get("reason")
            rec = {"type": "stance", "sentence": sentence.id, "target": target, "label": label}
            rec |= {"holder_type": htype, "holder": reg.get("holder_id", "")}
            rec |= {"holder_description": d} if (d := reg.get("holder_description")) else {}
            rec |= {"holder_span": span(hid, "holder") if hid else None, "evidence": span(rid, "evidence")}
            rec |= {"primary": reg.get("primary") == "primary"} | ({"reason": reason} if reason else {})
            evidence[target].append(rec)
    for target, recs in evidence.items():
        label, reason = whole.get(f"stance_{target}"), whole.get(f"reason_{target}")
        given = next((r["label"] for r in recs if r["primary"]), recs[0]["label"]) if recs else "none"
        if label != given:  # the choice changes with the regions' labels, or not at all
            raise DatasetError(
                "ls-stance-choice", f"{target}: {label!r:.80} contradicts its regions' {given!r}", at
            )
        if label == "none":
            rec = {"type": "stance", "sentence": sentence.id, "target": target, "label": "none"}
            out.append(rec | ({"reason": reason} if reason else {}))
        out += recs
    problems = Problems()  # the raw records' own rules (inventories, ids, clean text)
    checked_records(ANNOTATION, [(None, r) for r in out], at, problems, pass_name=pass_name)
    if problems:
        first, more = problems.items[0], f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise DatasetError(first.rule, first.message + more, at)
    return out


def _same(rec: dict) -> str:
    """A record's identity: its JSON with sorted keys, a null holder_span as absent."""
    return json.dumps({k: v for k, v in rec.items() if v is not None or k != "holder_span"}, sort_keys=True)


def _merge(path: Path, records: dict[str, list[dict]], sentences) -> tuple[str, dict[str, int]]:
    """The new file of sentence id → records, and its records added, changed and removed: per sentence, the
    old file's unchanged lines verbatim and in place, a changed record in the place of a gone old one of its
    slot (entity, or stance towards a target), new records last. So a round trip gives the same bytes, and a
    correction changes only its own lines."""
    text = path.read_bytes().decode("utf-8", "replace").split("\n") if path.is_file() else []
    old: dict[str, list[tuple[dict, str]]] = {}
    for n, rec in read_jsonl(path, "", Problems()) if text else []:  # other lines: the build reports them
        old.setdefault(rec.get("sentence"), []).append((rec, text[n - 1]))
    lines, changed, added = [], 0, 0
    for s in sentences:
        new = sorted(records[s.id], key=lambda r: (r["type"], r.get("start", 0)))  # entities in reading order
        olds = old.get(s.id, [])
        placed: list[str | None] = [None] * len(olds)
        for key in (_same, lambda r: (r.get("type"), r.get("target"))):  # the same record, then its slot
            for k, (rec, line) in enumerate(olds):
                match = next((r for r in new if placed[k] is None and key(r) == key(rec)), None)
                if match is not None:
                    new.remove(match)
                    placed[k] = line if key is _same else json.dumps(match, ensure_ascii=False)
                    changed += key is not _same
        lines += [line for line in placed if line is not None]
        lines += [json.dumps(r, ensure_ascii=False) for r in new]
        added += len(new)
    removed = sum(map(len, old.values())) - (len(lines) - added)
    counts = {"added": added, "changed": changed, "removed": removed}
    return "".join(line + "\n" for line in lines), counts


def _swap_in(contents: dict[Path, str]) -> None:
    """Write every file aside (beside it), then rename each in: a failed write replaces none."""
    aside: list[tuple[str, Path]] = []
    try:
        for path, content in contents.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
            aside.append((tmp, path))
            with os.fdopen(fd, "wb") as f:
                f.write(content.encode("utf-8"))
            os.chmod(tmp, 0o644)
        for tmp, path in aside:
            os.replace(tmp, path)
    finally:
        for tmp, _ in aside:
            Path(tmp).unlink(missing_ok=True)


def import_label_studio(layout: Layout, export: Path, pass_name: str = "gold", dry_run: bool = False) -> dict:
    """Rewrite raw/annotations/<pass>/<doc>.jsonl of every document in a Label Studio JSON export, all or
    none (with dry_run, none); path → its records added, changed and removed."""
    try:
        tasks = json.loads(Path(export).read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise DatasetError("ls-unreadable", f"not a readable JSON export ({e})", str(export)) from None
    if not isinstance(tasks, list):
        raise DatasetError("ls-unreadable", "a Label Studio JSON export is a list of tasks", str(export))
    corpus = documents(layout)
    sentences = {s.id: (doc, s) for doc, (sents, _) in corpus.items() for s in sents}
    records: dict[str, dict[str, list[dict]]] = {}  # doc_id → sentence id → its records
    for i, task in enumerate(tasks):
        data = task.get("data") if isinstance(task, dict) else None
        doc, sid = (data.get("doc_id"), data.get("sentence_id")) if isinstance(data, dict) else (None, None)
        at = f"{export}: {sid!s:.80} (task {task.get('id', i) if isinstance(task, dict) else i!s:.20})"
        if not (isinstance(doc, str) and doc and isinstance(sid, str) and sid):
            raise DatasetError("ls-task-data", "the task has no doc_id/sentence_id", at)
        if doc not in corpus:
            raise DatasetError("ls-unknown-document", f"no document {doc!r} in raw/metadata.csv", at)
        if sentences.get(sid, (None,))[0] != doc:
            raise DatasetError("ls-unknown-sentence", "no such sentence in raw/segments", at)
        if sid in records.setdefault(doc, {}):
            raise DatasetError("ls-duplicate-task", "the sentence appears in two tasks", at)
        if sentences[sid][1].text != data.get("text"):
            raise DatasetError("ls-text-changed", "the task's text differs from the sentence", at)
        try:
            records[doc][sid] = records_of(task, sentences[sid][1], at, pass_name)
        except (KeyError, TypeError, AttributeError) as e:
            raise DatasetError("ls-unreadable", f"not a Label Studio export ({e!r:.80})", at) from None
    written, counts = {}, {}
    for doc, by_sentence in records.items():
        if missing := [s.id for s in corpus[doc][0] if s.id not in by_sentence]:
            ids = ", ".join(missing[:5])
            raise DatasetError("ls-missing-tasks", f"{len(missing)} sentences lack tasks: {ids}", str(export))
        path = layout.annotation_file(pass_name, doc)
        written[path], counts[path] = _merge(path, by_sentence, corpus[doc][0])
    if not dry_run:  # every document converted before any file is replaced
        _swap_in({p: t for p, t in written.items() if not p.is_file() or p.read_bytes() != t.encode()})
    return counts
