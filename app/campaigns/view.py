"""View model of the Campaigns page: the lift table, the observed-versus-counterfactual chart
and where a campaign's spend sat on its territory's response curve (no SQL here: scoped
queries only)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from app import charts, wording
from app.widgets import plot_text

NO_CURVES = "Response curves not computed yet."
NO_BASE = (
    "No curve for this campaign: the territory's curve is a relative lift, and this "
    "campaign has no estimate of its streams without it to scale it by."
)
FLAG_TEXT = {
    "overlap": "overlaps another campaign on the same track and country (estimated jointly)",
    "poor_pre_fit": "the counterfactual fitted the weeks before poorly: read with care",
    "too_little_data": "too little data before the campaign to estimate it",
}


def empty_message(counts: pd.Series) -> str | None:
    """What is missing when the page has no lift to show (None when it has some)."""
    if int(counts["campaigns"]) == 0:
        return (
            "No campaigns of your labels are on this store. Load a campaign history file "
            "(`labelradar campaigns FILE`) and run `labelradar refresh --only campaigns`."
        )
    if int(counts["estimated"]) == 0:
        return (
            f"{int(counts['campaigns']):,} campaigns are loaded but none has a lift yet: run "
            "`labelradar refresh --only campaigns`."
        )
    return None


def lift_rows(lifts: pd.DataFrame) -> pd.DataFrame:
    """The table as shown: rounded figures, P(effect) in %, the flag in words."""
    out = lifts.drop(columns=["counterfactual_streams"]).copy()
    for col in ("incremental_streams", "low", "high", "window_streams"):
        out[col] = out[col].round(0)
    out["p_effect"] = (out["p_effect"] * 100).round(0)
    out["cpa_usd"] = out["cpa_usd"].round(3)
    out["pre_fit_mape"] = (out["pre_fit_mape"] * 100).round(1)
    out["flag"] = out["flag"].map(FLAG_TEXT).fillna("")
    return out


def lift_columns() -> dict[str, Any]:
    num = st.column_config.NumberColumn
    return {
        "campaign_id": st.column_config.TextColumn("Campaign"),
        "track_title": st.column_config.TextColumn("Track"),
        "artist_name": st.column_config.TextColumn("Artist"),
        "label": st.column_config.TextColumn("Label"),
        "isrc": st.column_config.TextColumn("ISRC"),
        "country": st.column_config.TextColumn("Country"),
        "platform": st.column_config.TextColumn("Platform"),
        "start_date": st.column_config.DateColumn("Start"),
        "end_date": st.column_config.DateColumn("End"),
        "spend_usd": num("Spend", format="dollar"),
        "incremental_streams": num("Streams added", format="localized"),
        "low": num("90 % low", format="localized"),
        "high": num("90 % high", format="localized"),
        "p_effect": wording.column("p_effect", format="%.0f"),
        "cpa_usd": wording.column("cpa_usd", format="%.3f"),
        "window_streams": num(
            "Window alone",
            format="localized",
            help="The campaign window's own estimate (observed minus the forecast without "
            "the campaign), before pooling with the territory's other campaigns",
        ),
        "pre_fit_mape": wording.column("pre_fit_mape", format="%.1f"),
        "flag": st.column_config.TextColumn("Note"),
    }


def summary_text(row: pd.Series) -> str:
    """One markdown sentence on a campaign's result (figures only; names go through md() by
    the caller)."""
    if pd.isna(row["incremental_streams"]):
        return "Not estimable: " + FLAG_TEXT["too_little_data"] + "."
    # amounts as "USD n": a dollar sign pair would be read as math by markdown
    cpa = "" if pd.isna(row["cpa_usd"]) else f", about USD {row['cpa_usd']:.3f} per added stream"
    text = (
        f"USD {row['spend_usd']:,.0f} added {row['incremental_streams']:,.0f} streams (90 % "
        f"interval {row['low']:,.0f} – {row['high']:,.0f}); the chance it added any is "
        f"{row['p_effect'] * 100:.0f} %{cpa}."
    )
    if isinstance(row["flag"], str) and row["flag"] in FLAG_TEXT:
        text += f" Note: {FLAG_TEXT[row['flag']]}."
    return text


def lift_figure(daily: pd.DataFrame, row: pd.Series) -> go.Figure:
    """Streams per day in the campaign's country: observed, the counterfactual (in-sample
    before the campaign, forecast during it) and its 90 % band."""
    d = daily.copy()
    d["date"] = pd.to_datetime(d["date"])
    win = d.dropna(subset=["low", "high"])
    fig = go.Figure()
    fig.add_trace(
        charts.band_trace(win["date"], win["low"], win["high"], "Without the campaign: 90 % band")
    )
    fig.add_trace(
        charts.streams_line(
            d["date"],
            d["counterfactual"],
            "Without the campaign (expected)",
            charts.PALETTE[0],
            dash="dash",
            what="expected",
        )
    )
    fig.add_trace(charts.streams_line(d["date"], d["observed"], "Observed", charts.PALETTE[5]))
    fig.add_vrect(
        x0=pd.Timestamp(row["start_date"]),
        x1=pd.Timestamp(row["end_date"]),
        fillcolor="rgba(0,0,0,0.05)",
        line_width=0,
    )
    return charts.streams_layout(
        fig,
        f"Campaign {plot_text(row['campaign_id'])} in {plot_text(row['country'])}: "
        "observed vs without the campaign",
    )


def daily_table(daily: pd.DataFrame) -> pd.DataFrame:
    out = daily[["date", "observed", "counterfactual", "low", "high"]].copy()
    out["date"] = pd.to_datetime(out["date"]).dt.date
    return out.round({"observed": 0, "counterfactual": 1, "low": 1, "high": 1})


# -- the territory's response curve ----------------------------------------------------------
def curve_points(
    rows: pd.DataFrame, max_spend: float, base_streams: float | None = None
) -> pd.DataFrame:
    """spend_usd, expected_streams points of a territory's response curve from the rows of
    `territory_response`: used as they are when the rows are points already, else evaluated
    from Hill parameters (ceiling, half-saturation spend, exponent). A ceiling in streams
    (`ceiling_streams`) is used as it is; the stored `ceiling` is relative (incremental over
    counterfactual streams at saturation, pooled over campaigns of every size), so it is
    scaled by `base_streams`, the campaign's own streams without it. Empty when neither."""
    cols = set(rows.columns)
    if rows.empty:
        return pd.DataFrame(columns=["spend_usd", "expected_streams"])
    if {"spend_usd", "expected_streams"} <= cols:
        return rows[["spend_usd", "expected_streams"]].sort_values("spend_usd")
    r = rows.iloc[0]
    if "ceiling_streams" in cols:
        ceiling = float(r["ceiling_streams"])
    elif "ceiling" in cols and base_streams is not None and np.isfinite(base_streams):
        ceiling = float(r["ceiling"]) * float(base_streams)
    else:
        return pd.DataFrame(columns=["spend_usd", "expected_streams"])
    if "half_saturation_usd" not in cols:
        return pd.DataFrame(columns=["spend_usd", "expected_streams"])
    k = float(r["hill"]) if "hill" in cols and pd.notna(r["hill"]) else 1.0
    spend = np.linspace(0.0, max(max_spend, 3 * float(r["half_saturation_usd"])), 60)
    half = max(float(r["half_saturation_usd"]), 1e-9)
    streams = ceiling * spend**k / (half**k + spend**k)
    return pd.DataFrame({"spend_usd": spend, "expected_streams": streams})


