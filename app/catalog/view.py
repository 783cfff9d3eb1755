"""View models of the Catalog page: KPI cards against the previous period, top tracks and
streams per country, ready to show."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from analytics.catalog import kpis
from app.services import query
from data.queries import Filters
from data.queries import catalog as catalog_queries
from data.scope import Scope


@dataclass(frozen=True)
class CatalogKpis:
    streams: kpis.Change
    listeners: kpis.Change  # current None when no listener ids exist in the window
    active_share: kpis.Change  # pct is the change in percentage points / 100
    tracks: kpis.Change
    previous_from: dt.date | None
    previous_to: dt.date | None


def previous_filters(filters: Filters) -> Filters | None:
    """The same filters over the previous period of equal length."""
    if filters.date_from is None or filters.date_to is None:
        return None
    prev_from, prev_to = kpis.previous_period(filters.date_from, filters.date_to)
    return Filters(
        labels=filters.labels,
        artist_ids=filters.artist_ids,
        date_from=prev_from,
        date_to=prev_to,
        countries=filters.countries,
    )


def catalog_kpis(scope: Scope, filters: Filters) -> CatalogKpis:
    """KPI cards: this period and the previous period of equal length."""
    now = query(catalog_queries.stream_totals, scope, filters).iloc[0]
    now_l = query(catalog_queries.listener_totals, scope, filters).iloc[0]
    prev_f = previous_filters(filters)
    if prev_f is not None:
        prev = query(catalog_queries.stream_totals, scope, prev_f).iloc[0]
        prev_l = query(catalog_queries.listener_totals, scope, prev_f).iloc[0]
    else:
        prev = prev_l = None

    def val(row: pd.Series | None, col: str) -> float | None:
        return None if row is None else float(row[col])

    # No listener at all means no row carries an id (unknown), not an audience of zero.
    listeners_now = float(now_l["listeners"]) if now_l["listeners"] > 0 else None
    listeners_prev = (
        float(prev_l["listeners"]) if prev_l is not None and prev_l["listeners"] > 0 else None
    )
    share_now = kpis.share(now["active_streams"], now["streams"])
    share_prev = None if prev is None else kpis.share(prev["active_streams"], prev["streams"])
    share_delta = None if share_now is None or share_prev is None else share_now - share_prev
    return CatalogKpis(
        streams=kpis.compare(val(now, "streams"), val(prev, "streams")),
        listeners=kpis.compare(listeners_now, listeners_prev),
        active_share=kpis.Change(share_now, share_prev, share_delta),
        tracks=kpis.compare(val(now, "tracks"), val(prev, "tracks")),
        previous_from=prev_f.date_from if prev_f else None,
        previous_to=prev_f.date_to if prev_f else None,
    )


def top_tracks(scope: Scope, filters: Filters, limit: int = 100) -> pd.DataFrame:
    """Top tracks with share of streams and active share, ready to show."""
    df = query(catalog_queries.top_tracks, scope, filters, limit=limit)
    total = float(query(catalog_queries.stream_totals, scope, filters).iloc[0]["streams"]) or 1.0
    out = pd.DataFrame(
        {
            "rank": range(1, len(df) + 1),
            "track": df["track_title"],
            "artist": df["artist_name"],
            "label": df["label"],
            "streams": df["streams"],
            "share_pct": 100.0 * df["streams"] / total,
            "active_pct": 100.0 * df["active_streams"] / df["streams"].where(df["streams"] > 0),
            "countries": df["countries"],
            "isrc": df["isrc"],
        }
    )
    return out


def worldwide_note(scope: Scope, filters: Filters) -> str | None:
    """The worldwide chart streams, said apart from the map (None when there are none)."""
    n = query(catalog_queries.worldwide_streams, scope, filters)
    if not n:
        return None
    return (
        f"Worldwide (global chart, territory XW): {n:,} streams. They repeat the countries' "
        "streams, so the map and country totals leave them out."
    )


def country_streams(scope: Scope, filters: Filters, isrc: str | None = None) -> pd.DataFrame:
    """Streams per country with names and positions, largest first."""
    from app import geo  # local: keeps countryinfo off the import path of light callers

    df = query(catalog_queries.streams_by_country, scope, filters, isrc=isrc)
    total = float(df["streams"].sum()) or 1.0
    df = geo.with_positions(df)
    df["share_pct"] = 100.0 * df["streams"] / total
    df["active_pct"] = 100.0 * df["active_streams"] / df["streams"].where(df["streams"] > 0)
    return df
