"""Grouped events in the store (tiny demo store, SYNTHETIC): written with the alerts, read
per label with nothing leaking across labels, statuses on events audited and kept across
re-runs."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from app.alerts import job as alerts_job
from data import audit
from data.backup import copy_store
from data.queries import alerts as queries_alerts
from data.queries import operator_scope
from data.results import alerts as alerts_store
from data.scope import Scope
from data.store import open_store
from data.workflow import alerts as alert_status

WIDE_DAY = dt.date(2026, 6, 1)


def _quiet(stage: str, fraction: float) -> None:
    return None


@pytest.fixture
def store_copy(demo_db, tmp_path):
    path = tmp_path / "events.duckdb"
    copy_store(demo_db, path)
    with open_store(path) as store:
        yield store


def test_every_alert_is_in_exactly_one_saved_event(demo_db):
    with open_store(demo_db, read_only=True) as store:
        cur = store.cursor()
        alerts = cur.execute("SELECT count(*) FROM alerts").fetchone()[0]
        members = cur.execute(
            "SELECT count(*), count(DISTINCT alert_key) FROM alert_event_members "
            "JOIN alerts USING (alert_key)"
        ).fetchone()
        events = alerts_store.read_events(store)
    assert alerts > 0 and members == (alerts, alerts)
    assert 0 < len(events) < alerts and int(events.alerts.sum()) == alerts
    # an artist's total and its tracks' alerts the same day are one event
    assert (events.alerts > 1).any()


def _plant_catalogue_move(store) -> dict[str, list[str]]:
    """A spike of one track of every artist on WIDE_DAY (a catalogue-wide move across both
    labels); returns label -> the planted tracks."""
    cur = store.cursor()
    tracks = cur.execute(
        "SELECT label, artist_id, min(isrc) FROM catalog GROUP BY ALL ORDER BY ALL"
    ).fetchall()
    with store.transaction() as tx:
        for label, artist, isrc in tracks:
            tx.execute(
                "INSERT INTO alerts (alert_key, subject, isrc, artist_id, label, kind, "
                "event_date, detected_on, probability, observed, expected, cause, opportunity) "
                "VALUES (?, 'track', ?, ?, ?, 'spike', ?, ?, 0.999, 300, 100, ?, false)",
                [f"{isrc}|spike|wide", isrc, artist, label, WIDE_DAY, WIDE_DAY, f"cause {label}"],
            )
        alerts_job.write_events(tx)
    planted: dict[str, list[str]] = {}
    for label, _, isrc in tracks:
        planted.setdefault(label, []).append(isrc)
    return planted


def test_catalogue_wide_event_shows_each_label_only_its_tracks(store_copy):
    planted = _plant_catalogue_move(store_copy)
    mine, other = sorted(planted)
    wide = alerts_store.read_events(store_copy)
    wide = wide[wide.scope == "catalogue"]
    assert len(wide) == 1 and wide.iloc[0].alerts == sum(map(len, planted.values()))

    scope = Scope(username="m", role="manager", labels=frozenset({mine}))
    feed = queries_alerts.events_feed(store_copy, scope)
    row = feed[feed.scope == "catalogue"].iloc[0]
    assert row.subject == "Catalogue" and pd.isna(row.artist_id)
    assert sorted(row.tracks) == sorted(planted[mine])
    assert (row.alerts, row.artists) == (len(planted[mine]), len(planted[mine]))
    assert row.cause == f"cause {mine}" and pd.isna(row.why)  # the saved why counts all labels
    theirs = set(planted[other])
    for r in feed.itertuples():
        assert not theirs & set(r.tracks)
        assert pd.isna(r.label) or r.label == mine
    # the operator sees the whole move
    full = queries_alerts.events_feed(store_copy, operator_scope(store_copy))
    assert full[full.scope == "catalogue"].iloc[0].alerts == len(planted[mine]) + len(theirs)

    # acknowledging it acts on this label's alerts only
    n = alert_status.set_event_status(store_copy, scope, row.event_id, "acknowledged")
    assert n == len(planted[mine])
    saved = store_copy.state.read("SELECT alert_key FROM alert_status")
    assert {k for (k,) in saved} == {f"{i}|spike|wide" for i in planted[mine]}
    other_scope = Scope(username="o", role="manager", labels=frozenset({other}))
    again = queries_alerts.events_feed(store_copy, other_scope, status="open")
    assert row.event_id in set(again.event_id)  # still open for the other label


def test_event_status_is_scoped_audited_and_survives_rerun(store_copy):
    full = queries_alerts.events_feed(store_copy, operator_scope(store_copy))
    event = full[full.alerts > 1].iloc[0]
    label = event.label
    other = next(lb for lb in operator_scope(store_copy).labels if lb != label)
    with pytest.raises(alert_status.StatusError, match="no such event"):
        alert_status.set_event_status(
            store_copy, Scope("o", "manager", frozenset({other})), event.event_id, "dismissed"
        )
    with pytest.raises(alert_status.StatusError, match="only managers"):
        alert_status.set_event_status(
            store_copy, Scope("v", "viewer", frozenset({label})), event.event_id, "dismissed"
        )
    scope = Scope("nora", "manager", frozenset({label}))
    assert alert_status.set_event_status(store_copy, scope, event.event_id, "dismissed") == int(
        event.alerts
    )
    log = audit.entries(store_copy, entity="alert_event", entity_id=event.event_id)
    assert len(log) == 1 and log.iloc[0].actor == "nora"

    alerts_job.run(store_copy, _quiet, refit=True)  # a full re-run rewrites alerts and events
    after = queries_alerts.events_feed(store_copy, scope, status="dismissed")
    assert list(after.event_id) == [event.event_id]  # same id, status kept
    assert set(queries_alerts.events_feed(store_copy, operator_scope(store_copy)).event_id) == set(
        full.event_id
    )
    alert_status.set_event_status(store_copy, scope, event.event_id, None)
    reopened = queries_alerts.events_feed(store_copy, scope, status="open")
    assert event.event_id in set(reopened.event_id)


def test_filters_apply_to_events(store_copy):
    scope = operator_scope(store_copy)
    everything = queries_alerts.events_feed(store_copy, scope)
    spikes = queries_alerts.events_feed(store_copy, scope, kind="spike")
    assert 0 < len(spikes) < len(everything) and set(spikes.kind) == {"spike"}
    day = everything.date.iloc[len(everything) // 2]
    later = queries_alerts.events_feed(store_copy, scope, queries_alerts.Filters(date_from=day))
    assert 0 < len(later) < len(everything) and (later.date >= day).all()
    artist = everything.artist_id.dropna().iloc[0]
    one = queries_alerts.events_feed(
        store_copy, scope, queries_alerts.Filters(artist_ids=(artist,))
    )
    assert set(one.artist_id) == {artist}


def test_the_feed_shows_a_spike_or_drop_the_events_way(store_copy):
    """The feed's move (the table's "Largest move", a catalogue-wide row's sentence) is the
    event's largest spike or drop its own way, computed from the alerts: none for a
    release or a trend, and a drop story's drop, not the smaller spike back in it."""
    cur = store_copy.cursor()
    (label, artist, isrc), (_, other, isrc2) = cur.execute(
        "SELECT label, artist_id, min(isrc) FROM catalog GROUP BY ALL ORDER BY ALL LIMIT 2"
    ).fetchall()
    day = dt.date(2026, 6, 10)
    rows = [
        (isrc, artist, "drop", day, 70.0),  # -30 %
        (isrc, artist, "spike", day + dt.timedelta(days=3), 121.0),  # +21 %, same story
        (isrc2, other, "decline", day, 101.0),  # a trend: its day is no move
    ]
    with store_copy.transaction() as tx:
        tx.execute("DELETE FROM alerts WHERE artist_id IN (?, ?)", [artist, other])
        for i, (track, unit, kind, when, observed) in enumerate(rows):
            tx.execute(
                "INSERT INTO alerts (alert_key, subject, isrc, artist_id, label, kind, "
                "event_date, detected_on, probability, observed, expected, cause, opportunity) "
                "SELECT ?, 'track', ?, ?, label, ?, ?, ?, 0.999, ?, 100, 'c', false "
                "FROM catalog WHERE isrc = ?",
                [f"move{i}", track, unit, kind, when, when, observed, track],
            )
        alerts_job.write_events(tx)
    feed = queries_alerts.events_feed(store_copy, operator_scope(store_copy))
    feed["date"] = pd.to_datetime(feed.date).dt.date
    story = feed[(feed.artist_id == artist) & (feed.date == day)].iloc[0]
    assert story.kind == "drop" and story.alerts == 2
    assert story.effect == pytest.approx(71 / 101 - 1)
    trend = feed[(feed.artist_id == other) & (feed.date == day)].iloc[0]
    assert trend.kind == "decline" and pd.isna(trend.effect)
    assert "largest move" not in trend.why
    assert label  # both units come from the catalog
