"""Aggregates derived from trend_facts, refreshed for a date range inside a load's transaction.

Each aggregate is partitioned by a date grain (day, month, week), so a load that touched
dates [lo, hi] recomputes only the partitions overlapping that range: set-oriented SQL that
a distributed engine can run per partition as well.
"""

from __future__ import annotations

import datetime as dt

import duckdb

ACTIVE_SOURCES = ("search", "collection", "album", "artist", "user_playlist")
PASSIVE_SOURCES = ("editorial_playlist", "algorithmic_playlist", "radio", "chart", "other")

_ACTIVE_SQL = "(" + ", ".join(f"'{s}'" for s in ACTIVE_SOURCES) + ")"

# (table, partition column, expression mapping a fact date to its partition, insert SQL)
_AGGREGATES = (
    (
        "agg_daily",
        "date",
        "date",
        """INSERT INTO agg_daily
           SELECT date, isrc, country, dsp, source, sum(streams)
           FROM trend_facts WHERE date BETWEEN ? AND ?
           GROUP BY ALL""",
    ),
    (
        "agg_listener_month",
        "month",
        "date_trunc('month', date)",
        f"""INSERT INTO agg_listener_month
           SELECT date_trunc('month', date)::DATE, listener_id, isrc, sum(streams),
                  sum(CASE WHEN source IN {_ACTIVE_SQL} THEN streams ELSE 0 END),
                  min(date), max(date)
           FROM trend_facts
           WHERE listener_id IS NOT NULL AND date BETWEEN ? AND ?
           GROUP BY ALL""",
    ),
    (
        "agg_group_week",
        "week",
        "date_trunc('week', date)",
        """INSERT INTO agg_group_week
           SELECT date_trunc('week', date)::DATE, isrc, country, age_band, gender,
                  subscription, device, os, source, sum(streams)
           FROM trend_facts WHERE date BETWEEN ? AND ?
           GROUP BY ALL""",
    ),
)


def _partition_bounds(cur: duckdb.DuckDBPyConnection, expr: str, lo: dt.date, hi: dt.date):
    """First and last day covered by the partitions that overlap [lo, hi]."""
    if expr == "date":
        return lo, hi
    unit = "month" if "month" in expr else "week"
    first, last = cur.execute(
        f"SELECT date_trunc('{unit}', ?::DATE)::DATE, "
        f"(date_trunc('{unit}', ?::DATE) + INTERVAL 1 {unit} - INTERVAL 1 day)::DATE",
        [lo, hi],
    ).fetchone()
    return first, last


def refresh(cur: duckdb.DuckDBPyConnection, lo: dt.date, hi: dt.date) -> None:
    """Recompute every aggregate for the partitions overlapping [lo, hi].

    Call inside the load's transaction so that facts and aggregates change together.
    """
    for table, column, expr, insert_sql in _AGGREGATES:
        first, last = _partition_bounds(cur, expr, lo, hi)
        cur.execute(f"DELETE FROM {table} WHERE {column} BETWEEN ? AND ?", [first, last])
        cur.execute(insert_sql, [first, last])


def refresh_all(cur: duckdb.DuckDBPyConnection) -> None:
    """Rebuild every aggregate from scratch (after a migration or a repair)."""
    row = cur.execute("SELECT min(date), max(date) FROM trend_facts").fetchone()
    for table, *_ in _AGGREGATES:
        cur.execute(f"DELETE FROM {table}")
    if row[0] is not None:
        refresh(cur, row[0], row[1])
