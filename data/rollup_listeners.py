"""Distinct listeners of any date window, from monthly rows with integer listener keys.

`roll_listener_day` (data/rollups.py) holds one row per label x artist x day x country x
listener id; counting a window's distinct ids groups every row of the window on a text id.
`roll_listener_month` keeps one row per month instead, with the first and last day the
listener had rows that month (so `rollups.presence` finds the listeners of a window exactly),
and a dense integer key from `listener_keys` in place of the text id (a key names one id and
an id has one key, so counting keys is counting ids, on a much cheaper column).

Keys are never renumbered: a refresh only adds the ids it has not seen.
"""

from __future__ import annotations

import datetime as dt

import duckdb

KEYS = "listener_keys"
MONTHS = "roll_listener_month"

_NEW_KEYS = (
    "INSERT INTO listener_keys SELECT n.listener_id, k.top + row_number() OVER "
    "(ORDER BY n.listener_id) FROM (SELECT DISTINCT listener_id FROM roll_listener_day "
    "WHERE date BETWEEN ? AND ?) n, (SELECT coalesce(max(lid), 0) AS top FROM listener_keys) k "
    "WHERE NOT EXISTS (SELECT 1 FROM listener_keys o WHERE o.listener_id = n.listener_id)"
)
# The months around [lo, hi], rebuilt whole: a month's first and last day need all its days.
_DELETE = "DELETE FROM roll_listener_month WHERE date BETWEEN date_trunc('month', ?::DATE) AND ?"
_INSERT = (
    "INSERT INTO roll_listener_month SELECT r.label, r.artist_id, "
    "date_trunc('month', r.date)::DATE AS month, r.country, k.lid, min(r.date), max(r.date) "
    "FROM roll_listener_day r JOIN listener_keys k ON k.listener_id = r.listener_id "
    "WHERE r.date BETWEEN date_trunc('month', ?::DATE) AND last_day(?::DATE) "
    "GROUP BY ALL ORDER BY r.label, month"
)


def refresh(cur: duckdb.DuckDBPyConnection, lo: dt.date, hi: dt.date) -> None:
    """Key the new ids of the days [lo, hi] and rebuild the months around them (after
    `roll_listener_day` holds those days, in the same transaction)."""
    cur.execute(_NEW_KEYS, [lo, hi])
    cur.execute(_DELETE, [lo, hi])
    cur.execute(_INSERT, [lo, hi])


def rebuild(cur: duckdb.DuckDBPyConnection) -> None:
    """Every month from `roll_listener_day` (after another engine rebuilt it)."""
    row = cur.execute("SELECT min(date), max(date) FROM roll_listener_day").fetchone()
    cur.execute("DELETE FROM roll_listener_month")
    if row[0] is not None:
        refresh(cur, row[0], row[1])
