"""Scoped reads of the forecast feature's persisted results (see data/migrations/015).

Scope policy: a track's forecast is returned only when the track is in scope (joined to the
catalog); an artist's forecast is its total within each label, so only the label totals of
labels in scope are returned and summed: another label's tracks of a shared artist never
contribute. Summing the quantiles of several series (an artist over labels, a portfolio)
treats their errors as moving together: a wide, cautious interval. A single series' total
is stored with its own interval, calibrated on held-out totals.
"""

from __future__ import annotations

import pandas as pd

from data import rollups
from data.queries import Filters, model_where, read_df, scoped, where
from data.scope import Scope
from data.store import Store

_TOTALS = (
    "sum(s.total_p10) AS total_p10, sum(s.total_p50) AS total_p50, sum(s.total_p90) AS total_p90"
)


@scoped
def forecast_tracks(store: Store, scope: Scope, filters: Filters | None = None) -> pd.DataFrame:
    """isrc, track_title, artist_id, artist_name, label, days_of_data, young, total_p10,
    total_p50, total_p90: every forecast track in scope and the label / artist filters,
    largest expected total first."""
    cond, params = model_where(scope, filters)
    return read_df(
        store,
        f"SELECT s.isrc, c.track_title, c.artist_id, c.artist_name, c.label, s.days_of_data, "
        f"s.young, s.total_p10, s.total_p50, s.total_p90 FROM forecast_series s "
        f"JOIN catalog c USING (isrc) WHERE s.kind = 'track' AND {cond} "
        f"ORDER BY s.total_p50 DESC, s.isrc",
        params,
    )


@scoped
def forecast_artists(store: Store, scope: Scope, filters: Filters | None = None) -> pd.DataFrame:
    """artist_id, artist_name, total_p10, total_p50, total_p90: every artist with a forecast
    total in a label in scope and filter (labels in scope summed), largest first."""
    cond, params = model_where(scope, filters, catalog_alias="s")
    return read_df(
        store,
        f"SELECT s.artist_id, any_value(c.artist_name) AS artist_name, {_TOTALS} "
        f"FROM forecast_series s JOIN (SELECT DISTINCT artist_id, artist_name, label "
        f"FROM catalog) c ON c.artist_id = s.artist_id AND c.label = s.label "
        f"WHERE s.kind = 'artist' AND {cond} GROUP BY s.artist_id "
        f"ORDER BY total_p50 DESC, s.artist_id",
        params,
    )


@scoped
def forecast_track_daily(store: Store, scope: Scope, isrc: str) -> pd.DataFrame:
    """date, p10, p50, p90: the in-scope track's daily forecast (empty when out of scope or
    not forecast)."""
    cond, params = where(scope, None)
    return read_df(
        store,
        f"SELECT d.date, d.p10, d.p50, d.p90 FROM forecast_daily d "
        f"JOIN catalog c ON c.isrc = d.series_id WHERE d.series_id = ? AND {cond} "
        f"ORDER BY d.date",
        [isrc, *params],
    )


@scoped
def forecast_artist_daily(store: Store, scope: Scope, artist_id: str) -> pd.DataFrame:
    """date, p10, p50, p90: the artist's daily forecast total over its labels in scope."""
    cond, params = where(scope, None, catalog_alias="s")
    return read_df(
        store,
        f"SELECT d.date, sum(d.p10) AS p10, sum(d.p50) AS p50, sum(d.p90) AS p90 "
        f"FROM forecast_daily d JOIN forecast_series s USING (series_id) "
        f"WHERE s.kind = 'artist' AND s.artist_id = ? AND {cond} "
        f"AND EXISTS (SELECT 1 FROM catalog k WHERE k.artist_id = s.artist_id "
        f"AND k.label = s.label) GROUP BY d.date ORDER BY d.date",
        [artist_id, *params],
    )


@scoped
def forecast_track_status(store: Store, scope: Scope, isrc: str) -> pd.DataFrame:
    """One row for an in-scope catalogue track: isrc, track_title, artist_name, days_of_data
    (NULL when not forecast), young, total_p10, total_p50, total_p90. Empty when the track
    is unknown or out of scope."""
    cond, params = where(scope, None)
    return read_df(
        store,
        f"SELECT c.isrc, c.track_title, c.artist_name, s.days_of_data, s.young, "
        f"s.total_p10, s.total_p50, s.total_p90 FROM catalog c "
        f"LEFT JOIN forecast_series s ON s.series_id = c.isrc WHERE c.isrc = ? AND {cond}",
        [isrc, *params],
    )


@scoped
def forecast_portfolio_total(
    store: Store, scope: Scope, filters: Filters | None = None
) -> pd.DataFrame:
    """One row: tracks, total_p10, total_p50, total_p90 over the forecast tracks in scope and
    the label / artist filters (the coming quarter's expected streams)."""
    cond, params = model_where(scope, filters)
    return read_df(
        store,
        f"SELECT count(*) AS tracks, {_TOTALS} FROM forecast_series s "
        f"JOIN catalog c USING (isrc) WHERE s.kind = 'track' AND {cond}",
        params,
    )


@scoped
def forecast_track_history(store: Store, scope: Scope, isrc: str, days: int = 90) -> pd.DataFrame:
    """date, streams: the in-scope track's last `days` days of streams (all countries), the
    history drawn before its forecast."""
    cond, params = where(scope, None, catalog_alias="a")
    table = rollups.choose({"label", "isrc", "date"}).relation
    return read_df(
        store,
        f"SELECT a.date, sum(a.streams)::DOUBLE AS streams FROM {table} a "
        f"WHERE a.isrc = ? AND {cond} AND a.date > ({rollups.LAST_DAY}) - ?::INTEGER "
        f"GROUP BY a.date ORDER BY a.date",
        [isrc, *params, int(days)],
    )


@scoped
def forecast_artist_history(
    store: Store, scope: Scope, artist_id: str, days: int = 90
) -> pd.DataFrame:
    """date, streams: the artist's last `days` days of streams over its tracks in scope."""
    cond, params = where(scope, Filters(artist_ids=(artist_id,)), catalog_alias="a")
    table = rollups.choose({"label", "artist_id", "date"}).relation
    return read_df(
        store,
        f"SELECT a.date, sum(a.streams)::DOUBLE AS streams FROM {table} a "
        f"WHERE {cond} AND a.date > ({rollups.LAST_DAY}) - ?::INTEGER "
        f"GROUP BY a.date ORDER BY a.date",
        [*params, int(days)],
    )
