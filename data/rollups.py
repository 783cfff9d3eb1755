"""Rollups: small aggregate tables at the grains the pages ask for, and the one place that
picks which of them answers a query.

`agg_daily` keeps (day, track, country, DSP, source): almost as many rows as the facts, so a
page reading it scans nearly the facts. The rollups below drop the dimensions a query does
not use and carry the catalog's label and artist, so a scoped read filters on its own columns
(`label IN (...)`) without a join. Rows are inserted ordered by the filter columns (label,
then day; the per-track drill-down table by track, then day) so DuckDB's zone maps skip the
row groups of other labels and other dates. Nothing finer: a label's day is at most ~20,000
rows of any rollup on the large store, less than a row group (122,880 rows), so an artist or
track order inside the day could not skip a row group, and sorting on it cost ~40 % of the
insert.

Stream rollups (smallest first; `choose` takes the first that holds every column a query
filters or groups on):

    roll_label_day    label x day x country x DSP                 streams, active, row counts
    roll_track_date   label x artist x track x day                streams, active, row counts
    roll_artist_day   label x artist x day x country x DSP        streams, active, row counts
    roll_track_day    label x artist x track x day x country      streams, active, row counts
    roll_track_source label x artist x track x day x country x source    streams
    agg_daily         everything, joined to the catalog           (fallback)

One more answers what the stream rollups cannot: `roll_worldwide_day` (the worldwide chart
rows, which the aggregates leave out). Whether a filter's listeners are known is whether it has
any listener row (streams are >= 1 a row), which `roll_listener_month` answers: the
identified-streams table that answered it (migration 028) went with migration 032. The monthly
rollups of data/rollup_months.py (`roll_track_month`, `roll_track_month_total`) hold a window's
whole months for sums (see `track_country_pieces`) and, with each row's first and last day in
its month, which tracks or countries have rows in any window (see `presence`) for distinct
counts; `roll_listener_month` keeps each listener's days of the month, which answers the
listeners of any window (`rollup_months.listener_window`).

Freshness: `refresh(cur, lo, hi)` recomputes the days [lo, hi] (for the monthly tables, the
months around them) of every rollup, from `agg_daily` (already refreshed for those days) and,
for listeners and worldwide rows, from the facts; the aggregates stage calls it in the load's
transaction. A catalog load that moves a track to another label or artist (or names a track
whose streams arrived first) rebuilds them (`sync_catalog`), so the label column always agrees
with the catalog: scoping on it is scoping on the catalog. Migrations 023, 027 and 028 build
them for existing stores (032 rewrites roll_track_day and roll_track_date as the refresh now
builds them).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

import duckdb

from data import rollup_months
from data.vocab import ACTIVE_SOURCES, WORLDWIDE, sql_list

_ACTIVE = f"source IN {sql_list(ACTIVE_SOURCES)}"


@dataclass(frozen=True)
class Rollup:
    """A table that can answer stream queries over `dims` (besides label, always kept).

    `relation` is what a query reads FROM (aliased by the caller). `pivoted` rollups hold active/passive as measures (active_streams,
    n_active, n_passive) instead of a source column.
    """

    table: str
    dims: frozenset[str]
    relation: str
    pivoted: bool

    def active(self, alias: str) -> str:
        """SQL of a row's active streams (rows of table alias `alias`)."""
        if self.pivoted:
            return f"{alias}.active_streams"
        return f"CASE WHEN {alias}.{_ACTIVE} THEN {alias}.streams ELSE 0 END"


def _rollup(table: str, dims: str, pivoted: bool, relation: str | None = None) -> Rollup:
    return Rollup(table, frozenset(dims.split()), relation or table, pivoted)


STREAM_ROLLUPS: tuple[Rollup, ...] = (
    _rollup("roll_label_day", "label date country dsp context", True),
    _rollup("roll_track_date", "label artist_id isrc date context", True),
    _rollup("roll_artist_day", "label artist_id date country dsp context", True),
    _rollup("roll_track_day", "label artist_id isrc date country context", True),
    _rollup("roll_track_source", "label artist_id isrc date country source context", False),
    _rollup(
        "agg_daily",
        "label artist_id isrc date country dsp source context",
        False,
        "(SELECT d.date, d.isrc, d.country, d.dsp, d.source, d.streams, c.label, c.artist_id "
        "FROM agg_daily d JOIN catalog c ON c.isrc = d.isrc)",
    ),
)


def choose(needs: Iterable[str]) -> Rollup:
    """The smallest stream rollup holding every column in `needs` (filters and groupings).

    `needs` names: label, artist_id, isrc, date, country, dsp, source, context.
    """
    wanted = set(needs)
    for rollup in STREAM_ROLLUPS:
        if wanted <= rollup.dims:
            return rollup
    raise ValueError(f"no rollup holds {sorted(wanted)}")


