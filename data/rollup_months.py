"""Monthly rollups for distinct counts over any date window, with integer keys.

Which tracks a country had, or which listeners a label had, in a window is a distinct count:
it cannot add up per-day counts, and grouping every daily row of the window on its text id
is what made the Catalog slow on large stores. The monthly rows below hold one row per
month and keep the first and last day the row's (track, country) pair or listener had rows
that month, so `rollups.presence` selects the rows of any window exactly; and they carry a
dense integer key in place of the text id, so a count is one bit per key
(`bit_count(bitstring_agg(key, 1, max_key))`), not a hash table of strings:

    roll_track_month        label x artist x track x month x country   (+ sums, tid)
    roll_track_month_total  label x artist x track x month, all countries (+ sums, tid)
    roll_listener_month     label x artist x month x country x listener (lid)

A key names one id and an id has one key (`track_keys`, `listener_keys`), so counting keys
is counting ids. Keys are never renumbered: a refresh only adds the ids it has not seen.
Both tables are built in DuckDB from the daily rollups (also after another engine rebuilt
those, see data/engine/spark_aggregates.py).
"""

from __future__ import annotations

import datetime as dt

import duckdb

TRACK_KEYS = "track_keys"
LISTENER_KEYS = "listener_keys"
TRACKS = "roll_track_month"
TRACK_TOTALS = "roll_track_month_total"
LISTENERS = "roll_listener_month"


def _new_keys(keys: str, key: str, id_col: str, daily: str) -> str:
    return (
        f"INSERT INTO {keys} SELECT n.{id_col}, k.top + row_number() OVER (ORDER BY n.{id_col}) "
        f"FROM (SELECT DISTINCT {id_col} FROM {daily} WHERE date BETWEEN ? AND ?) n, "
        f"(SELECT coalesce(max({key}), 0) AS top FROM {keys}) k WHERE NOT EXISTS "
        f"(SELECT 1 FROM {keys} o WHERE o.{id_col} = n.{id_col})"
    )


# The months around [lo, hi] are rebuilt whole: a month's first and last day need all its days.
_MONTHS = "r.date BETWEEN date_trunc('month', ?::DATE) AND last_day(?::DATE)"
_STEPS = (
    _new_keys(TRACK_KEYS, "tid", "isrc", "roll_track_day"),
    f"DELETE FROM {TRACKS} WHERE date BETWEEN date_trunc('month', ?::DATE) AND ?",
    f"INSERT INTO {TRACKS} SELECT r.label, r.artist_id, r.isrc, "
    "date_trunc('month', r.date)::DATE AS month, r.country, sum(r.streams), "
    "sum(r.active_streams), min(r.date), max(r.date), k.tid FROM roll_track_day r "
    f"JOIN {TRACK_KEYS} k ON k.isrc = r.isrc WHERE {_MONTHS} GROUP BY ALL "
    "ORDER BY r.label, month, r.isrc",
    f"DELETE FROM {TRACK_TOTALS} WHERE date BETWEEN date_trunc('month', ?::DATE) AND ?",
    f"INSERT INTO {TRACK_TOTALS} SELECT r.label, r.artist_id, r.isrc, "
    "date_trunc('month', r.date)::DATE AS month, sum(r.streams), sum(r.active_streams), "
    "min(r.date), max(r.date), k.tid FROM roll_track_date r "
    f"JOIN {TRACK_KEYS} k ON k.isrc = r.isrc WHERE {_MONTHS} GROUP BY ALL "
    "ORDER BY r.label, month, r.isrc",
    _new_keys(LISTENER_KEYS, "lid", "listener_id", "roll_listener_day"),
    f"DELETE FROM {LISTENERS} WHERE date BETWEEN date_trunc('month', ?::DATE) AND ?",
    f"INSERT INTO {LISTENERS} SELECT r.label, r.artist_id, "
    "date_trunc('month', r.date)::DATE AS month, r.country, k.lid, min(r.date), max(r.date) "
    f"FROM roll_listener_day r JOIN {LISTENER_KEYS} k ON k.listener_id = r.listener_id "
    f"WHERE {_MONTHS} GROUP BY ALL ORDER BY r.label, month",
)


def refresh(cur: duckdb.DuckDBPyConnection, lo: dt.date, hi: dt.date) -> None:
    """Key the new ids of the days [lo, hi] and rebuild the months around them (after the
    daily rollups hold those days, in the same transaction)."""
    for sql in _STEPS:
        cur.execute(sql, [lo, hi])


def rebuild(cur: duckdb.DuckDBPyConnection) -> None:
    """Every month from the daily rollups (after another engine rebuilt them)."""
    row = cur.execute(
        "SELECT min(d), max(d) FROM (SELECT min(date) AS d FROM roll_track_day UNION ALL "
        "SELECT max(date) FROM roll_track_day UNION ALL SELECT min(date) FROM "
        "roll_listener_day UNION ALL SELECT max(date) FROM roll_listener_day)"
    ).fetchone()
    for table in (TRACKS, TRACK_TOTALS, LISTENERS):
        cur.execute(f"DELETE FROM {table}")
    if row[0] is not None:
        refresh(cur, row[0], row[1])


def max_key(cur: duckdb.DuckDBPyConnection, keys: str) -> int:
    """The largest key of `keys` (TRACK_KEYS or LISTENER_KEYS), at least 1: the upper bound
    of `bitstring_agg` (a key of a row is never above it)."""
    key = "tid" if keys == TRACK_KEYS else "lid"
    return max(int(cur.execute(f"SELECT coalesce(max({key}), 1) FROM {keys}").fetchone()[0]), 1)


def count_keys(column: str, top: int) -> str:
    """SQL of the number of distinct keys in `column` (keys 1..top), 0 when no rows."""
    return f"coalesce(bit_count(bitstring_agg({column}, 1, {int(top)})), 0)"
