"""The Data health page's view model: the issues table and the coverage heatmap."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from app import services, wording
from data.queries import health as health_queries
from data.scope import Scope

KIND_TITLES = {
    "missing_day": "Missing day",
    "partial_day": "Partial day",
    "duplicate": "Duplicate delivery",
    "late": "Late delivery",
}


def issues(scope: Scope) -> pd.DataFrame:
    return services.query(health_queries.health_issues, scope)


def coverage(scope: Scope) -> pd.DataFrame:
    return services.query(health_queries.health_coverage, scope)


def issues_table(rows: pd.DataFrame) -> pd.DataFrame:
    """What the table shows (and its CSV holds): day, DSP, issue, detail."""
    return pd.DataFrame(
        {
            "Day": pd.to_datetime(rows.date).dt.date,
            "DSP": rows.dsp.map(wording.dsp_name),
            "Issue": rows.kind.map(KIND_TITLES).fillna(rows.kind),
            "Detail": rows.detail,
        }
    )


def coverage_share(cov: pd.DataFrame) -> pd.DataFrame:
    """dsp x date: tracks delivered as a % of the feed's usual count (100 where no usual
    count is known yet, 0 on a missing day)."""
    if cov.empty:
        return pd.DataFrame()
    usual = cov.expected_tracks.where(cov.expected_tracks > 0)
    share = (100.0 * cov.tracks / usual).where(usual.notna(), 100.0).clip(upper=150.0)
    share[cov.tracks == 0] = 0.0
    frame = cov.assign(share=share.round(0), date=pd.to_datetime(cov.date))
    return frame.pivot_table(index="dsp", columns="date", values="share", aggfunc="first")


def coverage_figure(cov: pd.DataFrame) -> go.Figure:
    """A calendar heatmap: one row per DSP, one column per day, colour = coverage in %."""
    grid = coverage_share(cov)
    fig = go.Figure(
        go.Heatmap(
            z=grid.values,
            x=list(grid.columns),
            y=[wording.dsp_name(d) for d in grid.index],
            zmin=0,
            zmax=150,
            colorscale=[[0.0, "#b2182b"], [0.33, "#f4a582"], [0.6, "#f7f7f7"], [1.0, "#2166ac"]],
            colorbar={
                "title": {"text": "% of usual<br>tracks"},
                "tickvals": [0, 50, 100, 150],
                "ticksuffix": " %",
            },
            hovertemplate="%{y} · %{x|%Y-%m-%d}: %{z:.0f} % of the usual tracks<extra></extra>",
        )
    )
    fig.update_layout(
        title="Coverage per DSP and day (tracks delivered, % of the feed's usual count)",
        xaxis_title="Day",
        yaxis_title="DSP",
        # tall enough for a readable colour bar with one DSP (148 px squeezed its ticks)
        height=max(260, 120 + 28 * len(grid.index)),
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
    )
    return fig
