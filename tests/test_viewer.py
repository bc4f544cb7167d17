"""The corpus viewer in a real browser: headless Chromium (the system's /usr/bin/chromium, driven by
Playwright), from file:// and from a local HTTP server."""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
from pathlib import Path

import pandas as pd
import pytest

import belgrade_stance
from belgrade_stance.viewer import write_viewer
from belgrade_stance_schema.inventory import STANCE_LABELS
from helpers import ROOT, need

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("viewer") / "site"
    write_viewer(out, ROOT / "data")
    return out


@pytest.fixture(scope="module")
def browser():
    chromium = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    if not Path(chromium).is_file():
        need("Chromium", "apt-get install chromium chromium-driver (.ci/run does)")
    try:
        from playwright import sync_api
    except ImportError:
        need("playwright", "pip install playwright (in the test extra)")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium, args=ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture(scope="module")
def server(site):
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


@pytest.fixture
def page(browser):
    pg = browser.new_page(viewport={"width": 1100, "height": 1400})
    pg.errors = []
    pg.on("console", lambda m: pg.errors.append(m.text) if m.type == "error" else None)
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))
    pg.on("request", lambda r: pg.errors.append(f"network request: {r.url}")
          if not r.url.startswith(("file://", "http://127.0.0.1", "data:", "about:")) else None)
    yield pg
    pg.close()


@pytest.fixture(scope="module")
def data():
    sentences = pd.concat(belgrade_stance.load("sentences").values())
    stance = pd.concat(belgrade_stance.load("stance").values())
    docs = pd.concat(belgrade_stance.load("documents").values())
    return docs, sentences, stance


@pytest.mark.parametrize("via", ["file", "http"])
def test_index_lists_every_document(page, site, server, data, via):
    docs = data[0]
    base = site.as_uri() if via == "file" else server
    page.goto(f"{base}/index.html")
    rows = page.locator("#documents tbody tr")
    assert rows.count() == len(docs) == 5
    assert sorted(page.locator("#documents tbody tr td:first-child a").all_inner_texts()) == sorted(docs.doc_id)
    page.locator("#documents tbody tr td:first-child a", has_text="d03").click()
    page.wait_for_load_state()
    assert page.url.endswith("/d03.html")
    assert page.errors == []


@pytest.mark.parametrize("doc_id", ["d00", "d03", "d04"])
def test_a_document_page_highlights_every_entity_mention(page, site, data, doc_id):
    _, sentences, _ = data
    page.goto((site / f"{doc_id}.html").as_uri())
    expected = sum(len(e) for e in sentences[sentences.doc_id == doc_id].entities)
    assert page.locator("mark.ent[data-type]").count() == expected
    assert page.locator(".sentence").count() == (sentences.doc_id == doc_id).sum()
    assert page.locator(".boilerplate").count() > 0
    assert page.errors == []


@pytest.mark.parametrize("doc_id, target, label", [("d00", "war", "against"), ("d04", "putin", "against"),
                                                    ("d04", "emigrants", "favor"), ("d03", "eu_integration", "favor")])
def test_filtering_by_target_and_label_shows_exactly_the_matching_sentences(page, site, data, doc_id, target, label):
    _, _, stance = data
    rows = stance[(stance.doc_id == doc_id) & (stance.target == target) & (stance.label == STANCE_LABELS.index(label))]
    page.goto((site / f"{doc_id}.html").as_uri())
    page.select_option("#f-target", target)
    page.select_option("#f-label", label)
    shown = page.locator(".sentence:not(.hidden)").evaluate_all("els => els.map(e => e.id)")
    assert sorted(shown) == sorted(rows.sentence_id)
    assert page.inner_text("#match-count") == str(len(rows))
    page.check("#f-dis")
    shown = page.locator(".sentence:not(.hidden)").evaluate_all("els => els.map(e => e.id)")
    assert sorted(shown) == sorted(rows[~rows.passes_agree].sentence_id)
    assert page.errors == []


