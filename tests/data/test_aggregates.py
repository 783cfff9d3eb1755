"""Aggregates equal a from-scratch GROUP BY of the facts after any sequence of loads."""

from __future__ import annotations

import datetime as dt

import pytest

from data import aggregates
from data.store import open_store

D = dt.date


def _fact(cur, day, dsp, isrc, streams, listener=None, source="search"):
    cur.execute(
        "INSERT INTO trend_facts VALUES (1, ?, ?, ?, 'US', NULL, '18-24', 'female', 'premium', "
        "'mobile', 'ios', ?, NULL, ?, ?)",
        [day, dsp, isrc, source, listener, streams],
    )


@pytest.mark.parametrize(
    ("unit", "lo", "hi", "first", "last"),
    [
        ("day", D(2026, 3, 4), D(2026, 3, 9), D(2026, 3, 4), D(2026, 3, 9)),
        ("month", D(2026, 1, 31), D(2026, 2, 1), D(2026, 1, 1), D(2026, 2, 28)),
        ("month", D(2025, 12, 5), D(2025, 12, 5), D(2025, 12, 1), D(2025, 12, 31)),
        # 2026-03-04 is a Wednesday; its ISO week runs Monday 2 to Sunday 8 March.
        ("week", D(2026, 3, 4), D(2026, 3, 9), D(2026, 3, 2), D(2026, 3, 15)),
    ],
)
def test_partition_bounds(unit, lo, hi, first, last):
    assert aggregates._bounds(unit, lo, hi) == (first, last)


def test_partial_refresh_matches_full_rebuild():
    with open_store(":memory:") as s:
        cur = s.cursor()
        _fact(cur, D(2026, 1, 30), "spotify", "AAAAA0000001", 5, listener="L1")
        _fact(cur, D(2026, 2, 2), "spotify", "AAAAA0000001", 7, listener="L1", source="radio")
        _fact(cur, D(2026, 2, 2), "deezer", "AAAAA0000001", 3)
        aggregates.refresh_all(cur)
        # A later deezer file touching one day: only deezer partitions around it change.
        _fact(cur, D(2026, 2, 3), "deezer", "AAAAA0000002", 11, listener="L2")
        aggregates.refresh(cur, D(2026, 2, 3), D(2026, 2, 3), ["deezer"])
        tables = ("agg_daily", "agg_listener_month", "agg_group_week")
        partial = {t: sorted(cur.execute(f"SELECT * FROM {t}").fetchall()) for t in tables}
        aggregates.refresh_all(cur)
        full = {t: sorted(cur.execute(f"SELECT * FROM {t}").fetchall()) for t in tables}
        assert partial == full
        month = cur.execute(
            "SELECT streams FROM agg_listener_month WHERE listener_id = 'L1' "
            "AND month = DATE '2026-02-01'"
        ).fetchone()
        assert month == (7,)
        # The week of Monday 2 February (track 1, Feb 2 and 3): a spotify and a deezer row
        # of track 1 and one of track 2; search is active, radio passive.
        _fact(cur, D(2026, 2, 3), "deezer", "AAAAA0000001", 20)
        aggregates.refresh(cur, D(2026, 2, 3), D(2026, 2, 3), ["deezer"])
        week = cur.execute(
            "SELECT dsp, isrc, streams, active_streams FROM agg_group_week "
            "WHERE week = DATE '2026-02-02' ORDER BY dsp, isrc"
        ).fetchall()
        assert week == [
            ("deezer", "AAAAA0000001", 23, 23),
            ("deezer", "AAAAA0000002", 11, 11),
            ("spotify", "AAAAA0000001", 7, 0),
        ]


def test_merge_joins_overlapping_and_adjacent_ranges():
    got = aggregates._merge(
        [
            (D(2026, 1, 5), D(2026, 1, 9)),
            (D(2026, 1, 1), D(2026, 1, 4)),
            (D(2026, 1, 8), D(2026, 1, 12)),
            (D(2026, 2, 1), D(2026, 2, 1)),
        ]
    )
    assert got == [(D(2026, 1, 1), D(2026, 1, 12)), (D(2026, 2, 1), D(2026, 2, 1))]


def test_backlog_refresh_matches_full_rebuild_and_empties(tmp_path):
    path = tmp_path / "s.duckdb"
    with open_store(path) as s:
        cur = s.cursor()
        _fact(cur, D(2026, 1, 30), "spotify", "AAAAA0000001", 5, listener="L1")
        aggregates.queue(cur, 1, D(2026, 1, 30), D(2026, 1, 30), ["spotify"])
        _fact(cur, D(2026, 3, 2), "deezer", "AAAAA0000002", 4)
        aggregates.queue(cur, 2, D(2026, 3, 2), D(2026, 3, 2), ["deezer"])
        assert cur.execute("SELECT count(*) FROM agg_daily").fetchone()[0] == 0
    # An interrupted command left a backlog: the next read-write open finishes it.
    with open_store(path) as s:
        cur = s.cursor()
        assert cur.execute("SELECT count(*) FROM aggregate_backlog").fetchone()[0] == 0
        tables = ("agg_daily", "agg_listener_month", "agg_group_week")
        partial = {t: sorted(cur.execute(f"SELECT * FROM {t}").fetchall()) for t in tables}
        aggregates.refresh_all(cur)
        full = {t: sorted(cur.execute(f"SELECT * FROM {t}").fetchall()) for t in tables}
        assert partial == full and len(full["agg_daily"]) == 2


