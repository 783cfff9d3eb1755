"""The whole app in a real browser: `streamlit run` + Playwright driving Debian's Chromium.

Screenshots go to test-output/screenshots/. Run alone with `pytest -m browser`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from data.synth import DEMO_PASSWORDS
from tests.support.app_server import running_app
from tests.support.tiny_demo import tiny_demo_copy

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "test-output" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = [pytest.mark.browser]
# No silent skip: the test command installs chromium, so its absence is a failure. Opt out
# explicitly with `pytest -m "not browser"`.
if not Path(CHROMIUM).exists():
    raise RuntimeError(f"{CHROMIUM} is missing: run `make test` (it installs Debian's chromium)")
import playwright.sync_api as playwright_api  # noqa: E402

FEATURE_PAGES = (
    "Today",
    "Fan types",
    "Similar artists",
    "Alerts",
    "Forecasts",
    "Data health",
    "Campaigns",
    "Territory budgets",
    "Audiences",
)


def _build_store(factory: pytest.TempPathFactory, target: Path) -> dict[str, tuple[str, str]]:
    """A copy of the tiny generated demo store with every batch job run at `target`;
    returns the admin's and a viewer's credentials."""
    tiny_demo_copy(factory, target)
    return {
        "admin": ("admin", DEMO_PASSWORDS["admin"]),
        "viewer": ("vera", DEMO_PASSWORDS["vera"]),
    }


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict]]:
    # A store of its own: the test process may hold other fixture stores open, and DuckDB
    # allows one writing process per file.
    db = tmp_path_factory.mktemp("browser") / "app.duckdb"
    accounts = _build_store(tmp_path_factory, db)
    with running_app(db, tmp_path_factory.getbasetemp() / "streamlit.log") as base:
        yield base, accounts


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with playwright_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


# Streamlit's app root carries the script run's state (data-test-script-state: initial,
# running, notRunning, ...). A click reaches the server as a rerun request, and the state
# turns to "running" only when the server starts the run (measured: up to 0.7 s later), so
# "not running" right after a click says nothing. This script, installed in every page
# (`_new_page`), keeps the time of the last input event (click, key, typing) and of every
# change of the run state, so `_settle` can wait for the end of a run that began after the
# input, without a fixed sleep.
RUN_WATCH = """
(() => {
  const s = (window.__lrRuns = { input: -1, changed: 0, ended: -1, state: null });
  // Only the tester's own inputs (trusted events): a component that dispatches an input
  // or change event while it draws, after the run ended (seen in CI: 0.3-0.6 s after),
  // would otherwise mark an input no run follows, and _settle would wait for ever.
  const mark = (e) => {
    const what = `${e.type} ${e.target && e.target.tagName} ${e.isTrusted ? "" : "(untrusted)"}`;
    if (!e.isTrusted) { s.ignored = what; return; }
    s.input = performance.now();
    s.what = what;  // said when _settle times out
  };
  for (const type of ["click", "keydown", "input", "change"]) {
    document.addEventListener(type, mark, true);
  }
  // Every record counts, not only a state that differs from the last one seen: a short run
  // can start and end between two callbacks (seen in CI: a page switch whose run was missed,
  // so _settle waited for a run that had already ended).
  new MutationObserver((records) => {
    if (!records.length) return;
    const app = document.querySelector('[data-testid="stApp"]');
    const state = app && app.getAttribute("data-test-script-state");
    s.state = state;
    s.changed = performance.now();
    if (state === "notRunning") s.ended = s.changed;
  }).observe(document, {
    subtree: true, attributes: true, attributeFilter: ["data-test-script-state"],
  });
  // Any change of the page at all: a fast run whose start and end reach the page in one
  // render never changes the state attribute (SETTLED's second way out).
  s.touched = 0;
  new MutationObserver(() => { s.touched = performance.now(); }).observe(document, {
    subtree: true, childList: true, attributes: true, characterData: true,
  });
})();
"""
# True when the app is connected, not running, no component is still loading, and either a
# run has ended since the last input (or since the page loaded) and the state has not
# changed for `quiet` ms, or no run end was seen but the page has been still for a second,
# three seconds after the input.
SETTLED = """
(quiet) => {
  const s = window.__lrRuns;
  if (!s) throw new Error("no run watcher in this page: open it with _new_page");
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app || app.getAttribute("data-test-connection-state") !== "CONNECTED") return false;
  const state = app.getAttribute("data-test-script-state");
  if (state !== s.state) {
    s.state = state;
    s.changed = performance.now();
    if (state === "notRunning") s.ended = s.changed;
  }
  if (state !== "notRunning") return false;
  // no placeholder of a component whose code is still loading (a click on a half-drawn
  // page can be lost)
  if (document.querySelector('[data-testid="stSkeleton"]')) return false;
  const now = performance.now();
  if (s.ended > s.input) return now - s.changed >= quiet;
  // No run end seen since the input: a run too fast for the state attribute to show it
  // (it started and ended in one render) is over once the page has been still for a second,
  // three seconds after the input (a run starts within 0.7 s of its input: see RUN_WATCH).
  return now - s.input >= 3000 && now - s.touched >= 1000;
}
"""
# True when everything the run sent has drawn: no placeholder of a component still loading,
# every plotly chart with its SVG, every deck.gl map with its canvas (they draw after the
# run ends: deck.gl's code loads only then, about 1.5 s on this machine).
DRAWN = """
() => {
  if (document.querySelector('[data-testid="stSkeleton"]')) return false;
  const all = (id) => [...document.querySelectorAll(`[data-testid="${id}"]`)];
  return all("stPlotlyChart").every((e) => e.querySelector(".main-svg"))
    && all("stDeckGlJsonChart").every((e) => e.querySelector("canvas"));
}
"""


def _new_page(browser, **kwargs):
    """A new page (its own context) with the run watcher `_settle` reads."""
    page = browser.new_page(**kwargs)
    page.add_init_script(RUN_WATCH)
    return page


def _settle(page, timeout: float = 20.0) -> None:
    """Wait until the script run that the last input (or the page load) started is over,
    every component it sent has loaded, and the app has stayed idle for 100 ms."""
    try:
        page.wait_for_function(SETTLED, arg=100, timeout=timeout * 1000)
    except playwright_api.TimeoutError as exc:
        seen = page.evaluate(
            "() => JSON.stringify({...window.__lrRuns, now: performance.now(), connection: "
            "document.querySelector('[data-testid=\"stApp\"]')"
            "?.getAttribute('data-test-connection-state')})"
        )
        raise playwright_api.TimeoutError(f"the app did not settle in {timeout} s: {seen}") from exc


def _drawn(page, timeout: float = 30.0) -> None:
    """Wait until the page's charts and maps have drawn (after `_settle`)."""
    page.wait_for_function(DRAWN, timeout=timeout * 1000)


