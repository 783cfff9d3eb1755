"""The guided demo in a real browser: sign in on the demo store, follow every step's Go link
and Next to the end with no exception. Screenshots go to test-output/screenshots/tour-*.png.
"""

from __future__ import annotations

import re

import pytest

from tests.browser.test_browser import (
    _assert_no_exception,
    _drawn,
    _new_page,
    _settle,
    _shot,
    _sign_in,
    browser,  # noqa: F401  (fixture)
    playwright_api,
    server,  # noqa: F401  (fixture)
)

pytestmark = [pytest.mark.browser]

# The heading each step's page opens with, and a text that shows it opened pre-filled.
PAGES = {
    "1. An alert": ("Alerts", "Attribution of the change"),
    "2. Its cause": ("Alerts", "Attribution of the change"),
    "3. Where similar artists do better": ("Similar artists", "Target countries"),
    "4. Who the audience is": ("Audiences", "Likely adopters"),
    "5. A budget and its expected outcome": ("Territory budgets", "Your budget per territory"),
    "6. Approval": ("Territory budgets", "Submit for approval"),
}


def _idle(page) -> bool:
    return page.evaluate(
        "() => document.querySelector('[data-testid=\"stApp\"]')"
        "?.getAttribute('data-test-script-state') === 'notRunning'"
    )


def _opened(page, heading: str, marker: str) -> None:
    """Wait until the step's page has opened: its heading and its pre-filled marker drawn,
    the run over. Once in CI (f574d02) the Go link's page switch drew the page but the run
    watcher saw no run after the click (the last one it saw ended 2 s before it), so
    `_settle` waited 60 s for a run that had already ended; the drawn heading and marker
    with the app idle show that run is over, so that case is accepted, and only that one."""
    page.get_by_role("heading", name=heading).first.wait_for(timeout=60_000)
    page.get_by_text(marker).first.wait_for(timeout=60_000)
    try:
        _settle(page, timeout=30)
    except playwright_api.TimeoutError:
        assert _idle(page), "the app is still running 30 s after the step's page drew"
        page.get_by_role("heading", name=heading).first.wait_for(timeout=1_000)


def test_guided_demo_end_to_end(server, browser) -> None:  # noqa: F811
    base, accounts = server
    user, password = accounts["admin"]
    page = _new_page(browser, viewport={"width": 1440, "height": 1800})
    try:
        page.goto(base, wait_until="domcontentloaded")
        page.get_by_role("textbox", name="Username").wait_for(timeout=30_000)
        _sign_in(page, user, password)
        sidebar = page.get_by_test_id("stSidebar")
        sidebar.get_by_text("Guided demo").wait_for(timeout=60_000)
        _settle(page)
        _drawn(page)  # the landing page in full before the first click (Go's link is lazy)
        for n, (title, (heading, marker)) in enumerate(PAGES.items(), start=1):
            sidebar.get_by_text(title).wait_for(timeout=30_000)
            sidebar.get_by_role("link", name=re.compile("Go: open this view")).click()
            _opened(page, heading, marker)
            _assert_no_exception(page)
            if heading == "Territory budgets":  # the link pre-filled the track's territories
                assert "territories=" in page.url, page.url
            _drawn(page)
            _shot(page, f"tour-{n}")
            if n < len(PAGES):
                sidebar.get_by_role("button", name="Next").click()
                _settle(page)
        assert sidebar.get_by_role("button", name="Next").is_disabled()
        sidebar.get_by_role("button", name="Back").click()
        _settle(page)
        sidebar.get_by_text("5. A budget and its expected outcome").wait_for(timeout=30_000)
        _assert_no_exception(page)
    finally:
        page.close()