def curve_caption(base_streams: float) -> str:
    """How the territory's relative curve became streams (plain text, no data strings)."""
    return (
        "The territory's response curve is pooled over every label's campaigns there, as a "
        "share of the streams a campaign's track would have had without it; here it is "
        f"scaled to this campaign's {base_streams:,.0f} streams without it. The circle is "
        "what the curve expects at this spend, the cross what this campaign added."
    )


def spend_on_curve_figure(
    curve: pd.DataFrame, spend_usd: float, incremental_streams: float | None, country: str
) -> go.Figure:
    """The territory's response curve (spend_usd -> expected_streams) with this campaign's
    spend marked on it, and its own estimated lift beside it when there is one."""
    c = curve.sort_values("spend_usd")
    on_curve = float(np.interp(spend_usd, c["spend_usd"], c["expected_streams"]))
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=c["spend_usd"],
            y=c["expected_streams"],
            mode="lines",
            name="Response curve",
            line={"color": charts.PALETTE[0], "width": 2},
            hovertemplate="$%{x:,.0f}<br>%{y:,.0f} streams<extra></extra>",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=[spend_usd],
            y=[on_curve],
            mode="markers",
            name="This campaign's spend",
            marker={"size": 12, "color": charts.PALETTE[5]},
            hovertemplate="$%{x:,.0f}<br>curve: %{y:,.0f} streams<extra></extra>",
        )
    )
    if incremental_streams is not None and np.isfinite(incremental_streams):
        fig.add_trace(
            go.Scatter(
                x=[spend_usd],
                y=[incremental_streams],
                mode="markers",
                name="Its estimated lift",
                marker={"size": 10, "symbol": "x", "color": charts.PALETTE[2]},
                hovertemplate="$%{x:,.0f}<br>estimated %{y:,.0f} streams<extra></extra>",
            )
        )
    fig.update_layout(
        title={"text": f"Where the spend sat on the {plot_text(country)} response curve"},
        xaxis={"title": {"text": "Spend (USD)"}, "rangemode": "tozero"},
        yaxis={"title": {"text": "Incremental streams"}, "rangemode": "tozero"},
        legend=charts.LEGEND_TOP,
        margin={"l": 10, "r": 10, "t": 60, "b": 10},
        height=340,
    )
    return fig