def _assert_no_exception(page) -> None:
    assert page.locator("[data-testid='stException']").count() == 0
    body = page.locator("[data-testid='stMain']").inner_text()
    assert "Traceback" not in body


def _sign_in(page, user: str, password: str) -> None:
    page.get_by_role("textbox", name="Username").fill(user)
    page.get_by_role("textbox", name="Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def _shot(page, name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def test_sign_in_deep_link_and_every_page(server, browser) -> None:
    base, accounts = server
    user, password = accounts["admin"]
    page = _new_page(browser, accept_downloads=True, viewport={"width": 1440, "height": 3000})
    try:
        # A deep link with filters, before signing in: only the sign-in form.
        page.goto(f"{base}/users?from=2000-01-01&country=ZZ", wait_until="domcontentloaded")
        page.get_by_role("textbox", name="Username").wait_for(timeout=30_000)
        _settle(page)
        assert page.get_by_test_id("stSidebarNav").count() == 0
        assert page.locator("[data-testid='stMetric']").count() == 0
        _shot(page, "01-sign-in")

        _sign_in(page, user, "not-the-password")
        page.get_by_text("Wrong username or password").wait_for(timeout=15_000)

        # Signing in opens the page the link asked for, with the link's (checked) filters.
        _sign_in(page, user, password)
        page.get_by_role("heading", name="Users").wait_for(timeout=30_000)
        _settle(page)
        assert "/users" in page.url
        assert page.get_by_text("adjusted to fit").count() == 1  # 2000-01-01 is before the data
        _assert_no_exception(page)

        nav = page.get_by_test_id("stSidebarNav")
        # inner text is "<icon ligature>\n\n<title>"
        titles = [t.strip().split("\n")[-1] for t in nav.locator("a").all_inner_texts()]
        assert titles == [
            "Today",
            "Catalog",
            "Fan types",
            "Similar artists",
            "Alerts",
            "Forecasts",
            "Data health",
            "Campaigns",
            "Territory budgets",
            "Audiences",
            "Users",
        ], titles
        for title in titles:
            nav.get_by_role("link", name=title).click()
            page.get_by_role("heading", name=title).first.wait_for(timeout=30_000)
            _settle(page)
            _assert_no_exception(page)
            if title == "Catalog":
                page.locator("[data-testid='stMetric']").nth(3).wait_for(timeout=30_000)
                assert page.locator("[data-testid='stMetric']").count() == 4
                page.locator(".js-plotly-plot").first.wait_for(timeout=20_000)
                # daily streams, the drill-down's streams by source and its forecast fan chart
                page.locator(".js-plotly-plot").nth(2).wait_for(timeout=20_000)
                assert page.locator(".js-plotly-plot").count() == 3
                assert page.get_by_text("Stream forecast, next 90 days").count() == 1
                page.locator("[data-testid='stDeckGlJsonChart'] canvas").first.wait_for(
                    timeout=20_000
                )
                # the filters travel in the URL
                assert re.search(r"[?&]from=\d{4}-\d\d-\d\d", page.url), page.url
                # every table downloads as CSV (built on click, with the table's columns)
                with page.expect_download(timeout=20_000) as download:
                    page.get_by_role("button", name="Download CSV").nth(1).click()
                csv_text = Path(download.value.path()).read_text(encoding="utf-8-sig")
                assert csv_text.startswith("rank,track,artist,label,streams"), csv_text[:80]
                assert download.value.suggested_filename == "top-tracks.csv"
                _drawn(page)  # deck.gl draws after the run: wait before the screenshot
            elif title in FEATURE_PAGES:
                # every analytics page draws at least one titled chart from persisted results
                page.locator(".js-plotly-plot").first.wait_for(timeout=30_000)
                # results come from a model run, and the page says when it was computed
                main_text = page.locator("[data-testid='stMain']").inner_text()
                assert re.search(r"[Cc]omputed \d", main_text), main_text[:300]
                if title == "Forecasts":  # the fan chart of the first artist
                    assert page.get_by_text("Stream forecast, next 90 days").count() == 1
                if title == "Campaigns":  # lift table, observed vs counterfactual, the curve
                    page.get_by_text("Every past campaign").wait_for(timeout=30_000)
                    page.locator(".js-plotly-plot").nth(1).wait_for(timeout=30_000)
                if title == "Territory budgets":  # your plan against the optimiser's
                    heading = page.get_by_role("heading", name="Your plan vs the optimiser's")
                    heading.wait_for(timeout=30_000)
                    heading.scroll_into_view_if_needed()
                _drawn(page)
            _shot(page, f"02-{title.lower().replace(' ', '-')}")
    finally:
        page.close()


def test_viewer_has_no_admin_page(server, browser) -> None:
    base, accounts = server
    page = _new_page(browser, viewport={"width": 1280, "height": 1000})
    try:
        page.goto(f"{base}/users", wait_until="domcontentloaded")
        page.get_by_role("textbox", name="Username").wait_for(timeout=30_000)
        _sign_in(page, *accounts["viewer"])
        page.get_by_text("This page is for administrators").wait_for(timeout=30_000)
        _settle(page)
        _assert_no_exception(page)
        # one visible page: Streamlit hides the navigation; either way, no "Users" link
        nav_links = page.get_by_test_id("stSidebarNav").locator("a").all_inner_texts()
        assert "Users" not in [t.strip().split("\n")[-1] for t in nav_links]
        _shot(page, "03-viewer-no-access")
    finally:
        page.close()
