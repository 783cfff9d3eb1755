"""Scoped reads of the catalog and trend aggregates: labels, artists, tracks, totals, daily
series, countries and top tracks (the Catalog page and the sidebar filters)."""

# Sums of streams fit BIGINT for any store the ingest bounds allow (docs/spec-bounds.md).

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from data.queries import Filters, read_df, scoped, where
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
    cond, params = where(scope, None)
    row = (
        store.cursor()
        .execute(
            f"SELECT min(a.date), max(a.date) FROM agg_daily a JOIN catalog c USING (isrc) "
            f"WHERE {cond}",
            params,
        )
        .fetchone()
    )
    return row[0], row[1]


# -- Catalog page -----------------------------------------------------------------------
# Every function below joins the facts to the catalog and restricts with `where`, so the
# user's labels are always applied in SQL. They work with (store, scope) alone (defaults)
# so that the scoping test can call them generically.

_ACTIVE_IN = sql_list(ACTIVE_SOURCES)
_SPLITS = {
    "dsp": "a.dsp",
    "context": f"CASE WHEN a.source IN {_ACTIVE_IN} THEN 'active' ELSE 'passive' END",
    "source": "a.source::VARCHAR",
}


def _isrc_cond(isrc: str | None) -> tuple[str, list[Any]]:
    return (" AND c.isrc = ?", [isrc]) if isrc else ("", [])


@scoped
def countries(store: Store, scope: Scope) -> pd.DataFrame:
    """country, streams: every country with streams for the user's labels, largest first."""
    cond, params = where(scope, None)
    return read_df(
        store,
        f"SELECT a.country, sum(a.streams)::BIGINT AS streams FROM agg_daily a "
        f"JOIN catalog c ON c.isrc = a.isrc WHERE {cond} GROUP BY a.country "
        f"ORDER BY streams DESC, a.country",
        params,
    )


@scoped
def stream_totals(store: Store, scope: Scope, filters: Filters | None = None) -> pd.DataFrame:
    """One row: streams, active_streams, tracks, artists, countries, days in scope and filter."""
    cond, params = where(scope, filters, fact_alias="a")
    return read_df(
        store,
        f"SELECT coalesce(sum(a.streams), 0)::BIGINT AS streams, "
        f"coalesce(sum(a.streams) FILTER (WHERE a.source IN {_ACTIVE_IN}), 0)::BIGINT "
        f"AS active_streams, count(DISTINCT a.isrc) AS tracks, "
        f"count(DISTINCT c.artist_id) AS artists, count(DISTINCT a.country) AS countries, "
        f"count(DISTINCT a.date) AS days "
        f"FROM agg_daily a JOIN catalog c ON c.isrc = a.isrc WHERE {cond}",
        params,
    )


@scoped
def listener_totals(store: Store, scope: Scope, filters: Filters | None = None) -> pd.DataFrame:
    """One row: listeners (distinct ids) and identified_streams (streams that carry an id).

    Only some DSP rows carry a listener id, so `listeners` counts the listeners we know of;
    identified_streams = 0 means listeners are unknown for this filter.
    """
    cond, params = where(scope, filters, fact_alias="t")
    return read_df(
        store,
        f"SELECT count(DISTINCT t.listener_id) AS listeners, "
        f"coalesce(sum(t.streams), 0)::BIGINT AS identified_streams "
        f"FROM trend_facts t JOIN catalog c ON c.isrc = t.isrc "
        f"WHERE t.listener_id IS NOT NULL AND {cond}",
        params,
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
    cond, params = where(scope, filters, fact_alias="a")
    extra, extra_params = _isrc_cond(isrc)
    return read_df(
        store,
        f"SELECT a.date, {_SPLITS[split]} AS series, sum(a.streams)::BIGINT AS streams "
        f"FROM agg_daily a JOIN catalog c ON c.isrc = a.isrc WHERE {cond}{extra} "
        f"GROUP BY ALL ORDER BY a.date, series",
        params + extra_params,
    )


@scoped
def worldwide_streams(store: Store, scope: Scope, filters: Filters | None = None) -> int:
    """Streams of the worldwide territory (public "global" charts) in scope: kept in the
    facts only, never in the country totals of the aggregates (see data/aggregates.py)."""
    cond, params = where(scope, filters, fact_alias="t")
    row = (
        store.cursor()
        .execute(
            f"SELECT coalesce(sum(t.streams), 0)::BIGINT FROM trend_facts t "
            f"JOIN catalog c ON c.isrc = t.isrc WHERE t.country = '{WORLDWIDE}' AND {cond}",
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
    cond, params = where(scope, filters, fact_alias="a")
    extra, extra_params = _isrc_cond(isrc)
    return read_df(
        store,
        f"SELECT a.country, sum(a.streams)::BIGINT AS streams, "
        f"coalesce(sum(a.streams) FILTER (WHERE a.source IN {_ACTIVE_IN}), 0)::BIGINT "
        f"AS active_streams, count(DISTINCT a.isrc) AS tracks "
        f"FROM agg_daily a JOIN catalog c ON c.isrc = a.isrc WHERE {cond}{extra} "
        f"GROUP BY a.country ORDER BY streams DESC, a.country",
        params + extra_params,
    )


@scoped
def top_tracks(
    store: Store, scope: Scope, filters: Filters | None = None, limit: int = 100
) -> pd.DataFrame:
    """isrc, track_title, artist_name, label, streams, active_streams, countries: the tracks
    with the most streams in scope and filter."""
    cond, params = where(scope, filters, fact_alias="a")
    # Aggregate per (track, country) first, then per track, and join the titles to the top
    # rows only: ~2x faster than one GROUP BY over the text columns with count(DISTINCT).
    return read_df(
        store,
        f"WITH per_country AS ("
        f" SELECT a.isrc, a.country, sum(a.streams) AS streams, "
        f" coalesce(sum(a.streams) FILTER (WHERE a.source IN {_ACTIVE_IN}), 0) AS active "
        f" FROM agg_daily a JOIN catalog c ON c.isrc = a.isrc WHERE {cond} "
        f" GROUP BY a.isrc, a.country), "
        f"top AS ("
        f" SELECT isrc, sum(streams)::BIGINT AS streams, sum(active)::BIGINT AS active_streams, "
        f" count(*) AS countries FROM per_country GROUP BY isrc "
        f" ORDER BY streams DESC, isrc LIMIT ?) "
        f"SELECT c.isrc, c.track_title, c.artist_name, c.label, t.streams, t.active_streams, "
        f"t.countries FROM top t JOIN catalog c ON c.isrc = t.isrc "
        f"ORDER BY t.streams DESC, c.isrc",
        params + [int(limit)],
    )
