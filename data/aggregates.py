"""Aggregates derived from trend_facts, refreshed inside a load's transaction.

Each aggregate is partitioned by a date grain (day, month, week) and by DSP, so a load that
touched dates [lo, hi] of some DSPs recomputes only those partitions: set-oriented SQL that a
distributed engine can run per partition as well, and a cost proportional to the file
loaded rather than to the store.

The sums cannot overflow the BIGINT columns they fill: the ingest bounds streams per row and
rows per store so that any sum of streams stays below 2**63 - 1 (docs/spec-bounds.md).

Only `agg_daily` is kept (migration 030): the listener and demographic aggregates were about
as large as the facts, so the jobs read those sums from trend_facts (data/results/*.py) and
the stage no longer writes nearly a second copy of every delivery.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import duckdb

from data import rollups
from data.vocab import WORLDWIDE


# The worldwide chart rows repeat the countries' streams: the aggregates (and so every total,
# map and model read from them) hold country rows only; trend_facts keeps the worldwide ones,
# so a job reading the facts filters them out with this same condition.
def countries_only(alias: str = "") -> str:
    """SQL keeping the country rows (not the worldwide chart rows) of table alias `alias`
    (`"l."`, or empty for an unaliased read)."""
    return f"{alias}country <> '{WORLDWIDE}'"


COUNTRIES_ONLY = countries_only()

# (table, partition column, date unit of the partition, insert SQL with {where})
_AGGREGATES = (
    (
        "agg_daily",
        "date",
        "day",
        f"""INSERT INTO agg_daily
           SELECT date, isrc, country, dsp, source, sum(streams)
           FROM trend_facts WHERE {COUNTRIES_ONLY} AND {{where}}
           GROUP BY ALL""",
    ),
)


def rebuild_selects() -> list[tuple[str, str]]:
    """(table, SELECT of all its rows): the rebuild's statements, for another engine."""
    return [(t, _select_of(sql).format(where="TRUE")) for t, _, _, sql in _AGGREGATES]


def _select_of(insert_sql: str) -> str:
    return insert_sql[insert_sql.index("SELECT") :]


def _bounds(unit: str, lo: dt.date, hi: dt.date) -> tuple[dt.date, dt.date]:
    """First and last day of the partitions of `unit` that overlap [lo, hi]."""
    if unit == "day":
        return lo, hi
    if unit == "month":
        first = lo.replace(day=1)
        nxt = (hi.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    else:  # ISO week, Monday first, as DuckDB's date_trunc('week')
        first = lo - dt.timedelta(days=lo.weekday())
        nxt = hi - dt.timedelta(days=hi.weekday()) + dt.timedelta(days=7)
    return first, nxt - dt.timedelta(days=1)


def refresh(
    cur: duckdb.DuckDBPyConnection,
    lo: dt.date,
    hi: dt.date,
    dsps: Sequence[str] | None = None,
    *,
    with_rollups: bool = True,
) -> None:
    """Recompute every aggregate for the partitions overlapping [lo, hi] (of `dsps`, or all),
    then the rollups' days [lo, hi] (data/rollups.py) unless `with_rollups` is False.

    Call inside the load's transaction so that facts and aggregates change together.
    """
    for table, column, unit, insert_sql in _AGGREGATES:
        first, last = _bounds(unit, lo, hi)
        where, params = "date BETWEEN ? AND ?", [first, last]
        if dsps:
            where += f" AND dsp IN ({', '.join('?' * len(dsps))})"
            params += list(dsps)
        cur.execute(f"DELETE FROM {table} WHERE {where.replace('date', column, 1)}", params)
        cur.execute(insert_sql.format(where=where), params)
    if with_rollups:
        rollups.refresh(cur, lo, hi)


def queue(
    cur: duckdb.DuckDBPyConnection, load_id: int, lo: dt.date, hi: dt.date, dsps: Sequence[str]
) -> None:
    """Record a load's partitions for a later `refresh_backlog` (in the load's transaction)."""
    cur.executemany(
        "INSERT INTO aggregate_backlog VALUES (?, ?, ?, ?)", [[load_id, d, lo, hi] for d in dsps]
    )


def _merge(ranges: list[tuple[dt.date, dt.date]]) -> list[tuple[dt.date, dt.date]]:
    """Union of date ranges as disjoint ranges (adjacent ones joined)."""
    merged: list[tuple[dt.date, dt.date]] = []
    for lo, hi in sorted(ranges):
        if merged and lo <= merged[-1][1] + dt.timedelta(days=1):
            merged[-1] = (merged[-1][0], max(hi, merged[-1][1]))
        else:
            merged.append((lo, hi))
    return merged


def refresh_backlog(cur: duckdb.DuckDBPyConnection) -> int:
    """Refresh every queued partition once and empty the backlog (call in a transaction).

    DSPs whose queued dates merge to the same ranges are refreshed together (a delivery of
    one file per DSP over the same days is one scan per aggregate, not one per DSP).
    Returns the number of refresh statements made (one per date range).
    """
    by_dsp: dict[str, list[tuple[dt.date, dt.date]]] = {}
    for dsp, lo, hi in cur.execute(
        "SELECT dsp, date_min, date_max FROM aggregate_backlog"
    ).fetchall():
        by_dsp.setdefault(dsp, []).append((lo, hi))
    by_range: dict[tuple[dt.date, dt.date], list[str]] = {}
    for dsp, ranges in sorted(by_dsp.items()):
        for span in _merge(ranges):
            by_range.setdefault(span, []).append(dsp)
    for (lo, hi), dsps in sorted(by_range.items()):
        refresh(cur, lo, hi, dsps, with_rollups=False)
    # The rollups span every DSP: refresh each day once, whichever DSPs touched it.
    for lo, hi in _merge(list(by_range)):
        rollups.refresh(cur, lo, hi)
    cur.execute("DELETE FROM aggregate_backlog")
    return len(by_range)


def refresh_all(cur: duckdb.DuckDBPyConnection) -> None:
    """Rebuild every aggregate from scratch (after a migration or a repair)."""
    row = cur.execute("SELECT min(date), max(date) FROM trend_facts").fetchone()
    for table, *_ in _AGGREGATES:
        cur.execute(f"DELETE FROM {table}")
    cur.execute("DELETE FROM aggregate_backlog")
    if row[0] is not None:
        refresh(cur, row[0], row[1])
