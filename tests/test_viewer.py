"""The corpus viewer in a real browser: headless Chromium (the system's /usr/bin/chromium, driven by
Playwright), from file:// and from a local HTTP server. Every page loads without an error or a
request to the network."""

from __future__ import annotations

import functools
import http.server
import io
import os
import threading
from pathlib import Path

import pandas as pd
import pytest

import belgrade_stance
from belgrade_stance.viewer import write_viewer
from helpers import ROOT, need

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run"]
ARGS += ["--disable-background-networking", "--disable-component-update", "--disable-sync"]
LOCAL = ("file:", "http://127.0.0.1", "data:", "about:")
MARKED = "els => els.map(e => [e.dataset.record + ' ' + e.classList[0].slice(3), e.textContent])"
"""(record and kind, text) of every holder and evidence mark, in document order."""
HOVER = "els => els.map(e => [e.title, e.textContent])"
GAPS = "els => els.map(e => e.getBoundingClientRect()).map((r, i, all) => i ? r.top - all[i - 1].bottom : 0)"
"""The blank height above each element but the first (the distance from the element before)."""


def rows(config: str) -> pd.DataFrame:
    return pd.concat(belgrade_stance.load(config, labels="names").values())


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The viewer of the data: its URL from file:// and from a local HTTP server."""
    write_viewer(out := tmp_path_factory.mktemp("viewer") / "site", ROOT / "data")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(out))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield {"file": out.as_uri(), "http": f"http://127.0.0.1:{httpd.server_address[1]}"}
    httpd.shutdown()


@pytest.fixture(scope="module")
def browser():
    chromium = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    if not Path(chromium).is_file():
        need("Chromium", "apt-get install chromium chromium-driver (.ci/run does)")
    try:
        from playwright import sync_api
    except ImportError:
        need("playwright", "pip install playwright (in the test group)")
    with sync_api.sync_playwright() as p:
        yield p.chromium.launch(executable_path=chromium, args=ARGS, headless=True)


@pytest.fixture
def page(browser):
    pg, errors = browser.new_page(viewport={"width": 1100, "height": 1400}), []
    pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.on("request", lambda r: r.url.startswith(LOCAL) or errors.append(f"network request: {r.url}"))
    yield pg
    pg.close()
    assert errors == []


@pytest.mark.parametrize("via", ["file", "http"])
def test_the_index_lists_and_filters_the_documents_and_shows_who_stands_where(page, site, via):
    page.goto(f"{site[via]}/index.html")
    holders = rows("holders").holder.value_counts().sort_index().sort_values(ascending=False, kind="stable")
    who = page.locator("#who-stands-where tbody td:first-child").evaluate_all(HOVER)
    assert [i for i, _ in who] == list(holders.index[: len(who)]) and len(who) > 10  # the raw id on hover
    assert not any("_" in name or not name for _, name in who), who  # a name or a description
    links = page.locator("#documents tbody tr:not(.hidden) td:first-child a")
    assert sorted(links.all_inner_texts()) == sorted(rows("documents").doc_id) and links.count() == 5
    page.select_option("#f-target", "emigrants")
    page.select_option("#f-label", "favor")
    favor = rows("stance").query("target == 'emigrants' and label == 'favor'")
    assert sorted(links.all_inner_texts()) == sorted(favor.doc_id.unique())
    links.first.click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/{sorted(favor.doc_id)[0]}.html")


@pytest.mark.parametrize("doc_id", ["d00", "d03", "d04"])
def test_a_document_page_marks_entities_holders_and_evidence_in_place(page, site, doc_id):
    """Every sentence and entity mention is marked, and every favor/against record's evidence (and
    holder mention) inside the sentence text, at the holders config's offsets: the marked pieces
    read exactly the stored texts."""
    sentences, holders = (rows(c).query(f"doc_id == '{doc_id}'") for c in ("sentences", "holders"))
    page.goto(f"{site['file']}/{doc_id}.html")
    assert page.locator(".sentence mark.ent").count() == sum(len(e) for e in sentences.entities)
    assert page.locator(".sentence").count() == len(sentences) and page.locator(".boilerplate").count() > 0
    marked: dict[str, str] = {}
    for key, text in page.locator(".hl-evidence, .hl-holder").evaluate_all(MARKED):
        marked[key] = marked.get(key, "") + text
    assert len(holders) and len(marked) == len(holders) + holders.holder_text.notna().sum()
    for r in holders.itertuples():
        assert marked[f"{r.id} evidence"] == r.evidence_text, r.id
        holder = r.holder_text if isinstance(r.holder_text, str) else None
        assert marked.get(f"{r.id} holder") == holder, r.id
    who = page.locator("ul.stance .holder").evaluate_all(HOVER)
    assert {i for i, _ in who} == set(holders.holder) and not any("_" in name for _, name in who), who


@pytest.mark.parametrize(
    "case", ["d00 war against", "d02 emigrants against", "d04 putin against", "d03 eu_integration favor"]
)
def test_filters_show_exactly_the_sentences_of_a_target_and_label(page, site, case):
    doc_id, target, label = case.split()
    stance = rows("stance").query("doc_id == @doc_id and target == @target and label == @label")
    page.goto(f"{site['file']}/{doc_id}.html")
    page.select_option("#f-target", target)
    page.select_option("#f-label", label)
    shown, ids = page.locator(".sentence:not(.hidden)"), "els => els.map(e => e.id)"
    assert sorted(shown.evaluate_all(ids)) == sorted(stance.sentence_id)
    assert page.inner_text("#match-count") == str(len(stance))
    listed = page.locator(".sentence:not(.hidden) li:not(.hidden)")  # that target's items only
    assert set(listed.evaluate_all("els => els.map(e => e.dataset.target)")) == {target} or stance.empty
    marked = "es => es.filter(e => getComputedStyle(e).borderBottomStyle !='none').map(e => e.dataset.target)"
    assert set(page.locator(".sentence:not(.hidden) span.hl-evidence").evaluate_all(marked)) <= {target}
    line = page.evaluate("parseFloat(getComputedStyle(document.body).lineHeight)")
    assert max(shown.evaluate_all(GAPS), default=0) < line  # hidden sentences leave no blank run
    page.check("#f-dis")
    assert sorted(shown.evaluate_all(ids)) == sorted(stance[~stance.passes_agree].sentence_id)
    assert max(shown.evaluate_all(GAPS), default=0) < line


def test_a_screenshot_shows_text_and_entity_colours(page, site):
    from PIL import Image, ImageStat

    page.goto(f"{site['file']}/d03.html")
    with Image.open(io.BytesIO(page.screenshot(full_page=True))) as im:
        assert im.size[0] == 1100 and im.size[1] > 1400
        assert ImageStat.Stat(im.convert("L")).stddev[0] > 20  # text and highlights, not a blank page
        colours = {rgb for _, rgb in im.convert("RGB").getcolors(maxcolors=1 << 20) or []}
        assert any(max(abs(x - y) for x, y in zip(rgb, (0xFE, 0xCA, 0x74))) < 4 for rgb in colours), "no GPE"
