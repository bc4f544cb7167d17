"""The corpus viewer, `belgrade-stance viewer --out DIR` (README, "Exports and the viewer"): a self-contained
static HTML site (no network; file:// or any server), an index and a page per document, filtered in place."""

import html
import json
from collections import Counter
from importlib.resources import files
from itertools import groupby
from operator import itemgetter
from pathlib import Path
from string import Template

from belgrade_stance.load import inventories, load
from belgrade_stance.outputs import check_out, fill

TOP_HOLDERS = 16  # of the index page's who-stands-where table: the most frequent, by favor/against records
FILTERS = ("targets", "stance_labels")


def _e(text) -> str:
    return html.escape("" if text is None else str(text))


def _headline(doc: dict) -> str:
    missing = '<span class="boilerplate">(the text has no headline)</span>'
    return _e(doc["headline"]) if doc.get("headline") else missing


def _page(title: str, header: str, main: str, what: str, inv: dict) -> str:
    """A page of the site: viewer.html beside this module (style, filter bar and script) filled in."""
    page = Template(files("belgrade_stance").joinpath("viewer.html").read_text(encoding="utf-8"))
    options = {k: "".join(f'<option value="{_e(v)}">{_e(v)}</option>' for v in inv[k]) for k in FILTERS}
    return page.substitute(title=_e(title), header=header, main=main, what=what, **options)


def _highlighted(text: str, a: int, b: int, spans: list[tuple[str, dict]]) -> str:
    """text[a:b] cut at every boundary of the spans ((kind, holders row): its evidence or holder span), each
    piece wrapped in one element per span covering it (spans may overlap and cross entity marks)."""
    spans = [(r[f"{k}_start"], r[f"{k}_end"], k, r) for k, r in spans if r[f"{k}_start"] is not None]
    cuts = sorted({a, b} | {x for s in spans for x in s[:2] if a < x < b})
    out = []
    for lo, hi in zip(cuts, cuts[1:]):
        piece = _e(text[lo:hi])
        for start, end, kind, r in spans:
            if start <= lo and hi <= end:
                title = f"{r['target']}: {r['label']}, {r['holder']}"
                piece = (
                    f'<span class="hl-{kind} {r["label"]}" data-record="{_e(r["id"])}" '
                    f'data-target="{_e(r["target"])}" title="{_e(title)}">{piece}</span>'
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
        line += (
            f'<br>&nbsp;&nbsp;<span class="badge {h["label"]}">{h["label"]}</span> <span class="holder" '
            f'title="{_e(h["holder"])}">{_e(h["name"])}</span>{" (primary)" * h["primary"]}'
            f': “<span class="evidence">{_e(h["evidence_text"])}</span>”'
        )
    return f'<li class="{"disagree" * (not r["passes_agree"])}" data-target="{_e(r["target"])}">{line}</li>'


def _interleave(marks: list[tuple[int, int, str]], plain, end: int) -> str:
    """Marks (start, end, html) in reading order, plain(a, b) between them up to end; overlaps dropped."""
    out, pos = [], 0
    for start, stop, markup in sorted(marks, key=lambda m: m[0]):
        if start >= pos:
            out += [plain(pos, start), markup]
            pos = stop
    return "".join(out) + plain(pos, end)


def _sentence(sent: dict, stance: dict, holders: dict) -> str:
    """The sentence, its entity marks and its holders records' spans in place; its stance items below."""
    text, marks, rows = sent["text"], [], stance.get(sent["id"], [])
    spans = [(kind, r) for r in holders.get(sent["id"], []) for kind in ("evidence", "holder")]
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


def _document_page(doc: dict, sents: list[dict], stance: dict, holders: dict, inv: dict) -> str:
    raw = doc["raw_text"]
    marks = [(s["raw_start"], s["raw_end"], _sentence(s, stance, holders)) for s in sents]
    for b in doc["boilerplate"]:
        piece = f'<span class="boilerplate" title="{_e(b["kind"])}">{_e(raw[b["start"] : b["end"]])}</span>'
        marks.append((b["start"], b["end"], piece))
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


def _index_page(docs: list[dict], stance: dict[str, list[dict]], holders: list[dict], inv: dict) -> str:
    """The documents with their label counts; favor/against counts of the most frequent holders."""
    labels, targets, rows = inv["stance_labels"], inv["targets"], []
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
    main = f'<table id="documents"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'
    held = Counter((r["holder"], r["target"], r["label"]) for r in holders)
    totals, who = Counter((r["holder"], r["name"]) for r in holders), ""
    for h, name in sorted(totals, key=lambda h: (-totals[h], h))[:TOP_HOLDERS]:
        pairs = [(held[h, t, "favor"], held[h, t, "against"]) for t in targets]
        cells = "".join(f"<td>{f}/{a}</td>" if f + a else "<td></td>" for f, a in pairs)
        who += f'<tr><td title="{_e(h)}">{_e(name)}</td>{cells}</tr>'
    if holders:
        main += (
            '<h2>Who stands where</h2><p class="meta">favor/against records of the most frequent holders per '
            'target (the holders config)</p><table id="who-stands-where"><thead><tr><th>holder</th>'
            + "".join(f"<th>{_e(t)}</th>" for t in targets)
            + f"</tr></thead><tbody>{who}</tbody></table>"
        )
    return _page("belgrade-stance: documents", header, main, "documents", inv)


def _rows(config: str, data_dir) -> list[dict]:
    tables = load(config, format="arrow", data_dir=data_dir, labels="names")
    return [r for t in tables.values() for r in t.to_pylist()]


def _group(rows: list[dict], key: str) -> dict[str, list[dict]]:
    return {k: list(g) for k, g in groupby(sorted(rows, key=itemgetter(key)), itemgetter(key))}


def write_viewer(out: Path, data_dir: Path | str | None = None) -> list[Path]:
    """Write the site to out, as belgrade_stance.outputs allows; return the pages written."""
    target, out = check_out(out, "viewer", data_dir), Path(out)  # before any work
    inv = inventories(data_dir)
    docs = sorted(_rows("documents", data_dir), key=itemgetter("doc_id"))
    sentences, stance, holders = (_rows(c, data_dir) for c in ("sentences", "stance", "holders"))
    sents = _group(sorted(sentences, key=itemgetter("sentence_index")), "doc_id")
    mentions = sorted((e for s in sentences for e in s["entities"]), key=lambda e: len(e["text"]))
    names = {e["entity_id"]: e["text"] for e in mentions} | {"author": "the author"}  # longest mention
    names |= {g: d.split(":")[0] for g, d in inv["groups"].items()}  # a group's description up to its colon
    for h in [*holders, *(h for r in stance for h in r["holders"])]:
        h["name"] = names.get(h["holder"], h["holder"])
    with fill(target, "viewer") as tmp:
        by_sentence = _group(stance, "sentence_id"), _group(holders, "sentence_id")
        for d in docs:
            page = _document_page(d, sents.get(d["doc_id"], []), *by_sentence, inv)
            (tmp / f"{d['doc_id']}.html").write_text(page, encoding="utf-8")
        index = _index_page(docs, _group(stance, "doc_id"), holders, inv)
        (tmp / "index.html").write_text(index, encoding="utf-8")
    return [out / "index.html", *(out / f"{d['doc_id']}.html" for d in docs)]
