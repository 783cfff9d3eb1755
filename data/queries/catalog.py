"""Scoped reads of the catalog and trend aggregates: labels, artists, tracks, totals, daily
series, countries and top tracks (the Catalog page and the sidebar filters)."""

# Sums of streams fit BIGINT for any store the ingest bounds allow (docs/spec-bounds.md).

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

import pandas as pd

from data import rollup_months, rollups
from data.queries import Filters, fact_where, model_where, read_df, scoped, where
from data.scope import Scope
from data.store import Store
from data.vocab import ACTIVE_SOURCES, WORLDWIDE, sql_list


@scoped
def labels(store: Store, scope: Scope) -> pd.DataFrame:
    """label, artists, tracks: the labels in the catalog the user may read."""
    cond, params = where(scope, None)
    return read_df(
        store,
        f"SELECT c.label, count(DISTINCT c.artist_id) AS artists, count(*) AS tracks "
        f"FROM catalog c WHERE {cond} GROUP BY c.label ORDER BY c.label",
        params,
    )


@scoped
def artists(store: Store, scope: Scope, filters: Filters | None = None) -> pd.DataFrame:
    """artist_id, artist_name, label, tracks for the labels in scope (and filter).

    Dates and countries do not apply (this lists the catalog); labels and artists do.
    """
    filters = Filters(
        labels=(filters or Filters()).labels, artist_ids=(filters or Filters()).artist_ids
    )
    cond, params = where(scope, filters)
    return read_df(
        store,
        f"SELECT c.artist_id, any_value(c.artist_name) AS artist_name, "
        f"any_value(c.label) AS label, count(*) AS tracks FROM catalog c WHERE {cond} "
        f"GROUP BY c.artist_id ORDER BY artist_name, c.artist_id",
        params,
    )


@scoped
def tracks(store: Store, scope: Scope, filters: Filters | None = None) -> pd.DataFrame:
    """The catalog rows (all columns) in scope and filter."""
    filters = Filters(
        labels=(filters or Filters()).labels, artist_ids=(filters or Filters()).artist_ids
    )
    cond, params = where(scope, filters)
    return read_df(
        store,
        f"SELECT c.isrc, c.track_title, c.artist_id, c.artist_name, c.label, c.genre, "
        f"c.release_date FROM catalog c WHERE {cond} ORDER BY c.artist_name, c.track_title",
        params,
    )


@scoped
def data_range(store: Store, scope: Scope) -> tuple[dt.date | None, dt.date | None]:
    """First and last day with streams for the user's labels."""
    rollup, cond, params = _read(scope, None, "date")
    row = (
        store.cursor()
        .execute(f"SELECT min(a.date), max(a.date) FROM {rollup.relation} a WHERE {cond}", params)
        .fetchone()
    )
    return row[0], row[1]


# -- Catalog page -----------------------------------------------------------------------
# Every function below reads a rollup (data/rollups.py picks the smallest that holds the
# columns it filters and groups on) and restricts with `where` on the rollup's own label
# column, which is the catalog's: the user's labels are always applied in SQL. They work
# with (store, scope) alone (defaults) so that the scoping test can call them generically.

_ACTIVE_IN = sql_list(ACTIVE_SOURCES)
_SPLITS = ("dsp", "context", "source")


def _read(
    scope: Scope, filters: Filters | None, *needs: str, isrc: str | None = None
) -> tuple[rollups.Rollup, str, list[Any]]:
    """The rollup that answers a query grouping on `needs` under these filters, and the
    scope-and-filter condition on its own columns (alias `a`)."""
    f = filters or Filters()
    dated = f.date_from is not None or f.date_to is not None
    wanted = rollups.filter_needs(f.artist_ids, f.countries, dated, isrc) | set(needs)
    cond, params = where(scope, filters, catalog_alias="a", fact_alias="a")
    if isrc:
        cond, params = f"{cond} AND a.isrc = ?", [*params, isrc]
    return rollups.choose(wanted), cond, params


