"""Monthly rollups for distinct counts over any date window, with integer keys.

Which tracks a country had, or which listeners a label had, in a window is a distinct count:
it cannot add up per-day counts, and grouping every daily row of the window on its text id
is what made the Catalog slow on large stores. The monthly rows below hold one row per
month and carry a dense integer key in place of the text id, so a count is one bit per key
(`bit_count(bitstring_agg(key, 1, max_key))`), not a hash table of strings:

    roll_track_month        label x artist x track x month x country   (+ sums, first/last day, tid)
    roll_track_month_total  label x artist x track x month, all countries (+ sums, first/last day, tid)
    roll_listener_month     artist x month x country x listener          (ak, lid, days)

The track tables keep the first and last day their (track, country) pair or track had rows
that month (`rollups.presence` selects the rows of any window from them; a window inside one
month reads the daily track rollups). A listener row keeps every day instead: `days` has bit
d - 1 set when the listener had a row on day d of that month, so `listener_window` selects
the listeners of any window, one inside a month included, from the monthly rows alone and
no daily listener table is kept (it was as large as the facts' listener rows).

A key names one id and an id has one key (`track_keys`, `listener_keys`), so counting keys
is counting ids. Keys are never renumbered: a refresh only adds the ids it has not seen.
The listener table is the largest rollup (about one row per listener row of the facts on a
delivery whose listeners each play one artist once a month), so it names its label and artist
by one integer too: `artist_keys` numbers the catalog's (label, artist) pairs, new pairs in
label order, and a scoped read turns its labels and artists into key ranges
(`artist_ranges`). Writing two strings a row was a third of the 10 M-row delivery's stage.
Streams of a track the catalog does not know yet have no artist key and no listener rows
until the catalog names it (its load rebuilds the rollups: data/rollups.py, `sync_catalog`).
The track tables are built in DuckDB from the daily rollups (also after another engine
rebuilt those, see data/engine/spark_aggregates.py), the listener table from the facts.
"""

from __future__ import annotations

import datetime as dt

import duckdb

TRACK_KEYS = "track_keys"
LISTENER_KEYS = "listener_keys"
ARTIST_KEYS = "artist_keys"
TRACKS = "roll_track_month"
TRACK_TOTALS = "roll_track_month_total"
LISTENERS = "roll_listener_month"


def _new_keys(keys: str, key: str, id_col: str, source: str, only: str = "TRUE") -> str:
    # Numbered in no particular order: which id gets which key changes no count, and an
    # ordered window runs on one thread (it was half the cost of keying a 10 M-row delivery).
    return (
        f"INSERT INTO {keys} SELECT n.{id_col}, k.top + row_number() OVER () "
        f"FROM (SELECT DISTINCT {id_col} FROM {source} WHERE {only} AND date BETWEEN ? AND ?) n, "
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
    _new_keys(LISTENER_KEYS, "lid", "listener_id", "trend_facts", "listener_id IS NOT NULL"),
    f"DELETE FROM {LISTENERS} WHERE date BETWEEN date_trunc('month', ?::DATE) AND ?",
)
# One month of the facts' listener rows (bit d - 1 of `days` = day d), in artist key order.
# Month first, then artist: a window's months, and a label's keys inside each month, are what
# the zone maps skip by (artist first lost the month pruning: +10 ms a Catalog read). One
# statement per month sorts each month's rows alone: the same order, for less than one sort
# of all of them (bench/rollup_cost.py).
_LISTENER_MONTH = (
    f"INSERT INTO {LISTENERS} SELECT a.ak, ?::DATE, r.country, k.lid, "
    "bit_or((1 << (day(r.date) - 1))::INTEGER) FROM trend_facts r "
    f"JOIN (SELECT c.isrc, a.ak FROM catalog c JOIN {ARTIST_KEYS} a ON a.label = c.label "
    f"AND a.artist_id = c.artist_id) a ON a.isrc = r.isrc JOIN {LISTENER_KEYS} k "
    "ON k.listener_id = r.listener_id WHERE r.listener_id IS NOT NULL "
    "AND r.date BETWEEN ? AND last_day(?::DATE) GROUP BY ALL ORDER BY a.ak"
)
# The catalog's new (label, artist) pairs, numbered in label order so that a label's artists
# are one range of keys (until it signs another artist).
_NEW_ARTISTS = (
    f"INSERT INTO {ARTIST_KEYS} SELECT n.label, n.artist_id, k.top + row_number() OVER "
    "(ORDER BY n.label, n.artist_id) FROM (SELECT DISTINCT label, artist_id FROM catalog) n, "
    f"(SELECT coalesce(max(ak), 0) AS top FROM {ARTIST_KEYS}) k WHERE NOT EXISTS "
    f"(SELECT 1 FROM {ARTIST_KEYS} o WHERE o.label = n.label AND o.artist_id = n.artist_id)"
)


