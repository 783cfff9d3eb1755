"""Hostile text in a real browser: every page, opened through a crafted link on a store whose
names, labels, playlist ids and proposal notes are links, images, HTML and directives.

Every network request is recorded: none may leave the app's own origin (an image from the
data would make the browser fetch it). The DOM must hold no link to the corpus' host and
no image from it. Screenshots go to test-output/screenshots/hostile-*.png.
"""

from __future__ import annotations

import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.features import FEATURES
from data.store import open_store
from data.synth import DEMO_PASSWORDS
from tests.browser.test_browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    SHOTS,
    _drawn,
    _new_page,
    _settle,
)
from tests.support import hostile_text as ht
from tests.support.app_server import running_app

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.browser]
import playwright.sync_api as playwright_api  # noqa: E402

PAGES = tuple(f.title for f in FEATURES)  # every registered page (the admin sees all)


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    db = ht.build_hostile_store(
        tmp_path_factory, tmp_path_factory.mktemp("hostile-browser") / "app.duckdb"
    )
    with open_store(db, read_only=True) as s:
        isrc = (
            s.cursor()
            .execute(
                "SELECT b.isrc FROM budget_assets b JOIN catalog c USING (isrc) "
                "WHERE c.label = ? AND b.in_model ORDER BY 1 LIMIT 1",
                [ht.LABEL],
            )
            .fetchone()[0]
        )
    with running_app(db, tmp_path_factory.getbasetemp() / "streamlit-hostile.log") as base:
        yield base, isrc


def _offending_dom(page) -> dict[str, list[str]]:
    links = page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
    images = page.eval_on_selector_all("img", "els => els.map(e => e.currentSrc || e.src)")
    coloured = page.locator(".stMarkdownColoredText, .stMarkdownBadge").all_inner_texts()
    hosts = {ht.EVIL_HOST, ht.TRAP_HOST}
    return {  # by host: the app's own links carry the (encoded) filters in their query
        "links": [u for u in links if urllib.parse.urlsplit(u).netloc in hosts],
        "images": [u for u in images if urllib.parse.urlsplit(u).netloc in hosts],
        "coloured": [t for t in coloured if "APPROVE" in t or "Records" in t or "VIP" in t],
    }


def test_hostile_text_stays_text_in_the_browser(hostile_server, tmp_path: Path) -> None:
    base, isrc = hostile_server
    own = {urllib.parse.urlsplit(base).netloc, base.replace("127.0.0.1", "localhost")[7:]}
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = _new_page(browser, viewport={"width": 1440, "height": 3000})
        requests: list[str] = []
        page.on("request", lambda r: requests.append(r.url))
        try:
            query = urllib.parse.urlencode(ht.hostile_query_params(isrc))
            page.goto(f"{base}/budget?{query}", wait_until="domcontentloaded")
            page.get_by_role("textbox", name="Username").wait_for(timeout=30_000)
            page.get_by_role("textbox", name="Username").fill("admin")
            page.get_by_role("textbox", name="Password").fill(DEMO_PASSWORDS["admin"])
            page.get_by_role("button", name="Sign in").click()
            page.get_by_role("heading", name="Territory budgets").wait_for(timeout=60_000)
            _settle(page, timeout=60)
            page.get_by_role("heading", name="Proposals").wait_for(timeout=60_000)
            page.get_by_text("Comment: ", exact=False).first.wait_for(timeout=30_000)
            main = page.locator("[data-testid='stMain']").inner_text()
            assert "No audience data for this track in ZZ" in main
            assert "Comment: " in main and "APPROVE NOW" in main  # the note, as text
            nav = page.get_by_test_id("stSidebarNav")
            for title in PAGES:
                nav.get_by_role("link", name=title).click()
                page.get_by_role("heading", name=title).first.wait_for(timeout=60_000)
                _settle(page, timeout=60)
                _drawn(page)  # charts and maps draw after the run
                assert page.locator("[data-testid='stException']").count() == 0, title
                assert _offending_dom(page) == {"links": [], "images": [], "coloured": []}, title
                # the table toolbar offers no export (the app's own button does it safely)
                # the first table on show (Today keeps its full change list in a closed expander)
                grid = page.locator("[data-testid='stDataFrame'] >> visible=true").first
                if grid.count():
                    grid.hover()  # the toolbar shows on hover, all its buttons at once
                    page.get_by_role("button", name="Search").first.wait_for(timeout=10_000)
                    assert page.get_by_role("button", name="Search").count() >= 1  # toolbar shown
                    assert page.get_by_role("button", name="Download as CSV").count() == 0
                SHOTS.mkdir(parents=True, exist_ok=True)
                slug = title.lower().replace(" ", "-")
                page.screenshot(path=str(SHOTS / f"hostile-{slug}.png"), full_page=True)
        finally:
            page.close()
            browser.close()
    network = [u for u in requests if urllib.parse.urlsplit(u).scheme in ("http", "https", "ws")]
    elsewhere = sorted({u for u in network if urllib.parse.urlsplit(u).netloc not in own})
    assert network and not elsewhere, elsewhere
