"""View model of the forecasts: the fan chart, the daily-quantiles table and the quarter's
expected streams (no SQL here: scoped queries only)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from app import charts, services, widgets, wording
from app.widgets import plot_text
from data.queries import Filters
from data.queries import forecast as queries
from data.scope import Scope


@dataclass(frozen=True)
class Fan:
    history: pd.DataFrame  # date, streams
    daily: pd.DataFrame  # date, p10, p50, p90
    total: tuple[float, float, float]  # the stored horizon total's p10, p50, p90


def _stored_total(row: pd.DataFrame) -> tuple[float, float, float]:
    p10, p50, p90 = (float(row[f"total_{q}"].iloc[0]) for q in ("p10", "p50", "p90"))
    return p10, p50, p90


def track_fan(scope: Scope, isrc: str) -> Fan | None:
    """The track's history and forecast, or None when it has no forecast in scope."""
    daily = services.query(queries.forecast_track_daily, scope, isrc)
    if daily.empty:
        return None
    total = _stored_total(services.query(queries.forecast_track_status, scope, isrc))
    return Fan(services.query(queries.forecast_track_history, scope, isrc), daily, total)


def artist_fan(scope: Scope, artist_id: str) -> Fan | None:
    """The artist's history and forecast total (its tracks in scope), or None."""
    daily = services.query(queries.forecast_artist_daily, scope, artist_id)
    if daily.empty:
        return None
    totals = services.query(queries.forecast_artists, scope, Filters(artist_ids=(artist_id,)))
    history = services.query(queries.forecast_artist_history, scope, artist_id)
    return Fan(history, daily, _stored_total(totals))


def fan_figure(fan: Fan, subject: str) -> go.Figure:
    """Streams per day: the recent history, the median forecast and its 80 % band."""
    d = fan.daily
    fig = go.Figure()
    fig.add_trace(charts.band_trace(d["date"], d["p10"], d["p90"], "80 % interval (p10–p90)"))
    fig.add_trace(
        charts.streams_line(
            fan.history["date"], fan.history["streams"], "Streams", charts.PALETTE[5]
        )
    )
    fig.add_trace(
        charts.streams_line(
            d["date"],
            d["p50"],
            "Forecast (median)",
            charts.PALETTE[0],
            dash="dash",
            what="median",
        )
    )
    return charts.streams_layout(fig, f"Stream forecast, next {len(d)} days: {plot_text(subject)}")


def quantiles_table(daily: pd.DataFrame) -> pd.DataFrame:
    """The daily quantiles as shown and downloaded: date, p10, p50, p90 (whole streams)."""
    out = daily[["date", "p10", "p50", "p90"]].copy()
    out["date"] = pd.to_datetime(out["date"]).dt.date
    out[["p10", "p50", "p90"]] = out[["p10", "p50", "p90"]].round(0)
    return out


def quantile_columns() -> dict[str, Any]:
    return {
        "date": st.column_config.DateColumn("Date"),
        "p10": wording.column("p10", format="localized"),
        "p50": wording.column("p50", format="localized"),
        "p90": wording.column("p90", format="localized"),
    }


def total_text(total: tuple[float, float, float]) -> str:
    """'123,456 streams (80 % interval 100,000 – 150,000)' of a stored horizon total (its
    interval is calibrated on held-out totals, not the sum of the daily quantiles)."""
    p10, p50, p90 = total
    return f"{p50:,.0f} streams (80 % interval {p10:,.0f} – {p90:,.0f})"


def quarter_total(scope: Scope, filters: Filters) -> pd.Series | None:
    """tracks, total_p10, total_p50, total_p90 of the forecast tracks in scope and filter,
    or None when no forecast has been computed or none of them is forecast."""
    if services.model_run("forecast") is None:
        return None
    row = services.query(queries.forecast_portfolio_total, scope, filters).iloc[0]
    return None if int(row["tracks"]) == 0 else row


def quarter_text(row: pd.Series) -> str:
    """The Catalog's line on the coming quarter, from `quarter_total`."""
    return (
        f"Expected streams, next 90 days: {row['total_p50']:,.0f} (80 % interval "
        f"{row['total_p10']:,.0f} – {row['total_p90']:,.0f}), median forecast of the "
        f"{int(row['tracks'])} tracks under the label and artist filters with at least a "
        "week of data."
    )


def draw_track_fan(scope: Scope, isrc: str, subject: str, key: str) -> None:
    """The fan chart of a track, its 90-day total and the CSV of its daily quantiles (or a
    note when the track has no forecast): the Catalog drill-down's small hand-off."""
    fan = track_fan(scope, isrc)
    if fan is None:
        st.caption("No forecast for this track: it needs at least a week of streams.")
        return
    st.plotly_chart(fan_figure(fan, subject), key=f"{key}_fan")
    st.caption(f"Next {len(fan.daily)} days: {total_text(fan.total)}.")
    widgets.csv_download(
        quantiles_table(fan.daily),
        f"forecast-{isrc}",
        key=f"{key}_csv",
        label="Download daily quantiles (CSV)",
    )
