"""View model of the forecasts: the fan chart, the daily-quantiles table and the quarter's
expected streams (no SQL here: scoped queries only)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
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
    # an artist's: (forecast tracks, their p50 totals summed), the Catalog's quarter figure
    tracks_out: tuple[int, float] | None = None


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
    one = Filters(artist_ids=(artist_id,))
    totals = services.query(queries.forecast_artists, scope, one)
    history = services.query(queries.forecast_artist_history, scope, artist_id)
    tracks = services.query(queries.forecast_portfolio_total, scope, one)
    return Fan(history, daily, _stored_total(totals), tracks_out_of(tracks))


def tracks_out_of(portfolio: pd.DataFrame) -> tuple[int, float]:
    """(tracks, their p50 totals summed) from a `forecast_portfolio_total` answer."""
    row = portfolio.iloc[0]
    summed = row["total_p50"]
    return int(row["tracks"]), 0.0 if pd.isna(summed) else float(summed)


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


def tracks_out_text(fan: Fan) -> str | None:
    """How an artist's own forecast relates to the sum of its tracks' (the Catalog's quarter
    figure). They answer different questions: the artist's own forecast models its whole
    total, which takes in tracks not out yet, as its past totals did; the tracks' sum counts
    the tracks out today. In bench/forecast_artist_totals.py 14-19 % of an artist's next 90
    days came from tracks not forecast at the cut-off. Scaling the tracks to the artist's
    forecast (to make the two agree) made the track forecasts worse (median error 0.06 ->
    0.11 on synthetic worlds, 0.12 -> 0.18 on the real charts), so both are shown, named."""
    if fan.tracks_out is None:
        return None
    n, summed = fan.tracks_out
    if n == 0:
        return (
            "None of its tracks has a forecast of its own yet (a track needs a week of "
            "streams): the artist forecast above is its only one."
        )
    own = fan.total[1]
    gap = own / summed - 1.0 if summed > 0 else float("nan")
    whole = "the artist's whole total, tracks still to come included"
    if np.isfinite(gap) and gap >= 0.005:
        compare = f"The artist forecast is {gap:.0%} higher: it models {whole}."
    elif np.isfinite(gap) and gap <= -0.005:
        compare = f"The artist forecast is {-gap:.0%} lower; it models {whole}, fitted apart."
    else:
        compare = f"The artist forecast, which models {whole}, agrees."
    return (
        f"Its tracks out today ({n:,}) are expected to stream {summed:,.0f} over the same "
        f"days (the Catalog's figure, their median forecasts summed). {compare}"
    )


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
        f"{int(row['tracks']):,} tracks under the label and artist filters with at least a "
        "week of data. Tracks still to come are not in it; an artist's own forecast "
        "(Forecasts) counts them."
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
