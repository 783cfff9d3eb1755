"""The Today page on the tiny demo store (SYNTHETIC): it is where sign-in lands, it says why
for every item, and its links open the acting pages pre-filled."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs

import pytest
from streamlit.testing.v1 import AppTest

from data import users
from data.backup import copy_store
from data.store import open_store
from data.synth import DEMO_PASSWORDS
from tests.app.test_app import MAIN, no_exception, sign_in

NEWCOMER_PASSWORD = "first-visit-Q7-harbour"


@pytest.fixture
def today(demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("LABELRADAR_DB", str(demo_db))
    at = AppTest.from_file(str(MAIN), default_timeout=120)
    return sign_in(at, "admin", DEMO_PASSWORDS["admin"])


def test_sign_in_lands_on_today_with_the_ranking(today: AppTest, demo_db: Path) -> None:
    no_exception(today)
    assert [t.value for t in today.title] == ["Today"]
    captions = [c.value for c in today.caption]
    assert any(c.startswith("Opportunity ranking computed ") for c in captions), captions
    subheaders = [h.value for h in today.subheader]
    assert subheaders[:2] == ["What changed", "Opportunities"]
    assert "Data health" in subheaders
    with open_store(demo_db, read_only=True) as store:
        top = (
            store.cursor()
            .execute(
                "SELECT action, isrc, territory, id FROM today_opportunities ORDER BY rank LIMIT 10"
            )
            .fetchall()
        )
    links = [p for p in today.get("page_link") if p.proto.page in ("budget", "fans")]
    assert len(links) == len(top)
    for (action, isrc, territory, artist), link in zip(top, links, strict=True):
        params = parse_qs(link.proto.query_string)
        if action == "re-engage":
            assert link.proto.page == "fans" and params == {"fan_artist": [artist]}
        else:
            assert link.proto.page == "budget"
            assert params["track"] == [isrc] and params["territories"] == [territory]
    # the whole ranking downloads as a table
    assert any("Why" in df.value.columns for df in today.dataframe)


def test_changes_since_the_previous_sign_in(
    demo_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = copy_store(demo_db, tmp_path / "visits.duckdb")
    with open_store(db) as store:  # an account that has never signed in (the log is append-only)
        labels = [
            r[0] for r in store.cursor().execute("SELECT DISTINCT label FROM catalog").fetchall()
        ]
        users.add_user(store, "newcomer", NEWCOMER_PASSWORD, "admin", labels, actor="test")
    monkeypatch.setenv("LABELRADAR_DB", str(db))
    notes = []
    for _ in range(2):
        at = sign_in(AppTest.from_file(str(MAIN), default_timeout=120), "newcomer",
                     NEWCOMER_PASSWORD)  # fmt: skip
        no_exception(at)
        notes.append(next(c.value for c in at.caption if "7 days" in c.value))
    # first visit: the data's last week (the demo ends on 30 Sep 2026)
    assert notes[0] == (
        "No earlier sign-in on record: showing the last 7 days of data (24 Sep to 30 Sep 2026)."
    )
    # second: the first visit was after the data's last day, so nothing new arrived since
    assert notes[1].startswith("No new data since your last visit (")


def test_fans_link_preselects_the_artist(demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with open_store(demo_db, read_only=True) as store:
        artist, name = (
            store.cursor()
            .execute("SELECT artist_id, artist_name FROM catalog ORDER BY artist_id DESC LIMIT 1")
            .fetchone()
        )
    monkeypatch.setenv("LABELRADAR_DB", str(demo_db))
    at = AppTest.from_file(str(MAIN), default_timeout=120)
    sign_in(at, "admin", DEMO_PASSWORDS["admin"])
    at.query_params["fan_artist"] = artist
    at.switch_page("../pages/fans.py").run()
    no_exception(at)
    assert at.selectbox(key="fans_artist").value == artist