def filter_needs(
    artist_ids: Iterable[str] = (),
    countries: Iterable[str] = (),
    dated: bool = False,
    isrc: str | None = None,
) -> set[str]:
    """The columns a query's filters read (label is always read)."""
    needs = {"label"}
    if tuple(artist_ids):
        needs.add("artist_id")
    if tuple(countries):
        needs.add("country")
    if dated:
        needs.add("date")
    if isrc:
        needs.add("isrc")
    return needs


# -- refresh ---------------------------------------------------------------------------------
# (table, INSERT ... SELECT with {where} on the source's date, ORDER BY for the zone maps).
# Tracks the catalog does not know yet keep a NULL label: no scope ever matches them.
_COUNTS = (
    f"sum(CASE WHEN {_ACTIVE} THEN streams ELSE 0 END) AS active_streams, "
    f"count(*) FILTER (WHERE {_ACTIVE}) AS n_active, "
    f"count(*) FILTER (WHERE NOT {_ACTIVE}) AS n_passive"
)
# A track's label and artist follow from its ISRC, so the track builds group on the ISRC and
# join the names to the groups after: string group keys were much of the cost of a 10 M-row
# delivery's stage (bench/rollup_cost.py). Measured and not kept: grouping roll_artist_day on
# an artist number computed in the statement (no gain).
_NAMES = "LEFT JOIN catalog c ON c.isrc = g.isrc"
_BUILDS: tuple[tuple[str, str], ...] = (
    (
        "roll_track_source",
        "INSERT INTO roll_track_source SELECT c.label, c.artist_id, g.* FROM (SELECT d.isrc, "
        "d.date, d.country, d.source, sum(d.streams) AS streams FROM agg_daily d "
        f"WHERE {{where}} GROUP BY ALL) g {_NAMES} ORDER BY g.isrc, g.date",
    ),
    # From agg_daily, not roll_track_source: that table is clustered by track, so reading a
    # refresh's days from it would scan it all; agg_daily's rows of those days are together.
    (
        "roll_track_day",
        "INSERT INTO roll_track_day SELECT c.label, c.artist_id, g.* FROM (SELECT d.isrc, "
        f"d.date, d.country, sum(d.streams) AS streams, {_COUNTS} FROM agg_daily d "
        f"WHERE {{where}} GROUP BY ALL) g {_NAMES} ORDER BY c.label, g.date",
    ),
    (
        "roll_track_date",
        "INSERT INTO roll_track_date SELECT c.label, c.artist_id, g.* FROM (SELECT isrc, date, "
        "sum(streams), sum(active_streams), sum(n_active), sum(n_passive) FROM roll_track_day "
        f"WHERE {{where}} GROUP BY ALL) g {_NAMES} ORDER BY c.label, g.date",
    ),
    (
        "roll_artist_day",
        f"INSERT INTO roll_artist_day SELECT c.label, c.artist_id, d.date, d.country, d.dsp, "
        f"sum(d.streams) AS streams, {_COUNTS} FROM agg_daily d "
        "LEFT JOIN catalog c ON c.isrc = d.isrc WHERE {where} GROUP BY ALL "
        "ORDER BY c.label, d.date",
    ),
    (
        "roll_label_day",
        "INSERT INTO roll_label_day SELECT label, date, country, dsp, sum(streams), "
        "sum(active_streams), sum(n_active), sum(n_passive) FROM roll_artist_day "
        "WHERE {where} GROUP BY ALL ORDER BY label, date",
    ),
    (
        "roll_worldwide_day",
        "INSERT INTO roll_worldwide_day SELECT c.label, c.artist_id, t.isrc, t.date, "
        "sum(t.streams) FROM trend_facts t LEFT JOIN catalog c ON c.isrc = t.isrc "
        f"WHERE t.country = '{WORLDWIDE}' AND {{where}} GROUP BY ALL ORDER BY c.label, t.date",
    ),
)
TABLES = tuple(table for table, _ in _BUILDS)
# The last day with streams (the smallest rollup holds every day agg_daily holds).
LAST_DAY = "SELECT max(date) FROM roll_label_day"
WORLDWIDE_ROWS = "roll_worldwide_day"


def refresh(cur: duckdb.DuckDBPyConnection, lo: dt.date, hi: dt.date) -> None:
    """Recompute the days [lo, hi] of every rollup (all DSPs: most rollups drop the DSP).

    Call after `agg_daily` holds those days, inside the same transaction.
    """
    for table, insert_sql in _BUILDS:
        cur.execute(f"DELETE FROM {table} WHERE date BETWEEN ? AND ?", [lo, hi])
        # The alias-free `date` of the derived rollups and the aliased one of the joins.
        alias = (
            "" if "FROM roll_" in insert_sql else ("t." if "trend_facts" in insert_sql else "d.")
        )
        where = f"{alias}date BETWEEN ? AND ?"
        cur.execute(insert_sql.format(where=where), [lo, hi])
    rollup_months.refresh(cur, lo, hi)  # the months around [lo, hi], from the days above