def _per_track_country(
    scope: Scope, filters: Filters | None, isrc: str | None = None
) -> tuple[str, list[Any]]:
    """SQL of rows (isrc, country, streams, act) that add up to the filters' window: whole
    months from the monthly rollup, the days at the ends from the daily one."""
    f = filters or Filters()
    parts, params = [], []
    for table, lo, hi in rollups.track_country_pieces(f.date_from, f.date_to):
        cond, p = where(
            scope, replace(f, date_from=lo, date_to=hi), catalog_alias="a", fact_alias="a"
        )
        if isrc:
            cond, p = f"{cond} AND a.isrc = ?", [*p, isrc]
        parts.append(
            f"SELECT a.isrc, a.country, a.streams, a.active_streams AS act FROM {table} a "
            f"WHERE {cond}"
        )
        params += p
    return " UNION ALL ".join(parts), params


@scoped
def countries(store: Store, scope: Scope) -> pd.DataFrame:
    """country, streams: every country with streams for the user's labels, largest first."""
    rollup, cond, params = _read(scope, None, "country")
    return read_df(
        store,
        f"SELECT a.country, sum(a.streams)::BIGINT AS streams FROM {rollup.relation} a "
        f"WHERE {cond} GROUP BY a.country ORDER BY streams DESC, a.country",
        params,
    )


def _present(
    scope: Scope, filters: Filters | None, per_country: bool = False
) -> tuple[str, list[Any]]:
    """SQL of the (isrc, artist_id, tid[, country]) rows of every track (per country when
    `per_country` or countries are filtered) with rows in the filters' window
    (rollups.presence; tid = the track's integer key): for distinct counts only, never for
    sums. Without countries the rows are per track and month: a few per track."""
    f = filters or Filters()
    per_country = per_country or bool(f.countries)
    monthly, daily = (
        (rollup_months.TRACKS, "roll_track_day")
        if per_country
        else (rollup_months.TRACK_TOTALS, "roll_track_date")
    )
    table, window, w_params = rollups.presence(f.date_from, f.date_to, monthly=monthly, daily=daily)
    cond, params = where(
        scope, replace(f, date_from=None, date_to=None), catalog_alias="a", fact_alias="a"
    )
    columns = "a.isrc, a.artist_id" + (", a.country" if per_country else "")
    if table == monthly:
        rows = f"SELECT {columns}, a.tid FROM {table} a"
    else:  # a window inside one month: its days, keyed
        rows = (
            f"SELECT {columns}, k.tid FROM {table} a "
            f"JOIN {rollup_months.TRACK_KEYS} k ON k.isrc = a.isrc"
        )
    return f"{rows} WHERE {cond} AND {window}", params + w_params


def _track_keys(store: Store) -> int:
    return rollup_months.max_key(store.cursor(), rollup_months.TRACK_KEYS)


@scoped
def stream_totals(store: Store, scope: Scope, filters: Filters | None = None) -> pd.DataFrame:
    """One row: streams, active_streams, tracks, artists, countries, days in scope and filter."""
    # Sums, countries and days from the smallest rollup with the filter's columns (no track
    # column: label x day x country x DSP unless artists are filtered); tracks and artists
    # from the tracks present in the window (monthly rows, see rollups.presence).
    rollup, cond, params = _read(scope, filters, "date", "country", "context")
    pairs, p_params = _present(scope, filters)
    return read_df(
        store,
        f"SELECT t.streams, t.active_streams, n.tracks, m.artists, t.countries, t.days FROM ("
        f"SELECT coalesce(sum(a.streams), 0)::BIGINT AS streams, "
        f"coalesce(sum({rollup.active('a')}), 0)::BIGINT AS active_streams, "
        f"count(DISTINCT a.country) AS countries, count(DISTINCT a.date) AS days "
        f"FROM {rollup.relation} a WHERE {cond}) t, "
        f"(SELECT {rollup_months.count_keys('tid', _track_keys(store))} AS tracks "
        f"FROM ({pairs})) n, "
        f"(SELECT count(*) AS artists FROM (SELECT artist_id FROM ({pairs}) GROUP BY 1)) m",
        params + p_params + p_params,
    )


