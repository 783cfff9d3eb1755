"""Today in a real browser (the tiny SYNTHETIC demo store with every batch job run): sign-in
lands on Today, and each of the first three opportunities' links opens the page that acts
on it, pre-filled. Screenshots go to test-output/screenshots/. Run alone with
`pytest tests/browser/test_browser_today.py`.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

from data.store import open_store
from tests.browser.test_browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    _assert_no_exception,
    _build_store,
    _new_page,
    _settle,
    _shot,
    _sign_in,
)
from tests.support.app_server import running_app

pytestmark = [pytest.mark.browser]
import playwright.sync_api as playwright_api  # noqa: E402

LINKS = "[data-testid='stMain'] a[href*='budget?'], [data-testid='stMain'] a[href*='fans?']"


@pytest.fixture(scope="module")
def today_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict, Path]]:
    db = tmp_path_factory.mktemp("browser_today") / "app.duckdb"
    accounts = _build_store(tmp_path_factory, db)
    with running_app(db, tmp_path_factory.getbasetemp() / "streamlit-today.log") as base:
        yield base, accounts, db


def _names(db: Path) -> tuple[dict[str, str], dict[str, str]]:
    """Track titles by ISRC and artist names by id (read before the app holds the store)."""
    with open_store(db, read_only=True) as store:
        rows = (
            store.cursor()
            .execute("SELECT isrc, track_title, artist_id, artist_name FROM catalog")
            .fetchall()
        )
    return {r[0]: r[1] for r in rows}, {r[2]: r[3] for r in rows}


def _selected(page, label: str) -> str:
    """What the selectbox labelled `label` shows: its text and its search input's value
    (Streamlit draws the chosen option in either, depending on the widget's state)."""
    box = page.get_by_test_id("stSelectbox").filter(has_text=label).first
    box.wait_for(timeout=30_000)
    inputs = box.locator("input")
    value = inputs.first.input_value() if inputs.count() else ""
    return f"{box.inner_text()} {value}"


def _open_today(page) -> None:
    """Back to Today through the navigation (a full page load would start a new session)."""
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Today").click()
    page.get_by_role("heading", name="Opportunities").wait_for(timeout=60_000)
    _settle(page)
    page.locator(LINKS).nth(2).wait_for(timeout=30_000)


def test_sign_in_lands_on_today_and_links_open_prefilled(today_server) -> None:
    base, accounts, db = today_server
    titles, artists = _names(db)
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = _new_page(browser, viewport={"width": 1440, "height": 2400})
        try:
            page.goto(base, wait_until="domcontentloaded")
            page.get_by_role("textbox", name="Username").wait_for(timeout=30_000)
            _sign_in(page, *accounts["admin"])
            page.get_by_role("heading", name="Today").first.wait_for(timeout=60_000)
            page.get_by_role("heading", name="Opportunities").wait_for(timeout=60_000)
            page.locator(LINKS).nth(2).wait_for(timeout=30_000)
            page.locator(".js-plotly-plot").first.wait_for(timeout=30_000)
            _settle(page)
            _assert_no_exception(page)
            main = page.locator("[data-testid='stMain']").inner_text()
            assert "Opportunity ranking computed" in main
            assert "What changed" in main and "Data health" in main
            _shot(page, "today-01-landing")

            for i in range(3):
                if i:
                    _open_today(page)
                link = page.locator(LINKS).nth(i)
                href = link.get_attribute("href") or ""
                params = parse_qs(urlparse(href).query)
                link.click()
                if "budget?" in href:
                    page.get_by_role("heading", name="Territory budgets").wait_for(timeout=60_000)
                    _settle(page)
                    _assert_no_exception(page)
                    isrc = params["track"][0]
                    assert f"track={isrc}" in page.url
                    assert titles[isrc] in _selected(page, "Track")
                    territory = params["territories"][0]
                    assert f"territories={territory}" in page.url
                else:
                    page.get_by_role("heading", name="Fan types").wait_for(timeout=60_000)
                    _settle(page)
                    _assert_no_exception(page)
                    artist = params["fan_artist"][0]
                    assert artists[artist] in _selected(page, "Artist")
                _shot(page, f"today-02-link-{i + 1}")
        finally:
            page.close()
            browser.close()