def rebuild_selects() -> list[tuple[str, str, str]]:
    """(table, SELECT of all its rows, ORDER BY of its clustered insert) in build order:
    the rebuild's statements, for another engine (each rollup reads those before it)."""
    out = []
    for table, insert_sql in _BUILDS:
        select = insert_sql[insert_sql.index("SELECT") :].format(where="TRUE")
        select, order = select.rsplit(" ORDER BY ", 1)
        order = re.sub(r"\b\w+\.", "", order)  # table columns, not aliases
        out.append((table, select, order))
    return out


def _months(lo: dt.date, hi: dt.date) -> tuple[dt.date, dt.date]:
    """First day of lo's month, last day of hi's month."""
    nxt = (hi.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    return lo.replace(day=1), nxt - dt.timedelta(days=1)


def track_country_pieces(
    date_from: dt.date | None, date_to: dt.date | None
) -> list[tuple[str, dt.date | None, dt.date | None]]:
    """(table, from, to) pieces whose rows (track, country, streams, active_streams) add up to
    the window: whole months from roll_track_month, the days at either end from
    roll_track_day (sums add up; distinct tracks or countries are counted after grouping)."""
    if date_from is None and date_to is None:
        return [("roll_track_month", None, None)]
    if date_from is None or date_to is None:
        return [("roll_track_day", date_from, date_to)]
    first = date_from if date_from.day == 1 else _months(date_from, date_from)[1] + dt.timedelta(1)
    end = _months(date_to, date_to)
    last = date_to if date_to == end[1] else end[0] - dt.timedelta(days=1)  # last full month's end
    if first > last:
        return [("roll_track_day", date_from, date_to)]
    pieces: list[tuple[str, dt.date | None, dt.date | None]] = [
        ("roll_track_month", first, last.replace(day=1))
    ]
    if date_from < first:
        pieces.append(("roll_track_day", date_from, first - dt.timedelta(days=1)))
    if last < date_to:
        pieces.append(("roll_track_day", last + dt.timedelta(days=1), date_to))
    return pieces


def presence(
    date_from: dt.date | None,
    date_to: dt.date | None,
    alias: str = "a",
    monthly: str = "roll_track_month",
    daily: str = "roll_track_day",
) -> tuple[str, str, list[dt.date]]:
    """(table, condition, params): the rows of (track, country) pairs with streams in the
    window, to count distinct tracks or countries (not to sum: a month row holds the whole
    month's streams).

    A monthly row keeps the first and last day its pair had rows in that month, so "the pair
    has a day in [lo, hi]" is `last_day >= lo AND first_day <= hi` exactly whenever the window
    covers each month it touches up to that month's end or from its start: always, unless both
    ends fall inside one month. Only that window (at most 31 days) reads the daily rollup.
    """
    a = alias
    if date_from and date_to and _inside_one_month(date_from, date_to):
        return daily, f"{a}.date BETWEEN ? AND ?", [date_from, date_to]
    parts, params = [], []
    if date_from is not None:
        parts.append(f"{a}.date >= ? AND {a}.last_day >= ?")
        params += [date_from.replace(day=1), date_from]
    if date_to is not None:
        parts.append(f"{a}.date <= ? AND {a}.first_day <= ?")
        params += [date_to.replace(day=1), date_to]
    return monthly, " AND ".join(parts) or "TRUE", params


def _inside_one_month(lo: dt.date, hi: dt.date) -> bool:
    """Both ends in the same month, the window neither starting on its first day nor ending
    on its last (a prefix or a suffix of a month is exact from first/last day)."""
    return (lo.year, lo.month) == (hi.year, hi.month) and lo.day > 1 and hi != _months(hi, hi)[1]


def rebuild(cur: duckdb.DuckDBPyConnection) -> None:
    """Every rollup from scratch, in clustered order (after a catalog change or a repair)."""
    for table in TABLES:
        cur.execute(f"DELETE FROM {table}")
    row = cur.execute("SELECT min(date), max(date) FROM trend_facts").fetchone()
    if row[0] is not None:
        refresh(cur, row[0], row[1])


def stale_tracks(cur: duckdb.DuckDBPyConnection) -> int:
    """Tracks whose label or artist in the rollups differs from the catalog's (or whose
    catalog row arrived after their streams)."""
    return int(
        cur.execute(
            "SELECT count(*) FROM (SELECT DISTINCT isrc, label, artist_id FROM roll_track_day "
            "UNION SELECT DISTINCT isrc, label, artist_id FROM roll_worldwide_day) r "
            "LEFT JOIN catalog c ON c.isrc = r.isrc "
            "WHERE r.label IS DISTINCT FROM c.label OR r.artist_id IS DISTINCT FROM c.artist_id"
        ).fetchone()[0]
    )


def sync_catalog(cur: duckdb.DuckDBPyConnection) -> bool:
    """After a catalog load: rebuild the rollups when a track's label or artist changed.
    Returns True when it rebuilt (a new track without streams changes nothing)."""
    if stale_tracks(cur) == 0:
        return False
    rebuild(cur)
    return True