@scoped
def listener_totals(store: Store, scope: Scope, filters: Filters | None = None) -> pd.DataFrame:
    """One row: listeners (distinct ids with a row in the filter).

    Only some DSP rows carry a listener id, so `listeners` counts the listeners we know of;
    0 means no row of the filter carries one: listeners are unknown, not none (every row has
    at least one stream).
    """
    f = filters or Filters()
    # The listeners present in the window: monthly rows whose days meet it (exact for any
    # window), keyed by integers and counted one bit per key.
    window, w_params = rollup_months.listener_window(f.date_from, f.date_to)
    cur = store.cursor()
    top = rollup_months.max_key(cur, rollup_months.LISTENER_KEYS)
    # The rows are keyed by artist: the scope's labels and artists, as key ranges.
    k_cond, k_params = model_where(scope, f, catalog_alias="k")
    keys = [
        ak
        for (ak,) in cur.execute(
            f"SELECT k.ak FROM {rollup_months.ARTIST_KEYS} k WHERE {k_cond}", k_params
        ).fetchall()
    ]
    countries, c_params = fact_where(replace(f, date_from=None, date_to=None), "a")
    return read_df(
        store,
        f"SELECT {rollup_months.count_keys('lid', top)} AS listeners FROM "
        f"{rollup_months.LISTENERS} a WHERE {rollup_months.artist_ranges(keys)} "
        f"AND {countries} AND {window}",
        c_params + w_params,
    )


@scoped
def streams_daily(
    store: Store,
    scope: Scope,
    filters: Filters | None = None,
    split: str = "dsp",
    isrc: str | None = None,
) -> pd.DataFrame:
    """date, series, streams: daily streams split by 'dsp', 'context' (active/passive) or
    'source', optionally for one track."""
    if split not in _SPLITS:
        raise ValueError(f"split must be one of {', '.join(_SPLITS)}")
    rollup, cond, params = _read(scope, filters, "date", split, isrc=isrc)
    if split == "context" and rollup.pivoted:
        # Active and passive are measures here: one branch each, kept where rows exist.
        rows = (
            f"SELECT a.date, 'active' AS series, a.active_streams AS streams, a.n_active AS n "
            f"FROM {rollup.relation} a WHERE {cond} UNION ALL "
            f"SELECT a.date, 'passive', a.streams - a.active_streams, a.n_passive "
            f"FROM {rollup.relation} a WHERE {cond}"
        )
        return read_df(
            store,
            f"SELECT date, series, sum(streams)::BIGINT AS streams FROM ({rows}) "
            f"WHERE n > 0 GROUP BY ALL ORDER BY date, series",
            params + params,
        )
    series = {
        "dsp": "a.dsp",
        "source": "a.source::VARCHAR",
        "context": f"CASE WHEN a.source IN {_ACTIVE_IN} THEN 'active' ELSE 'passive' END",
    }[split]
    return read_df(
        store,
        f"SELECT a.date, {series} AS series, sum(a.streams)::BIGINT AS streams "
        f"FROM {rollup.relation} a WHERE {cond} GROUP BY ALL ORDER BY a.date, series",
        params,
    )


