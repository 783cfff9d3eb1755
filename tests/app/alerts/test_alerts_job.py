"""The alerts job on the rendered tiny demo store (SYNTHETIC): planted events found with
their cause, results persisted, statuses scoped, audited and kept across re-runs."""

from __future__ import annotations

import pandas as pd
import pytest

from app.jobs import run_jobs
from data import audit
from data.backup import copy_store
from data.queries import alerts as queries_alerts
from data.results import alerts as alerts_store
from data.results import runs as model_runs
from data.scope import Scope
from data.store import open_store
from data.workflow import alerts as alert_status


@pytest.fixture
def store_copy(demo_db, tmp_path):
    path = tmp_path / "alerts.duckdb"
    copy_store(demo_db, path)
    with open_store(path) as store:
        yield store


def _label_of(store, artist_id: str) -> str:
    return (
        store.cursor()
        .execute("SELECT any_value(label) FROM catalog WHERE artist_id = ?", [artist_id])
        .fetchone()[0]
    )


def test_planted_events_found_with_their_cause(demo_db):
    events = pd.read_csv(demo_db.parent / "files" / "ground_truth" / "events.csv")
    assert len(events) >= 5
    with open_store(demo_db, read_only=True) as store:
        run = model_runs.latest(store, "alerts")
        alerts = alerts_store.read_alerts(store)
    assert run is not None and run.data_through is not None
    tracks = alerts[alerts.subject == "track"]
    for e in events.itertuples():
        same = tracks[(tracks.isrc == e.isrc) & (tracks.kind == e.kind)]
        gap = (pd.to_datetime(same.event_date) - pd.Timestamp(e.date)).dt.days.abs()
        hit = same[gap <= 3]
        assert len(hit) == 1, f"planted {e.kind} on {e.isrc} at {e.date} not found"
        got = hit.iloc[0]
        assert (got.cause_dimension, got.cause_value) == (e.cause_dimension, e.cause_value)
        assert e.dsp in got.cause if isinstance(e.dsp, str) else True


def test_bands_and_filter_state_are_persisted(demo_db):
    with open_store(demo_db, read_only=True) as store:
        cur = store.cursor()
        alerted = cur.execute(
            "SELECT count(DISTINCT isrc) FROM alerts WHERE subject = 'track'"
        ).fetchone()[0]
        hist = cur.execute(
            "SELECT count(DISTINCT subject_id) FROM alert_bands "
            "WHERE subject = 'track' AND NOT is_forecast"
        ).fetchone()[0]
        fc = cur.execute(
            "SELECT min(n), max(n) FROM (SELECT count(*) n FROM alert_bands "
            "WHERE is_forecast GROUP BY subject, subject_id)"
        ).fetchone()
        bad = cur.execute(
            "SELECT count(*) FROM alert_bands WHERE NOT (lo95 <= lo80 AND lo80 <= expected "
            "AND expected <= hi80 AND hi80 <= hi95)"
        ).fetchone()[0]
        states = cur.execute("SELECT count(*) FROM alert_filter_state").fetchone()[0]
        tracks = cur.execute("SELECT count(DISTINCT isrc) FROM agg_daily").fetchone()[0]
    assert alerted > 0 and hist >= alerted  # every monitored track has its band
    assert fc == (28, 28)
    assert bad == 0
    assert states >= tracks


def test_status_is_scoped_audited_and_survives_rerun(store_copy):
    alerts = alerts_store.read_alerts(store_copy)
    row = alerts[alerts.subject == "track"].iloc[0]
    label = _label_of(store_copy, row.artist_id)
    other = (
        store_copy.cursor()
        .execute("SELECT any_value(label) FROM catalog WHERE label <> ?", [label])
        .fetchone()[0]
    )
    viewer = Scope("vera", "viewer", frozenset({label, other}))
    outsider = Scope("hugo", "manager", frozenset({other}))
    manager = Scope("nora", "manager", frozenset({label}))
    with pytest.raises(alert_status.StatusError, match="managers and admins"):
        alert_status.set_status(store_copy, viewer, row.alert_key, "dismissed")
    with pytest.raises(alert_status.StatusError, match="no such alert"):
        alert_status.set_status(store_copy, outsider, row.alert_key, "dismissed")
    with pytest.raises(alert_status.StatusError, match="unknown status"):
        alert_status.set_status(store_copy, manager, row.alert_key, "closed")
    alert_status.set_status(store_copy, manager, row.alert_key, "acknowledged")

    run_jobs(store_copy, ["alerts"])  # detection again: the status must stay attached
    feed = queries_alerts.alerts_feed(store_copy, manager, status="acknowledged")
    assert list(feed.alert_key) == [row.alert_key]
    assert feed.iloc[0].changed_by == "nora"
    log = audit.entries(store_copy, entity="alert", entity_id=row.alert_key)
    assert list(log.actor) == ["nora"]
    assert '"acknowledged"' in log.iloc[0]["after"]
    # the outsider's feed does not show it at all
    assert row.alert_key not in set(queries_alerts.alerts_feed(store_copy, outsider).alert_key)


