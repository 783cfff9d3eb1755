"""The Data health page and the grouped Alerts feed in a real browser, on the REAL chart
store (`labelradar demo --real`: public Spotify daily charts of 2017, read from
../shared/realdata where they lie). Run alone with
`pytest tests/browser/test_browser_events.py`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from app.alerts import job as alerts_job
from app.health import job as health_job
from data import realdemo
from data.store import open_store
from tests.browser.test_browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    _assert_no_exception,
    _new_page,
    _settle,
    _shot,
    _sign_in,
)
from tests.support.app_server import running_app

pytestmark = [pytest.mark.browser]
import playwright.sync_api as playwright_api  # noqa: E402


def _quiet(stage: str, fraction: float) -> None:
    return None


@pytest.fixture(scope="module")
def real_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    missing = realdemo.missing_files()
    if missing:
        pytest.skip(f"real chart data absent ({missing[0]}): the real-data demo cannot be built")
    db = tmp_path_factory.mktemp("browser_real") / "real.duckdb"
    realdemo.build_real_store(db)
    with open_store(db) as store:  # the two jobs these pages read
        health_job.run(store, _quiet)
        alerts_job.run(store, _quiet)
    with running_app(db, tmp_path_factory.getbasetemp() / "streamlit-real.log") as base:
        yield base


def test_data_health_and_grouped_alerts_open_without_exception(real_server) -> None:
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = _new_page(browser, viewport={"width": 1440, "height": 3000})
        try:
            page.goto(real_server, wait_until="domcontentloaded")
            page.get_by_role("textbox", name="Username").wait_for(timeout=30_000)
            _sign_in(page, "admin", realdemo.REAL_PASSWORDS["admin"])
            nav = page.get_by_test_id("stSidebarNav")
            nav.wait_for(timeout=30_000)

            nav.get_by_role("link", name="Data health").click()
            page.get_by_role("heading", name="Data health").first.wait_for(timeout=30_000)
            _settle(page, timeout=60)
            _assert_no_exception(page)
            _shot(page, "04-real-data-health")

            nav.get_by_role("link", name="Alerts").click()
            page.get_by_role("heading", name="Alerts").first.wait_for(timeout=30_000)
            _settle(page, timeout=60)
            _assert_no_exception(page)
            main = page.locator("[data-testid='stMain']").inner_text()
            found = re.search(r"(\d+) events \((\d+) alerts\)", main)
            assert found, main[:500]
            events, alerts = map(int, found.groups())
            assert 0 < events < alerts
            page.locator(".js-plotly-plot").first.wait_for(timeout=30_000)
            _shot(page, "05-real-alerts-events")

            page.get_by_role("button", name="Acknowledge event").click()
            page.get_by_text("Event acknowledged").wait_for(timeout=30_000)
            _settle(page, timeout=60)
            _assert_no_exception(page)
        finally:
            page.close()
            browser.close()
