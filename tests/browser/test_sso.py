"""Single sign-on in a real browser: the test OIDC provider (tests/support/oidc_provider.py)
and `streamlit run` with an [auth] secrets file, both on 127.0.0.1, driven by Chromium.

The provider auto-approves its test user; the store maps that user's groups. Screenshots go
to test-output/screenshots/.
"""

from __future__ import annotations

import json
import secrets
import urllib.request
from pathlib import Path

import pytest
from support import oidc_provider  # tests/ is on the path: pytest puts conftest dirs there

from data import audit
from data import sso as sso_data
from data.store import open_store
from tests.browser.test_browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    _new_page,
    _settle,
    _shot,
    playwright_api,
)
from tests.support.app_server import free_port, running_app
from tests.support.tiny_demo import tiny_demo_copy

CLIENT_ID = "label-radar"
ALICE = {
    "sub": "u-1001",
    "email": "alice@acme.test",
    "name": "Alice Example",
    "groups": ["lr-harbor-managers", "lr-readers", "staff"],
}

pytestmark = [pytest.mark.browser]


def _secrets(path: Path, port: int, issuer: str, client_secret: str) -> Path:
    path.write_text(
        "[auth]\n"
        f'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
        f'cookie_secret = "{secrets.token_hex(32)}"\n'
        "[auth.acme]\n"
        f'client_id = "{CLIENT_ID}"\n'
        f'client_secret = "{client_secret}"\n'
        f'server_metadata_url = "{issuer}/.well-known/openid-configuration"\n'
        "[sso.names]\n"
        'acme = "Acme ID"\n'
    )
    return path


def _set_user(issuer: str, claims: dict) -> None:
    request = urllib.request.Request(
        f"{issuer}/test/user",
        data=json.dumps(claims).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=5) as r:
        assert r.status == 200


def test_sign_in_with_sso_maps_groups_to_role_and_labels(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    db = tiny_demo_copy(tmp_path_factory, tmp_path / "sso.duckdb")
    with open_store(db) as store:
        # manager wins over viewer; labels are the union (one of them not in the catalog)
        sso_data.map_group(store, "lr-harbor-managers", "manager", ["Harbor Sound"], actor="t")
        sso_data.map_group(store, "lr-readers", "viewer", ["Harbor Sound", "Jazz Annex"], actor="t")
    port, client_secret = free_port(), secrets.token_urlsafe(16)
    provider = {
        "client_id": CLIENT_ID,
        "client_secret": client_secret,
        "redirect_uris": [f"http://127.0.0.1:{port}/oauth2callback"],
        "user": ALICE,
    }
    with (
        oidc_provider.running(provider) as issuer,
        running_app(
            db,
            tmp_path / "streamlit.log",
            port=port,
            extra_args=[
                "--server.address",
                "127.0.0.1",
                "--secrets.files",
                str(_secrets(tmp_path / "secrets.toml", port, issuer, client_secret)),
            ],
        ) as base,
        playwright_api.sync_playwright() as p,
    ):
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = _new_page(browser, viewport={"width": 1280, "height": 1000})
        page.goto(base, wait_until="domcontentloaded")
        sso_button = page.get_by_role("button", name="Sign in with Acme ID")
        sso_button.wait_for(timeout=30_000)
        # the local form is still there beside it
        page.get_by_role("textbox", name="Username").wait_for(timeout=30_000)
        _settle(page)
        _shot(page, "sso-01-sign-in")

        sso_button.click()  # -> provider (auto-approves) -> /oauth2callback -> the app (Today)
        page.get_by_role("heading", name="Today").wait_for(timeout=30_000)
        _settle(page)
        account = (
            page.get_by_test_id("stSidebar").inner_text().replace("\u2060", "")
        )  # word joiners
        assert "alice@acme.test" in account and "manager" in account, account
        assert "single sign-on" in account
        # the label filter offers exactly the mapped labels that have data
        page.get_by_test_id("stSidebar").get_by_test_id("stMultiSelect").first.click()
        page.get_by_role("option").first.wait_for(timeout=10_000)
        options = page.get_by_role("option").all_inner_texts()
        assert [o.strip() for o in options] == ["Harbor Sound"], options
        page.keyboard.press("Escape")
        assert page.locator("[data-testid='stException']").count() == 0
        _shot(page, "sso-02-signed-in")

        # The Users page is for admins; a manager gets the notice.
        page.goto(f"{base}/users", wait_until="domcontentloaded")
        page.get_by_text("This page is for administrators").wait_for(timeout=30_000)

        # Sign out ends the provider session too, and shows the sign-in page again.
        page.get_by_role("button", name="Sign out").click()
        sso_button.wait_for(timeout=30_000)

        # A user none of whose groups is mapped gets the no-access page.
        _set_user(issuer, {**ALICE, "email": "bob@acme.test", "groups": ["staff"]})
        sso_button.click()
        page.get_by_text("has not given you access").wait_for(timeout=30_000)
        _settle(page)
        main_text = page.get_by_test_id("stMain").inner_text()
        assert "bob@acme.test" in main_text and "staff" in main_text, main_text
        assert page.get_by_test_id("stSidebarNav").count() == 0
        _shot(page, "sso-03-no-access")
        browser.close()

    with open_store(db, read_only=True) as store:
        log = audit.entries(store, entity="session")
    actions = list(zip(log["actor"], log["action"], strict=True))
    assert actions == [
        ("alice@acme.test", "session.sign_in"),
        ("bob@acme.test", "session.sign_in_denied"),
    ], actions
    granted = json.loads(log["after"].iloc[0])
    assert granted["role"] == "manager" and granted["provider"] == "acme"
    assert granted["labels"] == ["Harbor Sound", "Jazz Annex"]
