"""Planted delivery faults on the tiny demo store (SYNTHETIC): a partial day, a missing day
and a duplicated file are each listed by `health --json` (which runs the health job), and
none of them raises an alert or an event in the alerts job run after it."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd
import pytest

from app.alerts import job as alerts_job
from app.cli import main
from app.health import job as health_job
from data import health as store_health
from data import ingest
from data.backup import copy_store
from data.results import alerts as alerts_results
from data.store import open_store

DSP = "spotify"
EXPORT = (
    "date, dsp, isrc, country, region, age_band, gender, subscription, device, os, source, "
    "playlist_id, listener_id, streams"
)


def _quiet(stage: str, fraction: float) -> None:
    return None


def _keys(alerts: pd.DataFrame) -> set[tuple]:
    return {
        (
            r.subject,
            r.isrc if isinstance(r.isrc, str) else "",
            r.artist_id,
            r.kind,
            str(r.event_date)[:10],
        )
        for r in alerts.itertuples()
    }


def _alert_days(alerts: pd.DataFrame) -> set[dt.date]:
    return {pd.Timestamp(d).date() for d in (*alerts.event_date, *alerts.detected_on)}


def _quiet_days(days: list[dt.date], busy: set[dt.date], n: int = 3) -> list[dt.date]:
    """n days with no alert of the clean store within 2 days and 10 days apart: a fault
    planted there cannot be mistaken for a real change that merely moved by a day."""
    chosen: list[dt.date] = []
    for day in days[35:-5]:  # after the detector's burn-in
        if all(abs((day - b).days) > 2 for b in busy) and all((day - c).days >= 10 for c in chosen):
            chosen.append(day)
    assert len(chosen) >= n, chosen
    return chosen[:n]


def _near(keys: set[tuple], days: tuple[dt.date, ...], within: int = 1) -> set[tuple]:
    return {
        k for k in keys if any(abs((dt.date.fromisoformat(k[4]) - d).days) <= within for d in days)
    }


def _plant(db: Path, tmp_path: Path, busy: set[dt.date]) -> tuple[dt.date, dt.date, dt.date]:
    """Cut one day of the feed to 5 tracks, drop another, deliver a third one twice."""
    with open_store(db) as store:
        cur = store.cursor()
        days = [
            r[0]
            for r in cur.execute(
                "SELECT DISTINCT date FROM trend_facts WHERE dsp = ? ORDER BY 1", [DSP]
            ).fetchall()
        ]
        partial, missing, twice = _quiet_days(days, busy)
        with store.transaction() as tx:
            tx.execute(
                "DELETE FROM trend_facts WHERE dsp = ? AND date = ? AND isrc NOT IN "
                "(SELECT DISTINCT isrc FROM trend_facts WHERE dsp = ? AND date = ? "
                " ORDER BY isrc LIMIT 5)",
                [DSP, partial, DSP, partial],
            )
            tx.execute("DELETE FROM trend_facts WHERE dsp = ? AND date = ?", [DSP, missing])
        store_health.rebuild_aggregates(store)
        load_id = cur.execute(
            "SELECT min(load_id) FROM trend_facts WHERE dsp = ? AND date = ?", [DSP, twice]
        ).fetchone()[0]
        again = tmp_path / "spotify-redelivery.csv"
        cur.execute(
            f"COPY (SELECT {EXPORT} FROM trend_facts WHERE load_id = {int(load_id)} "
            f"AND dsp = '{DSP}' AND date = DATE '{twice}') TO '{again}' (HEADER)"
        )
        ingest.load_trend_report(store, again, actor="test")
    return partial, missing, twice


@pytest.fixture
def faulty(demo_db: Path, tmp_path: Path) -> tuple[Path, tuple[dt.date, dt.date, dt.date]]:
    db = tmp_path / "faulty.duckdb"
    copy_store(demo_db, db)
    with open_store(demo_db, read_only=True) as store:
        busy = _alert_days(alerts_results.read_alerts(store))
    return db, _plant(db, tmp_path, busy)


def test_faults_are_listed_and_raise_no_alert(demo_db: Path, faulty, capsys) -> None:
    db, (partial, missing, twice) = faulty
    with open_store(demo_db, read_only=True) as store:
        before = _keys(alerts_results.read_alerts(store))
        events_before = set(alerts_results.read_events(store).event_id)

    capsys.readouterr()
    assert main(["health", "--db", str(db), "--json", "--quiet"]) == 0
    issues = json.loads(capsys.readouterr().out)["issues"]
    found = {(i["dsp"], i["date"], i["kind"]) for i in issues}
    assert (DSP, str(partial), "partial_day") in found
    assert (DSP, str(missing), "missing_day") in found
    assert (DSP, str(twice), "duplicate") in found
    assert len(issues) == 3, issues  # nothing else of the clean store is flagged
    assert all(set(i) == {"dsp", "date", "kind", "detail"} for i in issues)

    with open_store(db) as store:
        alerts_job.run(store, _quiet, refit=True)
        after = _keys(alerts_results.read_alerts(store))
        events = alerts_results.read_events(store)
    # no alert that the clean store did not have is dated near a fault
    assert _near(after - before, (partial, missing, twice)) == set()
    # nor a row of the grouped feed
    new = events[~events.event_id.isin(events_before)]
    days = pd.to_datetime(new.date).dt.date
    assert not any(abs((d - f).days) <= 1 for d in days for f in (partial, missing, twice))


def test_without_the_health_check_the_faults_would_alert(demo_db: Path, faulty) -> None:
    """The control: the same faults, not flagged, do produce alerts (the test above can
    fail)."""
    db, days = faulty
    with open_store(demo_db, read_only=True) as store:
        before = _keys(alerts_results.read_alerts(store))
    with open_store(db) as store:
        store.cursor().execute("DELETE FROM health_issues")
        alerts_job.run(store, _quiet, refit=True)
        new = _keys(alerts_results.read_alerts(store)) - before
    assert _near(new, days), sorted(new)


def test_health_job_is_quiet_on_a_clean_store(demo_db: Path) -> None:
    with open_store(demo_db, read_only=True) as store:
        rows = store.cursor().execute("SELECT count(*) FROM health_issues").fetchone()[0]
        feeds = store.cursor().execute("SELECT count(DISTINCT dsp) FROM health_coverage")
        assert rows == 0 and feeds.fetchone()[0] == 7
    assert health_job.run is not None
