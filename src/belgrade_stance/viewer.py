"""The corpus viewer: a static, self-contained HTML site (no external files, no network; works
from file:// and from any static HTTP server).

    belgrade-stance viewer --out DIR      # DIR/index.html and DIR/<doc_id>.html

index.html lists the documents with their metadata and label counts, and who stands where (the
most frequent holders × targets, favor/against records). Each document page shows the raw text
with boilerplate greyed out, body sentences with their entity mentions highlighted by type and,
in place, the holder mention and the evidence of every favor/against record (underlined in the
label's colour, from the holders config's offsets), and under each sentence its stance per
target: label, holders and the words that carry the stance; items on which the two annotation
passes disagreed are marked. Both pages filter by
target and label (and disagreement) in the browser.
"""

from __future__ import annotations

import html
import json
from collections import Counter
from pathlib import Path

from belgrade_stance.outputs import around_data, check_out, fill
from belgrade_stance.load import inventories, load

ENTITY_COLOURS = {"PERSON": "#aa9cfc", "NORP": "#c887fb", "ORG": "#7aecec", "GPE": "#feca74", "LOC": "#ff9561",
                  "FAC": "#9cc9cc", "EVENT": "#ffeb80", "WORK_OF_ART": "#f0d0ff"}

CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0 auto;max-width:62rem;padding:1rem 1.5rem;
line-height:1.55;color:#222}
header h1{font-size:1.4rem;margin:.2rem 0}.meta{color:#555;font-size:.9rem}.meta span{margin-right:1rem}
nav.filters{position:sticky;top:0;background:#f7f7f7;border:1px solid #ddd;padding:.5rem .8rem;margin:1rem 0;
font-size:.9rem;z-index:2}nav.filters label{margin-right:1rem}#match-count{font-weight:600}
.raw{white-space:pre-wrap}.boilerplate{color:#aaa;font-style:italic}
.sentence{display:block;white-space:normal;border-left:3px solid transparent;padding:.15rem .6rem;margin:.35rem 0}
.sentence.has-stance{border-left-color:#999}.sentence.hidden{display:none}
.sid{font-size:.7rem;color:#888;margin-right:.4rem}
mark.ent{padding:.05em .3em;border-radius:.3em;line-height:1;box-decoration-break:clone}
.ent-label{font-size:.6em;font-weight:700;text-transform:uppercase;margin-left:.3em;vertical-align:middle}
ul.stance{list-style:none;margin:.2rem 0 .4rem 0;padding:0;font-size:.85rem}
ul.stance li{margin:.15rem 0}.badge{display:inline-block;border-radius:.25em;padding:0 .4em;font-weight:600;
color:#fff}.badge.against{background:#d1495b}.badge.favor{background:#00798c}.badge.none{background:#999}
.evidence{background:#fff3b0;border-bottom:2px solid #e9c46a}.holder{font-weight:600}
.hl-evidence{border-bottom:3px solid #e9c46a}.hl-evidence.against{border-bottom-color:#d1495b}
.hl-evidence.favor{border-bottom-color:#00798c}.hl-holder{outline:2px solid #264653;outline-offset:0;font-weight:600}
.disagree{outline:2px dashed #d1495b;outline-offset:1px}.passes{color:#d1495b;font-size:.8rem}
table{border-collapse:collapse;width:100%;font-size:.9rem}th,td{border-bottom:1px solid #ddd;padding:.3rem .4rem;
text-align:left;vertical-align:top}tr.hidden{display:none}.legend mark{margin-right:.4rem}
"""

FILTER_JS = """
(function(){
  var t=document.getElementById('f-target'),l=document.getElementById('f-label'),d=document.getElementById('f-dis');
  var items=document.querySelectorAll('[data-stance]'),out=document.getElementById('match-count');
  function matches(el){
    var st=JSON.parse(el.getAttribute('data-stance')),dis=(el.getAttribute('data-disagree')||'').split(' ');
    var targets=t.value==='all'?Object.keys(st):[t.value];
    return targets.some(function(k){
      var v=st[k];
      if(v===undefined)return false;
      if(typeof v==='object'){ /* index rows: counts per label */
        return (l.value==='all'?Object.keys(v).some(function(x){return v[x]>0}):v[l.value]>0)&&
               (!d.checked||dis.indexOf(k)>=0);}
      return (l.value==='all'||v===l.value)&&(!d.checked||dis.indexOf(k)>=0);});
  }
  function apply(){
    var n=0;
    items.forEach(function(el){var ok=matches(el);el.classList.toggle('hidden',!ok);if(ok)n++;});
    out.textContent=n;
  }
  [t,l,d].forEach(function(x){x.addEventListener('change',apply);});
  apply();
})();
"""


def _e(text) -> str:
    return html.escape("" if text is None else str(text), quote=True)


def _headline(doc: dict) -> str:
    return _e(doc["headline"]) if doc.get("headline") else '<span class="boilerplate">(the text has no headline)</span>'


def _filters(targets: list[str], labels: list[str], what: str) -> str:
    opts_t = "".join(f'<option value="{_e(t)}">{_e(t)}</option>' for t in targets)
    opts_l = "".join(f'<option value="{_e(x)}">{_e(x)}</option>' for x in labels)
    return (f'<nav class="filters">Filter: <label>target <select id="f-target"><option value="all">all targets</option>'
            f'{opts_t}</select></label><label>label <select id="f-label"><option value="all">any label</option>'
            f'{opts_l}</select></label><label><input type="checkbox" id="f-dis"> passes disagree</label>'
            f'<span id="match-count"></span> {what} shown</nav>')


def _page(title: str, body: str) -> str:
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1"><link rel="icon" href="data:,"><title>{_e(title)}</title>'
            f'<style>{CSS}</style></head><body>{body}<script>{FILTER_JS}</script></body></html>\n')


def _highlighted(text: str, a: int, b: int, spans: list[dict]) -> str:
    """text[a:b] cut at every boundary of the holder and evidence spans, each piece wrapped in one
    element per span covering it (so spans may overlap each other and cross entity marks)."""
    cuts = sorted({a, b} | {x for s in spans for x in (s["start"], s["end"]) if a < x < b})
    out = []
    for lo, hi in zip(cuts, cuts[1:]):
        piece = _e(text[lo:hi])
        for s in spans:
            if s["start"] <= lo and hi <= s["end"]:
                piece = (f'<span class="hl-{s["kind"]} {s["label"]}" data-record="{_e(s["record"])}" '
                         f'data-target="{_e(s["target"])}" title="{_e(s["title"])}">{piece}</span>')
        out.append(piece)
    return "".join(out)


def _sentence_html(sent: dict, rows: list[dict], types: list[str], labels: list[str],
                   spans: list[dict] | None = None) -> str:
    """The sentence with its entity marks and, in place, the holder and evidence span of every
    favor/against record (from the holders config's offsets)."""
    text, spans = sent["text"], spans or []
    parts, pos = [], 0
    for e in sorted(sent["entities"], key=lambda e: e["start"]):
        if e["start"] < pos:
            continue
        etype = types[e["label"]]
        parts.append(_highlighted(text, pos, e["start"], spans))
        parts.append(f'<mark class="ent" data-type="{etype}" title="{_e(e["entity_id"])}" '
                     f'style="background:{ENTITY_COLOURS.get(etype, "#ddd")}">{_highlighted(text, e["start"], e["end"], spans)}'
                     f'<span class="ent-label">{etype}</span></mark>')
        pos = e["end"]
    parts.append(_highlighted(text, pos, len(text), spans))
    stance = {r["target"]: labels[r["label"]] for r in rows}
    disagree = [r["target"] for r in rows if not r["passes_agree"]]
    items = []
    for r in rows:
        lab = labels[r["label"]]
        if lab == "none" and r["passes_agree"]:
            continue
        cls = "disagree" if not r["passes_agree"] else ""
        line = f'<li class="{cls}" data-target="{_e(r["target"])}"><span class="badge {lab}">{_e(r["target"])}: {lab}</span>'
        if r.get("mixed"):
            line += " (mixed holders)"
        if not r["passes_agree"]:
            line += (f' <span class="passes">pass A: {labels[r["label_a"]]}, pass B: {labels[r["label_b"]]}, '
                     f'adjudicated: {lab}</span>')
        for h in r["holders"]:
            who = "the author" if h["holder_type"] == "author" else (h["holder_text"] or h["holder"])
            line += (f'<br>&nbsp;&nbsp;<span class="badge {labels[h["label"]]}">{labels[h["label"]]}</span> '
                     f'<span class="holder" title="{_e(h["holder_type"])}: {_e(h["holder"])}">{_e(who)}</span>'
                     f'{" (primary)" if h["primary"] else ""}: “<span class="evidence">{_e(h["evidence_text"])}</span>”')
        items.append(line + "</li>")
    return (f'<span class="sentence{" has-stance" if items else ""}" id="{_e(sent["id"])}" '
            f'data-stance="{_e(json.dumps(stance))}" data-disagree="{_e(" ".join(disagree))}">'
            f'<span class="sid">{_e(sent["id"])}</span>{"".join(parts)}'
            + (f'<ul class="stance">{"".join(items)}</ul>' if items else "") + "</span>")


def _document_page(doc: dict, sents: list[dict], stance: dict[str, list[dict]], inv: dict,
                   spans: dict[str, list[dict]] | None = None) -> str:
    types, labels = inv["entity_types"], inv["stance_labels"]
    types = list(types) if isinstance(types, dict) else types
    raw = doc["raw_text"]
    marks = [(b["start"], b["end"], "b", b) for b in doc["boilerplate"]]
    marks += [(s["raw_start"], s["raw_end"], "s", s) for s in sents]
    out, pos = [], 0
    for start, end, kind, item in sorted(marks, key=lambda m: m[0]):
        if start < pos:
            continue
        out.append(_e(raw[pos:start]))
        if kind == "b":
            out.append(f'<span class="boilerplate" title="{_e(item["kind"])}">{_e(raw[start:end])}</span>')
        else:
            out.append(_sentence_html(item, stance.get(item["id"], []), types, labels, (spans or {}).get(item["id"])))
        pos = end
    out.append(_e(raw[pos:]))
    meta = "".join(f"<span>{_e(k)}: {_e(doc.get(v))}</span>" for k, v in (
        ("outlet", "outlet"), ("publisher", "publisher"), ("author", "author"), ("date", "date"),
        ("split", "split")) if doc.get(v))
    legend = "".join(f'<mark class="ent" style="background:{ENTITY_COLOURS.get(t, "#ddd")}">{t}</mark>' for t in types)
    body = (f'<header><a href="index.html">← all documents</a><h1>{_headline(doc)}</h1>'
            f'<div class="meta"><span>{_e(doc["doc_id"])}</span>{meta}</div>'
            f'<p class="meta">{_e(doc["rights"])}</p><p class="legend">{legend} '
            f'<span class="boilerplate">boilerplate</span></p></header>'
            + _filters(list(inv["targets"]), labels, "sentences")
            + f'<main class="raw">{"".join(out)}</main>')
    return _page(f"{doc['doc_id']} — {doc['headline'] or 'no headline'}", body)


TOP_HOLDERS = 16
"""Holders of the index page's who-stands-where table: the most frequent, by favor/against records."""


def _holder_spans(data_dir, labels: list[str]) -> tuple[dict[str, list[dict]], dict[str, Counter]]:
    """Per sentence, the holder and evidence spans of its favor/against records (the holders
    config's offsets); and per holder, its (target, label) record counts. Empty for a data folder
    without the holders config."""
    from belgrade_stance.load import configs

    spans: dict[str, list[dict]] = {}
    holders: dict[str, Counter] = {}
    if "holders" not in configs(data_dir):
        return spans, holders
    cols = ["id", "sentence_id", "target", "label", "holder", "holder_start", "holder_end", "evidence_start",
            "evidence_end"]
    for t in load("holders", format="arrow", data_dir=data_dir).values():
        for r in t.select(cols).to_pylist():
            lab = labels[r["label"]]
            base = {"label": lab, "target": r["target"], "record": r["id"], "title": f"{r['target']}: {lab}, {r['holder']}"}
            out = spans.setdefault(r["sentence_id"], [])
            out.append({**base, "kind": "evidence", "start": r["evidence_start"], "end": r["evidence_end"]})
            if r["holder_start"] is not None:
                out.append({**base, "kind": "holder", "start": r["holder_start"], "end": r["holder_end"]})
            holders.setdefault(r["holder"], Counter())[(r["target"], lab)] += 1
    return spans, holders


def _who_stands_where(holders: dict[str, Counter], targets: list[str]) -> str:
    if not holders:
        return ""
    top = sorted(holders, key=lambda h: (-sum(holders[h].values()), h))[:TOP_HOLDERS]
    rows = "".join(
        f'<tr><td>{_e(h)}</td>' + "".join(
            f'<td>{holders[h][(t, "favor")]}/{holders[h][(t, "against")]}</td>' if holders[h][(t, "favor")]
            + holders[h][(t, "against")] else "<td></td>" for t in targets) + "</tr>" for h in top)
    return ('<h2>Who stands where</h2><p class="meta">favor/against records of the most frequent holders per '
            'target (the holders config)</p><table id="who-stands-where"><thead><tr><th>holder</th>'
            + "".join(f"<th>{_e(t)}</th>" for t in targets) + f"</tr></thead><tbody>{rows}</tbody></table>")


def _index_page(docs: list[dict], counts: dict[str, dict], disagree: dict[str, set], inv: dict,
                holders: dict[str, Counter] | None = None) -> str:
    labels = inv["stance_labels"]
    targets = list(inv["targets"])
    rows = []
    for d in docs:
        c = counts[d["doc_id"]]
        total = Counter()
        for per in c.values():
            total.update(per)
        rows.append(
            f'<tr data-stance="{_e(json.dumps(c))}" data-disagree="{_e(" ".join(sorted(disagree[d["doc_id"]])))}">'
            f'<td><a href="{_e(d["doc_id"])}.html">{_e(d["doc_id"])}</a></td><td>{_headline(d)}</td>'
            f'<td>{_e(d["outlet"] or "—")}</td><td>{_e(d["publisher"] or "—")}</td><td>{_e(d["date"])}</td>'
            f'<td>{_e(d["split"])}</td><td>{d["n_sentences"]}</td>'
            f'<td>{" / ".join(str(total[lab]) for lab in labels)}</td></tr>')
    body = ('<header><h1>belgrade-stance: documents</h1><p class="meta">Label counts are '
            + " / ".join(labels) + " over every (sentence, target) item. Filters keep the documents with at "
            "least one item of the chosen target and label.</p></header>"
            + _filters(targets, labels, "documents")
            + '<table id="documents"><thead><tr><th>doc</th><th>headline</th><th>outlet</th><th>publisher</th><th>date</th>'
            '<th>split</th><th>sentences</th><th>labels</th></tr></thead><tbody>' + "".join(rows)
            + "</tbody></table>" + _who_stands_where(holders or {}, targets))
    return _page("belgrade-stance: documents", body)


def write_viewer(out: Path, data_dir: Path | str | None = None) -> list[Path]:
    """Write the site to out (replaced as a whole, only over an empty folder or an earlier, unchanged
    viewer: belgrade_stance.outputs); return the pages written."""
    target = check_out(out, "viewer", around_data(data_dir))  # before any work
    inv = inventories(data_dir)
    labels = inv["stance_labels"]
    docs = [r for t in load("documents", format="arrow", data_dir=data_dir).values() for r in t.to_pylist()]
    docs.sort(key=lambda d: d["doc_id"])
    sents: dict[str, list[dict]] = {}
    for t in load("sentences", format="arrow", data_dir=data_dir).values():
        for r in t.select(["id", "doc_id", "sentence_index", "text", "raw_start", "raw_end", "entities"]).to_pylist():
            sents.setdefault(r["doc_id"], []).append(r)
    stance: dict[str, list[dict]] = {}
    counts: dict[str, dict] = {d["doc_id"]: {} for d in docs}
    disagree: dict[str, set] = {d["doc_id"]: set() for d in docs}
    cols = ["sentence_id", "doc_id", "target", "label", "label_a", "label_b", "passes_agree", "mixed", "holders"]
    for t in load("stance", format="arrow", data_dir=data_dir).values():
        for r in t.select(cols).to_pylist():
            stance.setdefault(r["sentence_id"], []).append(r)
            per = counts[r["doc_id"]].setdefault(r["target"], {lab: 0 for lab in labels})
            per[labels[r["label"]]] += 1
            if not r["passes_agree"]:
                disagree[r["doc_id"]].add(r["target"])
    spans, holders = _holder_spans(data_dir, labels)
    out = Path(out)
    with fill(target, "viewer") as tmp:
        written = []
        for d in docs:
            page = _document_page(d, sorted(sents.get(d["doc_id"], []), key=lambda s: s["sentence_index"]),
                                  stance, inv, spans)
            (tmp / f"{d['doc_id']}.html").write_text(page, encoding="utf-8")
            written.append(out / f"{d['doc_id']}.html")
        (tmp / "index.html").write_text(_index_page(docs, counts, disagree, inv, holders), encoding="utf-8")
    return [out / "index.html", *written]
