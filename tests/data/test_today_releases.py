"""Today's releases to promote: the tracks of recent release events and of a day's new
entries (hand-made event rows in an in-memory DuckDB)."""

from __future__ import annotations

import datetime as dt

import duckdb

from data.results import today as tdata


def test_a_release_grouped_into_the_days_new_entries_is_still_a_release() -> None:
    cur = duckdb.connect()
    cur.execute("CREATE TABLE alert_events (scope VARCHAR, tracks VARCHAR[], date DATE)")
    cur.execute(
        "INSERT INTO alert_events VALUES "
        "('release', ['R1', 'R2'], DATE '2026-09-10'), "  # an artist's own release row
        "('entries', ['E1', 'E2', 'E3'], DATE '2026-09-11'), "  # albums and singles of a day
        "('artist', ['A1'], DATE '2026-09-12'), "  # a move, not a release
        "('release', ['OLD'], DATE '2026-05-01')"  # before the window
    )
    got = tdata.releases(cur, dt.date(2026, 9, 1))
    assert sorted(got.isrc) == ["E1", "E2", "E3", "R1", "R2"]
