"""Open one page of the app headless (AppTest) as a signed-in demo user."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from data.synth import DEMO_PASSWORDS

MAIN = Path(__file__).resolve().parents[2] / "app" / "main.py"


def open_page(
    db: Path,
    monkeypatch: pytest.MonkeyPatch,
    username: str,
    page: str,
    *,
    password: str | None = None,
    timeout: float = 90,
    query_params: dict[str, str] | None = None,
) -> AppTest:
    """Sign `username` in on the store `db` (demo password unless given) and switch to
    `page` ("../pages/<feature>.py") with the URL's `query_params` (as a shared link opens
    it); fails on any exception the run raised."""
    monkeypatch.setenv("LABELRADAR_DB", str(db))
    at = AppTest.from_file(str(MAIN), default_timeout=timeout)
    at.run()
    fields = {ti.label: ti for ti in at.text_input}
    fields["Username"].input(username)
    fields["Password"].input(password if password is not None else DEMO_PASSWORDS[username])
    next(b for b in at.button if b.label == "Sign in").click()
    at.run()
    at.query_params.update(query_params or {})
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at
