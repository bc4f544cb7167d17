"""The corpus viewer, `belgrade-stance viewer --out DIR`: a static, self-contained HTML site (no
external files, no network; works from file:// and any static server), an index of the documents and
a page per document, filtered in the browser (README, "Exports and the viewer")."""

from __future__ import annotations

import html
import json
from collections import Counter
from importlib.resources import files
from pathlib import Path
from string import Template

from belgrade_stance.load import inventories, load
from belgrade_stance.outputs import around_data, check_out, fill

TOP_HOLDERS = 16
"""Holders of the index page's who-stands-where table: the most frequent, by favor/against records."""
FILTERS = ("targets", "stance_labels")


def _e(text) -> str:
    return html.escape("" if text is None else str(text), quote=True)


def _headline(doc: dict) -> str:
    missing = '<span class="boilerplate">(the text has no headline)</span>'
    return _e(doc["headline"]) if doc.get("headline") else missing


def _page(title: str, header: str, main: str, what: str, inv: dict) -> str:
    """A page of the site: viewer.html beside this module (style, filter bar and script) filled in."""
    page = Template(files("belgrade_stance").joinpath("viewer.html").read_text(encoding="utf-8"))
    options = {k: "".join(f'<option value="{_e(v)}">{_e(v)}</option>' for v in inv[k]) for k in FILTERS}
    return page.substitute(title=_e(title), header=header, main=main, what=what, **options)


def _highlighted(text: str, a: int, b: int, spans: list[dict]) -> str:
    """text[a:b] cut at every boundary of the holder and evidence spans, each piece wrapped in one
    element per span covering it (so spans may overlap each other and cross entity marks)."""
    cuts = sorted({a, b} | {x for s in spans for x in (s["start"], s["end"]) if a < x < b})
    out = []
    for lo, hi in zip(cuts, cuts[1:]):
        piece = _e(text[lo:hi])
        for s in spans:
            if s["start"] <= lo and hi <= s["end"]:
                piece = (
                    f'<span class="hl-{s["kind"]} {s["label"]}" data-record="{_e(s["record"])}" '
                    f'data-target="{_e(s["target"])}" title="{_e(s["title"])}">{piece}</span>'
                )
        out.append(piece)
    return "".join(out)


def _stance_item(r: dict) -> str:
    """A sentence's stance towards one target: label, disagreement of the passes, holders."""
    lab, mixed = r["label"], " (mixed holders)" * r["mixed"]
    line = f'<span class="badge {lab}">{_e(r["target"])}: {lab}</span>{mixed}'
    if not r["passes_agree"]:
        passes = f"pass A: {r['label_a']}, pass B: {r['label_b']}, adjudicated: {lab}"
        line += f' <span class="passes">{passes}</span>'
    for h in r["holders"]:
        who = "the author" if h["holder_type"] == "author" else (h["holder_text"] or h["holder"])
        line += (
            f'<br>&nbsp;&nbsp;<span class="badge {h["label"]}">{h["label"]}</span> <span class="holder" '
            f'title="{_e(h["holder_type"])}: {_e(h["holder"])}">{_e(who)}</span>{" (primary)" * h["primary"]}'
            f': “<span class="evidence">{_e(h["evidence_text"])}</span>”'
        )
    cls = "" if r["passes_agree"] else "disagree"
    return f'<li class="{cls}" data-target="{_e(r["target"])}">{line}</li>'


def _interleave(marks: list[tuple[int, int, str]], plain, end: int) -> str:
    """The html of each mark (start, end, html) in reading order, plain(a, b) for the text between them
    up to end (a mark overlapping an earlier one is left out)."""
    out, pos = [], 0
    for start, stop, markup in sorted(marks, key=lambda m: m[0]):
        if start >= pos:
            out += [plain(pos, start), markup]
            pos = stop
    return "".join(out) + plain(pos, end)


def _sentence(sent: dict, stance: dict, spans: dict) -> str:
    """The sentence with its entity marks and, in place, the holder and evidence span of every
    favor/against record (from the holders config's offsets); its stance items below."""
    text, marks, rows, spans = sent["text"], [], stance.get(sent["id"], []), spans.get(sent["id"], [])
    for e in sent["entities"]:
        t, inner = e["label"], _highlighted(text, e["start"], e["end"], spans)
        mark = f'<mark class="ent {t}" data-type="{t}" title="{_e(e["entity_id"])}">{inner}'
        marks.append((e["start"], e["end"], f'{mark}<span class="ent-label">{t}</span></mark>'))
    marked = _interleave(marks, lambda a, b: _highlighted(text, a, b, spans), len(text))
    stance = json.dumps({r["target"]: r["label"] for r in rows})
    disagree = " ".join(r["target"] for r in rows if not r["passes_agree"])
    items = "".join(_stance_item(r) for r in rows if r["label"] != "none" or not r["passes_agree"])
    items = f'<ul class="stance">{items}</ul>' if items else ""
    return (
        f'<span class="sentence{" has-stance" * bool(items)}" id="{_e(sent["id"])}" '
        f'data-stance="{_e(stance)}" data-disagree="{_e(disagree)}"><span class="sid">{_e(sent["id"])}</span>'
        f"{marked}{items}</span>"
    )