def test_new_days_continue_from_the_saved_state(store_copy, demo_db):
    """Deliver the last 20 days later: the job filters only those days from the saved
    state (no statsmodels refit, no refiltering of history) and finds the track alerts of
    the full run over all days. Not to the alert: the full run fits its noise parameters on
    all days, the online one keeps those fitted without the last 20, and the step detector
    is sensitive to that (continuation with equal parameters is exact:
    test_online_continuation_gives_the_same_alerts)."""
    import datetime as dt

    from data import aggregates

    with open_store(demo_db, read_only=True) as full_store:
        full = alerts_store.read_alerts(full_store)
    cur = store_copy.cursor()
    end = cur.execute("SELECT max(date) FROM trend_facts").fetchone()[0]
    cut = end - dt.timedelta(days=20)
    cur.execute("CREATE TEMP TABLE later AS SELECT * FROM trend_facts WHERE date > ?", [cut])
    cur.execute("DELETE FROM trend_facts WHERE date > ?", [cut])
    with store_copy.transaction() as tx:
        aggregates.refresh_all(tx)
    assert run_jobs(store_copy, ["alerts"])[0]["mode"] == "full"
    cur.execute("INSERT INTO trend_facts SELECT * FROM later")
    with store_copy.transaction() as tx:
        aggregates.refresh_all(tx)
    summary = run_jobs(store_copy, ["alerts"])[0]
    assert summary["mode"] == "online" and summary["days_filtered"] == 20
    run = model_runs.latest(store_copy, "alerts")
    assert run.data_through == end and run.params["fitted_series"] == 0
    online = alerts_store.read_alerts(store_copy)

    def keys(df):
        t = df[df.subject == "track"]
        return set(
            zip(t.isrc, t.kind, t.detected_on.astype(str), t.event_date.astype(str), strict=True)
        )

    differ = keys(online) ^ keys(full)
    # Measured on this tiny store: 4 of 25 track alerts (level shifts decided a few days
    # into the new block) since a launch's first week is kept out of the filter; 2 before.
    # With equal parameters the continuation is exact (the planted-world test). Since the
    # generator plans campaigns market by market (s7-camp): 2 of 28, one spike dated the
    # same but detected a day later under the parameters fitted without the last 20 days
    # (6 before the saved step memory kept its missing days: spurious spikes on four young
    # tracks, test_saved_step_memory_keeps_its_missing_days).
    assert len(differ) <= max(4, 0.02 * len(keys(full))), sorted(differ)
    assert (pd.to_datetime(online.detected_on) > pd.Timestamp(cut)).any()


def test_saved_step_memory_keeps_its_missing_days(mini_db_copy):
    """The level-shift memory marks days without an observation NaN (a track's launch week,
    a flagged delivery day). Saved and read back through the store they must stay missing:
    DuckDB keeps a NaN in a DOUBLE[] as NULL, which read back as 0.0, i.e. an observation
    of zero streams, and gave spurious spikes on young tracks in the next online run."""
    import numpy as np

    from analytics.alerts.continuation import context_of, state_rows
    from analytics.alerts.detect import detect, fit_hyper
    from analytics.alerts.series import track_series

    rng = np.random.default_rng(5)
    dates = pd.date_range("2026-01-01", periods=120)
    rows = [
        (isrc, d, float(rng.poisson(300)))
        for isrc, first in (("T0", 0), ("T1", 100))  # T1 launched 20 days before the end
        for d in dates[first:]
    ]
    totals = pd.DataFrame(rows, columns=["isrc", "date", "streams"])
    tracks = track_series(totals, pd.DataFrame(columns=["isrc", "date", "repeat"]))
    det = detect(tracks.counts, fit_hyper(tracks.counts)[0])
    want = det.context.steps
    assert np.isnan(want[1]).any()  # the launch week and the days before T1 existed
    saved = state_rows("track", tracks, det).assign(label="L")
    with open_store(mini_db_copy) as store:
        with store.transaction() as tx:
            alerts_store.replace_results(tx, pd.DataFrame(), pd.DataFrame(), saved)
        back = alerts_store.read_filter_state(store)
    ctx = context_of(back, tracks.ids, tracks.dates[-1] + pd.Timedelta(days=1))
    np.testing.assert_array_equal(ctx.steps, want)  # NaN where NaN, equal elsewhere


def test_slice_days_sum_the_cause_playlist_s_country_rows(demo_db):
    """The playlist read against a pandas sum of the track's fact rows."""
    from analytics.alerts.onset import slice_windows
    from data.aggregates import WORLDWIDE

    with open_store(demo_db, read_only=True) as store:
        alerts = alerts_store.read_alerts(store)
        win = slice_windows(alerts)
        assert len(win) >= 3  # the tiny store's planted playlist adds and removals
        cur = store.new_cursor()
        got = alerts_store.slice_days(cur, win)
        facts = cur.execute(
            "SELECT isrc, date, country, playlist_id, streams "
            "FROM trend_facts WHERE isrc IN (SELECT unnest(?))",
            [sorted(set(win.isrc))],
        ).df()
        cur.close()
    facts["date"] = pd.to_datetime(facts.date)
    facts = facts[facts.country != WORLDWIDE]
    for w in win.itertuples():
        f = facts[
            (facts.isrc == w.isrc)
            & (facts.date >= pd.Timestamp(w.lo))
            & (facts.date <= pd.Timestamp(w.hi))
            & (facts.playlist_id == w.playlist_id)
        ]
        want = f.groupby("date").streams.sum().astype(float)
        have = got[got.key == w.key].set_index("date").streams
        pd.testing.assert_series_equal(have, want, check_names=False, check_index_type=False)
