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
        tables = ("agg_daily",)
        partial = {t: sorted(cur.execute(f"SELECT * FROM {t}").fetchall()) for t in tables}
        aggregates.refresh_all(cur)
        full = {t: sorted(cur.execute(f"SELECT * FROM {t}").fetchall()) for t in tables}
        assert partial == full
        day = cur.execute(
            "SELECT dsp, isrc, source, streams FROM agg_daily WHERE date = DATE '2026-02-02' "
            "ORDER BY dsp"
        ).fetchall()
        assert day == [
            ("deezer", "AAAAA0000001", "search", 3),
            ("spotify", "AAAAA0000001", "radio", 7),
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
        tables = ("agg_daily",)
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
        tables = ("agg_daily",)
        partial = {t: sorted(cur.execute(f"SELECT * FROM {t}").fetchall()) for t in tables}
        aggregates.refresh_all(cur)
        full = {t: sorted(cur.execute(f"SELECT * FROM {t}").fetchall()) for t in tables}
        assert partial == full and len(full["agg_daily"]) == 5


def _row(cur, day, dsp, isrc, country, source, listener, streams):
    cur.execute(
        "INSERT INTO trend_facts VALUES (1, ?, ?, ?, ?, NULL, '18-24', 'female', 'premium', "
        "'mobile', 'ios', ?, NULL, ?, ?)",
        [day, dsp, isrc, country, source, listener, streams],
    )


def test_jobs_read_from_the_facts_what_the_dropped_aggregates_held():
    """Migration 030 dropped agg_group_week and agg_listener_month: the budget, recommend,
    similar and alerts jobs read the same sums from the facts' country rows. Hand-worked on
    a few rows, with a worldwide chart row and one outside the budget's window that must
    not count."""
    from data.results import alerts, budget, recommend, similar

    with open_store(":memory:") as s:
        cur = s.cursor()
        for i in (1, 2, 3):
            cur.execute(
                "INSERT INTO catalog (isrc, track_title, artist_id, artist_name, label, "
                "release_date, load_id) VALUES (?, 't', ?, 'n', 'Label A', DATE '2020-01-01', 1)",
                [f"AAAAA000000{i}", f"a{i}"],
            )
        # Week of Monday 2 March (track 1): search 5 + search 4 active, radio 2 passive.
        _row(cur, D(2026, 3, 2), "spotify", "AAAAA0000001", "US", "search", "L1", 5)
        _row(cur, D(2026, 3, 3), "spotify", "AAAAA0000001", "US", "radio", "L1", 2)
        _row(cur, D(2026, 3, 8), "spotify", "AAAAA0000001", "US", "search", None, 4)
        # Week of Monday 9 March (track 2, radio): Sunday 15 closes the last week.
        _row(cur, D(2026, 3, 9), "deezer", "AAAAA0000002", "US", "radio", "L2", 3)
        _row(cur, D(2026, 3, 15), "deezer", "AAAAA0000002", "US", "radio", None, 4)
        # Worldwide rows repeat the countries: never counted (track 3 has only these).
        _row(cur, D(2026, 3, 9), "spotify", "AAAAA0000001", "XW", "search", None, 100)
        _row(cur, D(2026, 3, 9), "spotify", "AAAAA0000003", "XW", "search", "L3", 40)
        # November 2025: before the budget's 12 weeks and the listeners' window.
        _row(cur, D(2025, 11, 3), "spotify", "AAAAA0000001", "US", "search", "L1", 50)
        aggregates.refresh_all(cur)

        assert budget.window_end(cur) == D(2026, 3, 9)
        got = budget.group_consumption(cur)
        assert got[["isrc", "a", "p"]].values.tolist() == [
            ["AAAAA0000001", 9.0, 2.0],
            ["AAAAA0000002", 0.0, 7.0],
        ]
        assert got[
            ["country", "age_band", "gender", "subscription"]
        ].drop_duplicates().values.tolist() == [["US", "18-24", "female", "premium"]]
        # 10 identified streams from March's L1 and L2; November is before 15 December 2025.
        assert budget.streams_per_listener(cur) == 5.0
        plays = recommend.monthly_plays(s)
        assert plays.assign(month=plays.month.astype(str)).values.tolist() == [
            ["L1", "AAAAA0000001", "2025-11-01", 50.0],
            ["L1", "AAAAA0000001", "2026-03-01", 7.0],
            ["L2", "AAAAA0000002", "2026-03-01", 3.0],
        ]
        per_artist = similar.listener_streams(s).sort_values("listener_id")
        assert per_artist.values.tolist() == [
            ["a1", "Label A", "L1", 57.0],
            ["a2", "Label A", "L2", 3.0],
        ]
        assert alerts.listener_tracks(cur) == ["AAAAA0000001", "AAAAA0000002"]
