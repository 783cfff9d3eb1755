"""The Alerts page (AppTest) on a copy of the tiny demo store (SYNTHETIC) with detection run."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from data.backup import copy_store
from data.results import alerts as alerts_store
from data.store import open_store
from tests.conftest import USERS
from tests.support.apptest import open_page

MAIN = Path(__file__).resolve().parents[3] / "app" / "main.py"
ALERTS = "../pages/alerts.py"


def _open(db: Path, monkeypatch: pytest.MonkeyPatch, username: str) -> AppTest:
    return open_page(db, monkeypatch, username, ALERTS)


@pytest.fixture
def db(demo_db: Path, tmp_path: Path) -> Path:
    path = tmp_path / "page.duckdb"
    copy_store(demo_db, path)
    return path


def _table(at: AppTest, *columns: str):
    """The first table of the page that has these columns."""
    return next(d.value for d in at.dataframe if set(columns) <= set(d.value.columns))


def test_manager_sees_the_feed_chart_and_acknowledges(db: Path, monkeypatch) -> None:
    at = _open(db, monkeypatch, "nora")
    assert [t.value for t in at.title] == ["Alerts"]
    assert any("computed" in c.value and "data through" in c.value for c in at.caption)
    feed = _table(at, "Cause")
    assert len(feed) > 0 and {"Kind", "Cause", "Goal", "Status"} <= set(feed.columns)
    assert set(feed.Status) == {"open"}
    assert at.get("plotly_chart")
    assert any(b.label == "Acknowledge" for b in at.button)
    key = at.selectbox(key="alerts_pick").value
    next(b for b in at.button if b.label == "Acknowledge").click()
    at.run()
    assert not at.exception
    # the app holds the store open read-write in this process: read through the same kind
    rows = alerts_store.read_alerts(open_store(db, read_only=True))
    got = rows.set_index("alert_key").loc[key]
    assert got.status == "acknowledged" and got.changed_by == "nora"


def test_viewer_reads_but_cannot_change_status(db: Path, monkeypatch) -> None:
    at = _open(db, monkeypatch, "vera")
    assert at.dataframe and at.dataframe[0].value.shape[0] > 0
    assert not any(b.label.startswith(("Acknowledge", "Dismiss")) for b in at.button)
    assert any("Viewers can read alerts" in c.value for c in at.caption)


def test_kind_filter_narrows_the_feed(db: Path, monkeypatch) -> None:
    at = _open(db, monkeypatch, "admin")
    everything = at.dataframe[0].value
    at.selectbox(key="alerts_kind").set_value("Spike (sudden rise)").run()
    assert not at.exception
    spikes = at.dataframe[0].value
    assert 0 < len(spikes) < len(everything) and set(spikes.Kind) == {"spike"}


def test_feed_shows_events_expandable_to_their_alerts(db: Path, monkeypatch) -> None:
    at = _open(db, monkeypatch, "admin")
    events = _table(at, "Subject", "Why")
    alerts = _table(at, "Cause")  # every alert of the listed events, downloadable too
    assert int(events.Alerts.sum()) == len(alerts) > len(events) > 0
    dates = list(events.Date)
    assert dates == sorted(dates, reverse=True)  # newest first
    assert len(at.get("download_button")) == len(at.dataframe)  # every table downloadable
    # open the event with the most alerts: its alerts are listed and inspectable
    biggest = events.sort_values("Alerts", ascending=False).iloc[0]
    at.selectbox(key="alerts_event").set_value(biggest.event_id).run()
    assert not at.exception
    inside = at.dataframe[2].value
    assert len(inside) == biggest.Alerts
    assert set(inside.ISRC.dropna()) == set(biggest["Track ISRCs"].split())
    assert len(at.selectbox(key="alerts_pick").options) == biggest.Alerts


def test_dismissing_an_event_dismisses_its_alerts(db: Path, monkeypatch) -> None:
    at = _open(db, monkeypatch, "nora")
    events = _table(at, "Subject", "Why")
    event_id = at.selectbox(key="alerts_event").value
    n = int(events.set_index("event_id").loc[event_id].Alerts)
    next(b for b in at.button if b.label == "Dismiss event").click()
    at.run()
    assert not at.exception
    assert any("Event dismissed" in s.value for s in at.success)
    assert event_id not in set(_table(at, "Subject", "Why").event_id)  # the Open view
    rows = alerts_store.read_alerts(open_store(db, read_only=True))
    mine = rows[rows.alert_key.isin(_members(db, event_id))]
    assert len(mine) == n and set(mine.status) == {"dismissed"}
    at.selectbox(key="alerts_status").set_value("Dismissed").run()
    assert list(_table(at, "Subject", "Why").event_id) == [event_id]


def _members(db: Path, event_id: str) -> set[str]:
    cur = open_store(db, read_only=True).cursor()
    rows = cur.execute(
        "SELECT alert_key FROM alert_event_members WHERE event_id = ?", [event_id]
    ).fetchall()
    return {k for (k,) in rows}


def test_clear_message_when_detection_never_ran(mini_db: Path, monkeypatch) -> None:
    monkeypatch.setenv("LABELRADAR_DB", str(mini_db))
    at = AppTest.from_file(str(MAIN), default_timeout=60)
    at.run()
    fields = {ti.label: ti for ti in at.text_input}
    fields["Username"].input("admin")
    fields["Password"].input(USERS["admin"][0])
    next(b for b in at.button if b.label == "Sign in").click()
    at.run()
    at.switch_page(ALERTS).run()
    assert not at.exception
    assert any("has not been computed" in i.value for i in at.info)


def test_probability_is_shown_without_misleading_rounding() -> None:
    from app.alerts.view import fmt_probability

    assert fmt_probability(0.9999966) == "> 99.99 %"  # never a rounded "100 %"
    assert fmt_probability(0.95) == "95.00 %"