def test_index_filter_keeps_documents_with_matching_items(page, site, data):
    _, _, stance = data
    page.goto((site / "index.html").as_uri())
    page.select_option("#f-target", "emigrants")
    page.select_option("#f-label", "favor")
    shown = page.locator("#documents tbody tr:not(.hidden) td:first-child").all_inner_texts()
    favor = STANCE_LABELS.index("favor")
    assert sorted(shown) == sorted(stance[(stance.target == "emigrants") & (stance.label == favor)].doc_id.unique())


def test_screenshot_of_a_document_page(page, site, tmp_path):
    from PIL import Image, ImageStat

    page.goto((site / "d03.html").as_uri())
    shot = tmp_path / "d03.png"
    page.screenshot(path=str(shot), full_page=True)
    with Image.open(shot) as im:
        assert im.size[0] == 1100 and im.size[1] > 1400
        stat = ImageStat.Stat(im.convert("L"))
        assert stat.stddev[0] > 20  # text and highlights, not a blank page
        colours = im.convert("RGB").getcolors(maxcolors=1 << 20) or []
        assert any(abs(r - 0xfe) < 4 and abs(g - 0xca) < 4 and abs(b - 0x74) < 4 for _, (r, g, b) in colours), \
            "no GPE highlight colour on the page"
    keep = os.environ.get("BELGRADE_STANCE_SCREENSHOTS")
    if keep:
        shutil.copy(shot, Path(keep) / "viewer-d03.png")


def test_viewer_refuses_a_foreign_folder_and_replaces_its_own(tmp_path):
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "index.html").write_text("my own site")  # an index.html does not make a folder the viewer's
    with pytest.raises(belgrade_stance.DatasetError, match=r"\[out-foreign\]"):
        write_viewer(foreign, ROOT / "data")
    assert (foreign / "index.html").read_text() == "my own site"
    out = tmp_path / "site"
    write_viewer(out, ROOT / "data")
    (out / "d00.html").unlink()  # a page removed from an earlier viewer: still the viewer's folder
    write_viewer(out, ROOT / "data")
    assert (out / "d00.html").is_file() and (out / "index.html").is_file()
    (out / "stray.html").write_text("mine")  # a file the viewer did not write: never deleted
    with pytest.raises(belgrade_stance.DatasetError, match=r"\[out-foreign\]"):
        write_viewer(out, ROOT / "data")
    assert (out / "stray.html").read_text() == "mine"


@pytest.mark.parametrize("doc_id", ["d03", "d04"])
def test_holder_and_evidence_spans_are_highlighted_in_place(page, site, doc_id):
    """Every favor/against record's evidence (and holder mention) is marked inside the sentence
    text, at the holders config's offsets: the marked pieces read exactly the stored texts."""
    holders = pd.concat(belgrade_stance.load("holders").values())
    holders = holders[holders.doc_id == doc_id]
    page.goto((site / f"{doc_id}.html").as_uri())
    marked = page.evaluate("""() => {
        const out = {};
        for (const el of document.querySelectorAll('.hl-evidence, .hl-holder')) {
            const kind = el.classList.contains('hl-evidence') ? 'evidence' : 'holder';
            const key = el.dataset.record + ' ' + kind;
            // the text of the outermost element of this record and kind, ent-label badges left out
            if (el.parentElement.closest(`[data-record="${el.dataset.record}"].hl-${kind}`)) continue;
            const copy = el.cloneNode(true);
            copy.querySelectorAll('.ent-label').forEach(x => x.remove());
            out[key] = (out[key] || '') + copy.textContent;
        }
        return out;
    }""")
    assert len(holders)
    for r in holders.itertuples():
        assert marked.get(f"{r.id} evidence") == r.evidence_text, r.id
        if r.holder_text is not None and r.holder_text == r.holder_text:
            assert marked.get(f"{r.id} holder") == r.holder_text, r.id
        else:
            assert f"{r.id} holder" not in marked
    assert not page.errors


def test_the_index_shows_who_stands_where(page, site):
    page.goto((site / "index.html").as_uri())
    rows = page.locator("#who-stands-where tbody tr")
    assert rows.count() > 0
    first = rows.first.locator("td").all_inner_texts()
    holders = pd.concat(belgrade_stance.load("holders").values())
    assert first[0] == holders.holder.value_counts().sort_index().sort_values(ascending=False, kind="stable").index[0]
