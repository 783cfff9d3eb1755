"""Always on, in a real browser: an admin keeps clicking through pages while the command line
ingests a delivery for a new day and runs the full `refresh`, and a second browser session
(nora, a manager) acknowledges an alert and submits a territory budget through the pages.

Every command exits 0, no page ever shows an exception, the first page switch after the
refresh publishes shows the new data-through date in the sidebar, and both writes are in
the audit log (the SQLite state database beside the store). The tiny demo store (synthetic)
with every batch job run, copied so the commands can write to it. Run alone with
`pytest tests/browser/test_browser_always_on.py`; screenshots go to test-output/screenshots/.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from data.backup import copy_store
from data.state import STATE_URL_ENV
from data.store import open_store
from data.synth import DEMO_PASSWORDS
from tests.app.test_always_on import _cli, _new_day_delivery, _nora_wrote_both_and_status
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

# The admin's loop; Territory budgets opens its first track, Alerts its first event.
ROUND = ("Catalog", "Alerts", "Territory budgets")


def _open(page, title: str) -> None:
    """Click a page in the sidebar and wait for its run to finish, without an exception."""
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=title).click()
    page.get_by_role("heading", name=title).first.wait_for(timeout=60_000)
    _settle(page, timeout=60)
    _assert_no_exception(page)


def _sidebar(page) -> str:
    return page.get_by_test_id("stSidebar").inner_text()


def _signed_in(browser, base: str, path: str, user: str):
    page = _new_page(browser, viewport={"width": 1440, "height": 2400})
    page.goto(f"{base}/{path}", wait_until="domcontentloaded")
    page.get_by_role("textbox", name="Username").wait_for(timeout=30_000)
    _settle(page, timeout=60)
    _sign_in(page, user, DEMO_PASSWORDS[user])
    page.get_by_test_id("stSidebarNav").wait_for(timeout=30_000)
    _settle(page, timeout=60)
    _assert_no_exception(page)
    return page


def _commands(db: Path, delivery: Path, out: list) -> None:
    """The operator's side, in other processes: load the new day, then refresh every model."""
    for args in (("ingest", str(delivery), "--json"), ("refresh", "--json")):
        started = time.monotonic()
        out.append((args[0], _cli(db, *args), time.monotonic() - started))


def test_cli_loads_and_refreshes_while_browsers_use_the_app(
    demo_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(STATE_URL_ENV, raising=False)  # the default: SQLite beside the store
    db = copy_store(demo_db, tmp_path / "live.duckdb")
    with open_store(db, read_only=True) as store:
        before = store.cursor().execute("SELECT max(date) FROM trend_facts").fetchone()[0]
    day = _new_day_delivery(demo_db.parent / "files", tmp_path / "spotify_new_day.csv")

    with (
        running_app(db, tmp_path / "streamlit.log") as base,
        playwright_api.sync_playwright() as p,
    ):
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            admin = _signed_in(browser, base, "", "admin")  # lands on the home page (Today)
            assert f"Data through {before:%d %b %Y}" in _sidebar(admin)

            results: list = []
            worker = threading.Thread(
                target=_commands, args=(db, tmp_path / "spotify_new_day.csv", results)
            )
            worker.start()
            clicks = 0

            # Session B: nora acknowledges the first alert of her first event ...
            nora = _signed_in(browser, base, "alerts", "nora")
            nora.get_by_role("button", name="Acknowledge", exact=True).click()
            nora.get_by_text("Status: acknowledged by nora").wait_for(timeout=60_000)
            _settle(nora, timeout=60)
            _assert_no_exception(nora)
            _shot(nora, "ao-01-nora-acknowledged")
            # ... and, on Territory budgets, submits the default plan of the first track (its
            # selected territories, the suggested split of the default total).
            _open(nora, "Territory budgets")
            nora.get_by_role("heading", name="Your budget per territory").wait_for(timeout=60_000)
            nora.get_by_role("button", name="Suggest a split").click()
            _settle(nora, timeout=60)
            nora.get_by_role("button", name="Submit for approval").click()
            nora.get_by_text("Submitted for approval.").wait_for(timeout=60_000)
            _settle(nora, timeout=60)
            _assert_no_exception(nora)
            _shot(nora, "ao-02-nora-submitted")
            print(f"nora's two writes done; commands still running: {worker.is_alive()}")

            # Session A keeps clicking until both commands are over.
            while worker.is_alive():
                _open(admin, ROUND[clicks % len(ROUND)])
                clicks += 1
                if clicks == 2:
                    _shot(admin, "ao-03-admin-during-refresh")
            worker.join()
            for name, done, seconds in results:
                assert done.returncode == 0, (name, done.stderr[-2000:])
                print(f"{name}: {seconds:.1f} s")
            assert [name for name, _, _ in results] == ["ingest", "refresh"]
            print(f"admin page runs while the commands ran: {clicks}")

            # One rerun (a page switch) after the refresh publishes shows the new day. The
            # ingest published version 1 (the new day's streams), the refresh version 2.
            _open(admin, "Catalog" if ROUND[(clicks - 1) % len(ROUND)] != "Catalog" else "Alerts")
            shown = _sidebar(admin)
            assert f"Data through {day:%d %b %Y} · version 2" in shown, shown
            _shot(admin, "ao-04-admin-new-day")
        finally:
            browser.close()

    # Both writes are in the audit log, made by nora; `status` reports the new day.
    _nora_wrote_both_and_status(db, day)