@scoped
def worldwide_streams(store: Store, scope: Scope, filters: Filters | None = None) -> int:
    """Streams of the worldwide territory (public "global" charts) in scope: kept in the
    facts only, never in the country totals of the aggregates (see data/aggregates.py)."""
    f = filters or Filters()
    if f.countries and WORLDWIDE not in f.countries:
        return 0
    cond, params = where(
        scope,
        Filters(f.labels, f.artist_ids, f.date_from, f.date_to),
        catalog_alias="a",
        fact_alias="a",
    )
    row = (
        store.cursor()
        .execute(
            f"SELECT coalesce(sum(a.streams), 0)::BIGINT FROM {rollups.WORLDWIDE_ROWS} a "
            f"WHERE {cond}",
            params,
        )
        .fetchone()
    )
    return int(row[0])


@scoped
def streams_by_country(
    store: Store, scope: Scope, filters: Filters | None = None, isrc: str | None = None
) -> pd.DataFrame:
    """country, streams, active_streams, tracks: totals per country, largest first."""
    if isrc:  # one track: its (track, country) rows are few, sum them by month and day
        rows, params = _per_track_country(scope, filters, isrc)
        return read_df(
            store,
            f"SELECT country, sum(streams)::BIGINT AS streams, coalesce(sum(act), 0)::BIGINT "
            f"AS active_streams, 1 AS tracks FROM ({rows}) GROUP BY country "
            f"ORDER BY streams DESC, country",
            params,
        )
    # Sums per country from the smallest rollup with countries (no track column); tracks per
    # country from the pairs present in the window.
    rollup, cond, params = _read(scope, filters, "country", "context")
    pairs, p_params = _present(scope, filters, per_country=True)
    return read_df(
        store,
        f"SELECT s.country, s.streams, s.active_streams, coalesce(n.tracks, 0) AS tracks FROM ("
        f"SELECT a.country, sum(a.streams)::BIGINT AS streams, "
        f"coalesce(sum({rollup.active('a')}), 0)::BIGINT AS active_streams "
        f"FROM {rollup.relation} a WHERE {cond} GROUP BY a.country) s LEFT JOIN ("
        f"SELECT country, {rollup_months.count_keys('tid', _track_keys(store))} AS tracks "
        f"FROM ({pairs}) GROUP BY country) n ON n.country = s.country "
        f"ORDER BY s.streams DESC, s.country",
        params + p_params,
    )


@scoped
def top_tracks(
    store: Store, scope: Scope, filters: Filters | None = None, limit: int = 100
) -> pd.DataFrame:
    """isrc, track_title, artist_name, label, streams, active_streams, countries: the tracks
    with the most streams in scope and filter."""
    # Sums per track, the top rows first: tracks per day when no country is filtered, else
    # the (track, country) rows by whole month and end days (fewer rows than per day). Then
    # the countries of those tracks only, from the pairs present in the window.
    if (filters or Filters()).countries:
        rows, params = _per_track_country(scope, filters)
    else:
        rollup, cond, params = _read(scope, filters, "isrc", "context")
        rows = (
            f"SELECT a.isrc, a.streams, {rollup.active('a')} AS act FROM {rollup.relation} a "
            f"WHERE {cond}"
        )
    pairs, p_params = _present(scope, filters, per_country=True)
    return read_df(
        store,
        f"WITH top AS ("
        f" SELECT isrc, sum(streams)::BIGINT AS streams, "
        f" coalesce(sum(act), 0)::BIGINT AS active_streams FROM ({rows}) GROUP BY isrc "
        f" ORDER BY streams DESC, isrc LIMIT ?), "
        f"n AS (SELECT p.isrc, count(DISTINCT p.country) AS countries FROM ({pairs}) p "
        f" WHERE p.isrc IN (SELECT isrc FROM top) GROUP BY p.isrc) "
        f"SELECT c.isrc, c.track_title, c.artist_name, c.label, t.streams, t.active_streams, "
        f"coalesce(n.countries, 0) AS countries FROM top t JOIN catalog c ON c.isrc = t.isrc "
        f"LEFT JOIN n ON n.isrc = t.isrc ORDER BY t.streams DESC, c.isrc",
        params + [int(limit)] + p_params,
    )
