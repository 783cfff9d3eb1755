"""View model of campaign uplift per audience segment: the uplift-by-segment table, the
Qini curve, and the segments that respond to ads as the Territory budgets page lists and
pre-selects them. No Streamlit: tables and figures only."""

from __future__ import annotations

from typing import Any

import pandas as pd

from analytics.campaigns import qini
from app import charts, geo

YES, NO = "Yes", "No"


def group_label(gender: str, age_band: str, subscription: str) -> str:
    """An audience group as the Territory budgets page names it ("female 18-24 premium")."""
    return f"{gender} {age_band} {subscription}"


def segment_table(segments: pd.DataFrame) -> pd.DataFrame:
    """One row per segment: uplift and its 90 % interval in percent, the streams the ads
    added, and whether the whole interval is above zero. Significant segments first, then
    by the streams the ads added: ranked by percent, a segment of 14 expected streams and
    no interval (two campaigns) topped the demo's table at +3,212 %."""
    if segments.empty:
        return pd.DataFrame(
            columns=["territory", "age band", "gender", "subscription", "fan type", "campaigns",
                     "uplift_pct", "low_pct", "high_pct", "incremental_streams",
                     "expected_streams", "significant"]
        )  # fmt: skip
    s = segments.assign(_sig=segments["low"] > 0).sort_values(
        ["_sig", "incremental_streams", "uplift"], ascending=False
    )
    return pd.DataFrame(
        {
            "territory": [f"{geo.country_name(c)} ({c})" for c in s["country"]],
            "age band": s["age_band"].to_numpy(),
            "gender": s["gender"].to_numpy(),
            "subscription": s["subscription"].to_numpy(),
            "fan type": s["fan_type"].to_numpy(),
            "campaigns": s["n_campaigns"].astype(int).to_numpy(),
            "uplift_pct": (100 * s["uplift"]).round(1).to_numpy(),
            "low_pct": (100 * s["low"]).round(1).to_numpy(),
            "high_pct": (100 * s["high"]).round(1).to_numpy(),
            "incremental_streams": s["incremental_streams"].round(0).to_numpy(),
            "expected_streams": s["baseline_streams"].round(0).to_numpy(),
            "significant": [YES if lo > 0 else NO for lo in s["low"]],
        }
    )


def qini_frame(segments: pd.DataFrame) -> pd.DataFrame:
    """The uplift curve of targeting segments by the models' score, against random."""
    return qini.curve(
        segments["score"].to_numpy(),
        segments["incremental_streams"].to_numpy(),
        segments["baseline_streams"].to_numpy(),
    )


def qini_figure(segments: pd.DataFrame) -> Any:
    """Incremental streams captured as more of the audience is targeted, best-scored
    segments first, with random targeting as the diagonal."""
    import plotly.graph_objects as go

    from app.charts import PALETTE

    frame = qini_frame(segments)
    x = 100 * frame["share_targeted"]
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=x, y=frame["incremental"], mode="lines", name="Targeting by the models' uplift",
            line={"color": PALETTE[0]},
            hovertemplate="%{x:.0f}% targeted: %{y:,.0f} streams<extra></extra>",
        )
    )  # fmt: skip
    fig.add_trace(
        go.Scatter(
            x=x, y=frame["random"], mode="lines", name="Random targeting",
            line={"color": PALETTE[8], "dash": "dash"},
            hovertemplate="%{x:.0f}% targeted: %{y:,.0f} streams<extra></extra>",
        )
    )  # fmt: skip
    fig.update_layout(
        title=f"Uplift (Qini) curve: who to target first (Qini coefficient "
        f"{qini.coefficient(frame):,.0f})",
        xaxis_title="Audience targeted (% of the segments' expected streams)",
        yaxis_title="Incremental streams captured (streams)",
        height=360,
        margin={"t": 50, "b": 40, "l": 60, "r": 10},
        legend=charts.LEGEND_TOP,
    )
    return fig


def responsive_table(segments: pd.DataFrame, countries: list[str] | None = None) -> pd.DataFrame:
    """The segments that respond to ads (observed uplift's interval above zero), ranked by
    the models' uplift; in `countries` when given (the territories the page plans)."""
    s = segments[segments["low"] > 0]
    if countries is not None:
        s = s[s["country"].isin(countries)]
    # Ranked by the models' uplift: the observed one of a small segment is mostly noise, and
    # the largest observed values are the luckiest, not the most responsive.
    s = s.sort_values(["score", "incremental_streams"], ascending=False)
    return pd.DataFrame(
        {
            "rank": range(1, len(s) + 1),
            "territory": [f"{geo.country_name(c)} ({c})" for c in s["country"]],
            "audience group": [
                group_label(g, a, u)
                for g, a, u in zip(s["gender"], s["age_band"], s["subscription"], strict=True)
            ],
            "fan type": s["fan_type"].to_numpy(),
            "model_uplift_pct": (100 * s["score"]).round(1).to_numpy(),
            "uplift_pct": (100 * s["uplift"]).round(1).to_numpy(),
            "low_pct": (100 * s["low"]).round(1).to_numpy(),
            "high_pct": (100 * s["high"]).round(1).to_numpy(),
            "campaigns": s["n_campaigns"].astype(int).to_numpy(),
            "country": s["country"].to_numpy(),
        }
    )


def responsive_groups(responsive: pd.DataFrame) -> dict[str, list[str]]:
    """Audience groups per territory from a `responsive_table`, best first (a group listed
    once per territory whatever its fan types)."""
    out: dict[str, list[str]] = {}
    for country, group in zip(responsive["country"], responsive["audience group"], strict=True):
        groups = out.setdefault(country, [])
        if group not in groups:
            groups.append(group)
    return out


def merge_groups(*sources: dict[str, list[str]]) -> dict[str, list[str]]:
    """Audience groups per territory from several sources, in order, without repeats."""
    out: dict[str, list[str]] = {}
    for source in sources:
        for country, groups in source.items():
            out[country] = list(dict.fromkeys([*out.get(country, []), *groups]))
    return out