def _document_page(doc: dict, sents: list[dict], stance: dict, spans: dict, inv: dict) -> str:
    raw, marks = doc["raw_text"], [(s["raw_start"], s["raw_end"], _sentence(s, stance, spans)) for s in sents]
    for b in doc["boilerplate"]:
        piece = _e(raw[b["start"] : b["end"]])
        marks.append(
            (b["start"], b["end"], f'<span class="boilerplate" title="{_e(b["kind"])}">{piece}</span>')
        )
    text = _interleave(marks, lambda a, b: _e(raw[a:b]), len(raw))
    keys = ("outlet", "publisher", "author", "date", "split")
    meta = "".join(f"<span>{k}: {_e(doc[k])}</span>" for k in keys if doc.get(k))
    legend = "".join(f'<mark class="ent {t}">{t}</mark>' for t in inv["entity_types"])
    header = (
        f'<header><a href="index.html">← all documents</a><h1>{_headline(doc)}</h1><div class="meta"><span>'
        f'{_e(doc["doc_id"])}</span>{meta}</div><p class="meta">{_e(doc["rights"])}</p><p class="legend">'
        f'{legend} <span class="boilerplate">boilerplate</span></p></header>'
    )
    title = f"{doc['doc_id']} — {doc['headline'] or 'no headline'}"
    return _page(title, header, f'<main class="raw">{text}</main>', "sentences", inv)


def _who_stands_where(holders: dict[str, Counter], targets: list[str]) -> str:
    if not holders:
        return ""
    rows = ""
    for h in sorted(holders, key=lambda h: (-sum(holders[h].values()), h))[:TOP_HOLDERS]:
        favor, against = ([holders[h][(t, lab)] for t in targets] for lab in ("favor", "against"))
        cells = "".join(f"<td>{f}/{a}</td>" if f + a else "<td></td>" for f, a in zip(favor, against))
        rows += f"<tr><td>{_e(h)}</td>{cells}</tr>"
    return (
        '<h2>Who stands where</h2><p class="meta">favor/against records of the most frequent holders per '
        'target (the holders config)</p><table id="who-stands-where"><thead><tr><th>holder</th>'
        + "".join(f"<th>{_e(t)}</th>" for t in targets)
        + f"</tr></thead><tbody>{rows}</tbody></table>"
    )


def _index_page(docs: list[dict], stance: dict[str, list[dict]], holders: dict, inv: dict) -> str:
    labels, rows = inv["stance_labels"], []
    for d in docs:
        items, counts = stance.get(d["doc_id"], []), {}
        for r in items:
            counts.setdefault(r["target"], dict.fromkeys(labels, 0))[r["label"]] += 1
        total = Counter(r["label"] for r in items)
        disagree = " ".join(sorted({r["target"] for r in items if not r["passes_agree"]}))
        link = f'<a href="{_e(d["doc_id"])}.html">{_e(d["doc_id"])}</a>'
        td = [link, _headline(d), _e(d["outlet"] or "—"), _e(d["publisher"] or "—"), _e(d["date"])]
        td += [_e(d["split"]), d["n_sentences"], " / ".join(str(total[x]) for x in labels)]
        cells = "".join(f"<td>{c}</td>" for c in td)
        rows.append(f'<tr data-stance="{_e(json.dumps(counts))}" data-disagree="{_e(disagree)}">{cells}</tr>')
    header = (
        '<header><h1>belgrade-stance: documents</h1><p class="meta">Label counts are '
        f"{' / '.join(labels)} over every (sentence, target) item. Filters keep the documents with at "
        "least one item of the chosen target and label.</p></header>"
    )
    columns = ("doc", "headline", "outlet", "publisher", "date", "split", "sentences", "labels")
    head = "".join(f"<th>{c}</th>" for c in columns)
    table = f'<table id="documents"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'
    main = table + _who_stands_where(holders, list(inv["targets"]))
    return _page("belgrade-stance: documents", header, main, "documents", inv)


def _rows(config: str, data_dir) -> list[dict]:
    """Every row of a config, labels as names."""
    tables = load(config, format="arrow", data_dir=data_dir, labels="names")
    return [r for t in tables.values() for r in t.to_pylist()]


def _group(rows: list[dict], key: str) -> dict[str, list[dict]]:
    groups: dict[str, list[dict]] = {}
    for r in rows:
        groups.setdefault(r[key], []).append(r)
    return groups


def write_viewer(out: Path, data_dir: Path | str | None = None) -> list[Path]:
    """Write the site to out, as belgrade_stance.outputs allows; return the pages written."""
    target, out = check_out(out, "viewer", around_data(data_dir)), Path(out)  # before any work
    inv = inventories(data_dir)
    docs = sorted(_rows("documents", data_dir), key=lambda d: d["doc_id"])
    sents = _group(sorted(_rows("sentences", data_dir), key=lambda s: s["sentence_index"]), "doc_id")
    stance = _rows("stance", data_dir)
    spans: dict[str, list[dict]] = {}  # per sentence, the holder and evidence spans of its holders records
    holders: dict[str, Counter] = {}  # per holder, its (target, label) record counts
    for r in _rows("holders", data_dir):
        base = {"label": r["label"], "target": r["target"], "record": r["id"]}
        base["title"] = f"{r['target']}: {r['label']}, {r['holder']}"
        found = spans.setdefault(r["sentence_id"], [])
        found.append({**base, "kind": "evidence", "start": r["evidence_start"], "end": r["evidence_end"]})
        if r["holder_start"] is not None:
            found.append({**base, "kind": "holder", "start": r["holder_start"], "end": r["holder_end"]})
        holders.setdefault(r["holder"], Counter())[(r["target"], r["label"])] += 1
    with fill(target, "viewer") as tmp:
        by_sentence = _group(stance, "sentence_id")
        for d in docs:
            page = _document_page(d, sents.get(d["doc_id"], []), by_sentence, spans, inv)
            (tmp / f"{d['doc_id']}.html").write_text(page, encoding="utf-8")
        index = _index_page(docs, _group(stance, "doc_id"), holders, inv)
        (tmp / "index.html").write_text(index, encoding="utf-8")
    return [out / "index.html", *(out / f"{d['doc_id']}.html" for d in docs)]
