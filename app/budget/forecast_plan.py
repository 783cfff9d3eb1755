"""The track's stream forecast with and without the budget plan being edited, for the
Territory budgets page. The plan's expected incremental streams (per territory, from the
response curves or the all-campaign response) are spread evenly over the campaign days and
added to the stored forecast's quantiles (analytics.forecast.with_plan). No SQL here."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go

from analytics.forecast.plan import with_plan
from app import charts
from app.forecast import view as fv
from app.widgets import plot_text
from data.scope import Scope

DEFAULT_DAYS = 28


@dataclass(frozen=True)
class PlanForecast:
    history: pd.DataFrame  # date, streams
    baseline: pd.DataFrame  # date, p10, p50, p90: the stored forecast
    planned: pd.DataFrame  # the same days with the plan's increments added
    baseline_total: tuple[float, float, float]  # the stored horizon total (p10, p50, p90)
    added: float  # the plan's expected streams that fall inside the forecast horizon
    outside: float  # and those after its last day (not shown)


def increments(rows: pd.DataFrame, start: dt.date, days: int) -> pd.DataFrame:
    """date, territory, incremental_streams: each planned territory's expected streams
    (`rows`: country, expected_streams) spread evenly over `days` days from `start`."""
    if days < 1:
        raise ValueError("a campaign lasts at least one day")
    active = rows[pd.to_numeric(rows["expected_streams"], errors="coerce").fillna(0) > 0]
    dates = pd.date_range(pd.Timestamp(start), periods=days, freq="D")
    out = [
        (d, country, float(expected) / days)
        for country, expected in zip(active["country"], active["expected_streams"], strict=True)
        for d in dates
    ]
    return pd.DataFrame(out, columns=["date", "territory", "incremental_streams"])


def plan_forecast(
    scope: Scope, isrc: str, rows: pd.DataFrame, start: dt.date, days: int
) -> PlanForecast | None:
    """The forecast with the plan's increments, or None when the track has no forecast."""
    fan = fv.track_fan(scope, isrc)
    if fan is None:
        return None
    inc = increments(rows, start, days)
    horizon = pd.to_datetime(fan.daily["date"])
    inside = inc["date"].between(horizon.min(), horizon.max())
    return PlanForecast(
        history=fan.history,
        baseline=fan.daily,
        planned=with_plan(fan.daily, inc),
        baseline_total=fan.total,
        added=float(inc.loc[inside, "incremental_streams"].sum()),
        outside=float(inc.loc[~inside, "incremental_streams"].sum()),
    )


def figure(pf: PlanForecast, subject: str) -> go.Figure:
    """Streams per day: history, the forecast's median and 80 % band, and the median with
    the plan."""
    b, p = pf.baseline, pf.planned
    fig = go.Figure()
    fig.add_trace(charts.band_trace(b["date"], b["p10"], b["p90"], "80 % interval, no plan"))
    fig.add_trace(
        charts.streams_line(pf.history["date"], pf.history["streams"], "Streams", charts.PALETTE[5])
    )
    fig.add_trace(
        charts.streams_line(
            b["date"], b["p50"], "Forecast, no plan", charts.PALETTE[0], dash="dash", what="median"
        )
    )
    fig.add_trace(
        charts.streams_line(p["date"], p["p50"], "Forecast with the plan", charts.PALETTE[2])
    )
    return charts.streams_layout(
        fig, f"Stream forecast with and without the plan: {plot_text(subject)}"
    )


def totals_table(pf: PlanForecast) -> pd.DataFrame:
    """The forecast horizon's total streams without and with the plan (80 % interval)."""
    p10, p50, p90 = pf.baseline_total
    days = len(pf.baseline)
    rows = [
        ("Without the plan", p10, p50, p90),
        ("With the plan", p10 + pf.added, p50 + pf.added, p90 + pf.added),
    ]
    out = pd.DataFrame(rows, columns=["forecast", "low", "expected", "high"])
    out[["low", "expected", "high"]] = out[["low", "expected", "high"]].round(0)
    out.insert(1, "days", days)
    return out


def horizon(scope: Scope, isrc: str) -> tuple[dt.date, dt.date] | None:
    """The first and last forecast day of the track, or None when it has no forecast."""
    fan = fv.track_fan(scope, isrc)
    if fan is None:
        return None
    days = pd.to_datetime(fan.daily["date"])
    return days.min().date(), days.max().date()
