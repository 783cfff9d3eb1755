"""Batch reads and writes of the Today job (unscoped: it ranks the whole catalogue).

Every input is what another job persisted (response curves, potential streams, alerts and
their events, forecasts, fan mixes, campaign uplift), plus the tracks' recent streams per
territory the budget job keeps; nothing here reads the facts."""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd

from data.results import replace_table

RECENT_DAYS = 90  # removals and releases older than this are no longer today's business


def _df(cur: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> pd.DataFrame:
    return cur.execute(sql, params or []).df()


def response(cur: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return _df(cur, "SELECT * FROM territory_response ORDER BY country, platform")


def potential(cur: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """similar_potential rows: artist_id, label, country, actual, expected, low, high, gap."""
    return _df(
        cur,
        "SELECT artist_id, label, country, actual, expected, low, high, gap, ratio "
        "FROM similar_potential ORDER BY artist_id, label, country",
    )


def track_country(cur: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return _df(cur, "SELECT isrc, country, streams_28d FROM budget_track_country ORDER BY ALL")


def catalog(cur: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return _df(
        cur,
        "SELECT isrc, track_title, artist_id, artist_name, label FROM catalog ORDER BY isrc",
    )


def removals(cur: duckdb.DuckDBPyConnection, since: dt.date) -> pd.DataFrame:
    """Track drops since `since` whose cause is a playlist (removal from it)."""
    return _df(
        cur,
        "SELECT isrc, event_date, observed, expected, cause FROM alerts "
        "WHERE subject = 'track' AND kind = 'drop' AND event_date >= ? "
        "AND (cause_dimension = 'playlist_id' OR cause ILIKE '%playlist removal%') "
        "ORDER BY event_date DESC, isrc",
        [since],
    )


def releases(cur: duckdb.DuckDBPyConnection, since: dt.date) -> pd.DataFrame:
    """isrc, date: the tracks of release events since `since`, and those of a day's new
    entries (a release that came out on a day with other artists' releases is grouped
    there, and is no less a release to promote)."""
    return _df(
        cur,
        "SELECT unnest(tracks) AS isrc, date FROM alert_events "
        "WHERE scope IN ('release', 'entries') AND date >= ? ORDER BY date DESC, isrc",
        [since],
    )


def forecast(cur: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """isrc, total_p10/p50/p90 over the horizon and horizon_days, per track."""
    return _df(
        cur,
        "SELECT s.isrc, s.total_p10, s.total_p50, s.total_p90, "
        "(SELECT count(*) FROM forecast_daily d WHERE d.series_id = s.series_id)::DOUBLE "
        "AS horizon_days FROM forecast_series s WHERE s.kind = 'track' ORDER BY s.isrc",
    )


def passive(cur: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """artist_id, label, share: the passive fan type's share per artist unit."""
    return _df(
        cur,
        "SELECT artist_id, label, share FROM fan_mix WHERE profile = 'passive' ORDER BY ALL",
    )


def uplift(cur: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return _df(cur, "SELECT * FROM campaign_uplift ORDER BY ALL")


def min_campaign_spend(cur: duckdb.DuckDBPyConnection) -> float:
    """The smallest spend of a past campaign with a measured lift (0 without one)."""
    row = cur.execute("SELECT min(spend_usd) FROM campaign_lift").fetchone()
    return float(row[0] or 0.0)


def data_span(cur: duckdb.DuckDBPyConnection) -> tuple[dt.date | None, float]:
    """(last day of the daily aggregate, number of days it covers)."""
    first, last = cur.execute("SELECT min(date), max(date) FROM agg_daily").fetchone()
    if last is None:
        return None, 0.0
    return last, float((last - first).days + 1)


def replace(cur: duckdb.DuckDBPyConnection, run_id: int, ranked: pd.DataFrame) -> None:
    """Replace today_opportunities (inside the job's transaction)."""
    replace_table(cur, "today_opportunities", ranked, run_id)