def test_backlog_groups_dsps_that_share_a_range():
    """A delivery of one file per DSP over the same days refreshes once per range, and the
    result still equals a full rebuild (including partitions outside the backlog)."""
    with open_store(":memory:") as s:
        cur = s.cursor()
        _fact(cur, D(2026, 1, 2), "tidal", "AAAAA0000003", 9, listener="L9")  # not queued
        aggregates.refresh_all(cur)
        for i, dsp in enumerate(("spotify", "deezer", "amazon")):
            _fact(cur, D(2026, 3, 2), dsp, "AAAAA0000001", 5 + i, listener="L1")
            aggregates.queue(cur, 10 + i, D(2026, 3, 2), D(2026, 3, 4), [dsp])
        _fact(cur, D(2026, 5, 1), "deezer", "AAAAA0000002", 4)
        aggregates.queue(cur, 20, D(2026, 5, 1), D(2026, 5, 1), ["deezer"])
        assert aggregates.refresh_backlog(cur) == 2  # Mar 2-4 (3 DSPs) and May 1 (deezer)
        tables = ("agg_daily", "agg_listener_month", "agg_group_week")
        partial = {t: sorted(cur.execute(f"SELECT * FROM {t}").fetchall()) for t in tables}
        aggregates.refresh_all(cur)
        full = {t: sorted(cur.execute(f"SELECT * FROM {t}").fetchall()) for t in tables}
        assert partial == full and len(full["agg_daily"]) == 5


def test_migration_029_keeps_what_the_narrowed_tables_hold():
    """Migration 029 turns the schema-028 tables (filled by the stage of that time) into
    exactly what the narrowed stage writes."""
    from importlib import resources

    active = "('search', 'collection', 'album', 'artist', 'user_playlist')"
    with open_store(":memory:") as s:
        cur = s.cursor()
        # One group, one week, one DSP: search on mobile/ios, radio on mobile/ios and search
        # on desktop (device differs) add up to one narrowed row.
        _fact(cur, D(2026, 3, 2), "spotify", "AAAAA0000001", 5, listener="L1")
        _fact(cur, D(2026, 3, 3), "spotify", "AAAAA0000001", 2, listener="L1", source="radio")
        cur.execute(
            "INSERT INTO trend_facts VALUES (1, ?, 'spotify', 'AAAAA0000001', 'US', NULL, "
            "'18-24', 'female', 'premium', 'desktop', 'windows', 'search', NULL, NULL, 4)",
            [D(2026, 3, 8)],
        )
        _fact(cur, D(2026, 3, 9), "deezer", "AAAAA0000002", 3, listener="L2", source="radio")
        cur.execute(
            "CREATE OR REPLACE TABLE agg_listener_month (month DATE NOT NULL, dsp VARCHAR "
            "NOT NULL, listener_id VARCHAR NOT NULL, isrc VARCHAR NOT NULL, streams BIGINT "
            "NOT NULL, active_streams BIGINT NOT NULL, first_date DATE NOT NULL, "
            "last_date DATE NOT NULL)"
        )
        cur.execute(
            "CREATE OR REPLACE TABLE agg_group_week (week DATE NOT NULL, dsp VARCHAR NOT NULL, "
            "isrc VARCHAR NOT NULL, country VARCHAR NOT NULL, age_band age_band_t NOT NULL, "
            "gender gender_t NOT NULL, subscription subscription_t NOT NULL, device device_t "
            "NOT NULL, os os_t NOT NULL, source source_t NOT NULL, streams BIGINT NOT NULL)"
        )
        cur.execute(
            "INSERT INTO agg_listener_month SELECT date_trunc('month', date)::DATE, dsp, "
            f"listener_id, isrc, sum(streams), sum(CASE WHEN source IN {active} THEN streams "
            "ELSE 0 END), min(date), max(date) FROM trend_facts WHERE listener_id IS NOT NULL "
            "GROUP BY ALL"
        )
        cur.execute(
            "INSERT INTO agg_group_week SELECT date_trunc('week', date)::DATE, dsp, isrc, "
            "country, age_band, gender, subscription, device, os, source, sum(streams) "
            "FROM trend_facts GROUP BY ALL"
        )
        assert cur.execute("SELECT count(*) FROM agg_group_week").fetchone()[0] == 4
        sql = resources.files("data.migrations").joinpath("029_narrow_aggregates.sql")
        cur.execute(sql.read_text())
        tables = ("agg_listener_month", "agg_group_week")
        migrated = {t: sorted(cur.execute(f"SELECT * FROM {t}").fetchall()) for t in tables}
        aggregates.refresh_all(cur)
        fresh = {t: sorted(cur.execute(f"SELECT * FROM {t}").fetchall()) for t in tables}
    assert migrated == fresh
    assert fresh["agg_group_week"] == [
        (D(2026, 3, 2), "spotify", "AAAAA0000001", "US", "18-24", "female", "premium", 11, 9),
        (D(2026, 3, 9), "deezer", "AAAAA0000002", "US", "18-24", "female", "premium", 3, 0),
    ]
    assert fresh["agg_listener_month"] == [
        (D(2026, 3, 1), "deezer", "L2", "AAAAA0000002", 3),
        (D(2026, 3, 1), "spotify", "L1", "AAAAA0000001", 7),
    ]