def refresh(cur: duckdb.DuckDBPyConnection, lo: dt.date, hi: dt.date) -> None:
    """Key the new ids of the days [lo, hi] and rebuild the months around them (after the
    daily rollups hold those days, in the same transaction)."""
    cur.execute(_NEW_ARTISTS)
    for sql in _STEPS:
        cur.execute(sql, [lo, hi])
    month = lo.replace(day=1)
    while month <= hi:
        cur.execute(_LISTENER_MONTH, [month, month, month])
        month = (month + dt.timedelta(days=32)).replace(day=1)


def rebuild(cur: duckdb.DuckDBPyConnection) -> None:
    """Every month from the daily track rollups (after another engine rebuilt them) and
    the facts' listener rows."""
    row = cur.execute(
        "SELECT min(d), max(d) FROM (SELECT min(date) AS d FROM roll_track_day UNION ALL "
        "SELECT max(date) FROM roll_track_day UNION ALL SELECT min(date) FROM "
        "trend_facts WHERE listener_id IS NOT NULL UNION ALL SELECT max(date) FROM "
        "trend_facts WHERE listener_id IS NOT NULL)"
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


def artist_ranges(keys: list[int], column: str = "a.ak") -> str:
    """SQL selecting the rows of `column` whose artist key is one of `keys` ("false" when
    none): one BETWEEN per run of consecutive keys, which the zone maps of the listener
    table (ordered by month, then key) can prune (a label's artists are one or a few runs)."""
    runs: list[list[int]] = []
    for key in sorted(set(int(k) for k in keys)):
        if runs and key == runs[-1][1] + 1:
            runs[-1][1] = key
        else:
            runs.append([key, key])
    if not runs:
        return "false"
    return "(" + " OR ".join(f"{column} BETWEEN {lo} AND {hi}" for lo, hi in runs) + ")"


def count_keys(column: str, top: int) -> str:
    """SQL of the number of distinct keys in `column` (keys 1..top), 0 when no rows."""
    return f"coalesce(bit_count(bitstring_agg({column}, 1, {int(top)})), 0)"


_ALL_DAYS = (1 << 31) - 1  # bits 0..30: days 1..31


def _days_from(day: int) -> int:
    """Mask of the days `day`..31 of a month."""
    return _ALL_DAYS & ~((1 << (day - 1)) - 1)


def _days_to(day: int) -> int:
    """Mask of the days 1..`day` of a month."""
    return (1 << day) - 1


def listener_window(
    date_from: dt.date | None, date_to: dt.date | None, alias: str = "a"
) -> tuple[str, list[object]]:
    """(condition, params) selecting the roll_listener_month rows of the listeners with a
    row in [date_from, date_to] (either end open): exact for any window, since each row
    keeps its month's days. For distinct counts only (a row has no streams)."""
    a = alias
    if date_from and date_to and date_from.replace(day=1) == date_to.replace(day=1):
        mask = _days_from(date_from.day) & _days_to(date_to.day)
        return f"{a}.date = ? AND {a}.days & ? <> 0", [date_from.replace(day=1), mask]
    parts: list[str] = []
    params: list[object] = []
    # The end months keep the rows with a day inside the window; the months between, all.
    if date_from is not None:
        first = date_from.replace(day=1)
        parts.append(f"{a}.date >= ? AND ({a}.date <> ? OR {a}.days & ? <> 0)")
        params += [first, first, _days_from(date_from.day)]
    if date_to is not None:
        last = date_to.replace(day=1)
        parts.append(f"{a}.date <= ? AND ({a}.date <> ? OR {a}.days & ? <> 0)")
        params += [last, last, _days_to(date_to.day)]
    return " AND ".join(parts) or "TRUE", params
