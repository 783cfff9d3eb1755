"""View models and figures of the Similar artists page (no SQL here: scoped queries only)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pydeck as pdk

from app import charts, geo, services
from app.widgets import plot_text
from data.results import runs as model_runs

# Under-served (gap > 0) in the accent orange, over-performing in teal.
GAP_UP = (224, 123, 57)
GAP_DOWN = (42, 157, 143)


@dataclass(frozen=True)
class RunInfo:
    computed_at: dt.datetime
    data_through: dt.date | None
    params: dict


def latest_run() -> RunInfo | None:
    """When the similar-artists model was computed, or None if it never ran on this store.

    Not cached: one small read, and a refresh must show up at once."""
    run = model_runs.latest(services.store(), "similar")
    if run is None:
        return None
    return RunInfo(run.computed_at, run.data_through, run.params)


def explain(row: Mapping[str, Any], subject: str) -> str:
    """The neighbour explanation in words (shared listeners, both ways)."""
    other = row["artist_name"]
    return (
        f"{row['shared_share_a'] * 100:.1f} % of {subject}'s listeners also stream "
        f"{other}; {row['shared_share_b'] * 100:.1f} % of {other}'s listeners stream "
        f"{subject} ({int(row['shared_listeners']):,} shared listeners)."
    )


def targets_table(potential: pd.DataFrame) -> pd.DataFrame:
    """The ranked target-countries table: country names and the interval as columns."""
    out = potential.copy()
    out.insert(1, "country_name", out["country"].map(geo.country_name))
    return out[
        ["rank", "country_name", "country", "actual", "expected", "low", "high", "gap", "ratio"]
    ]


def top_territories(potential: pd.DataFrame, n: int = 5) -> list[str]:
    """The n countries with the largest positive gap (the hand-off's territories)."""
    positive = potential[potential["gap"] > 0].sort_values("gap", ascending=False)
    return positive["country"].head(n).tolist()


def cluster_figure(points: pd.DataFrame, selected: str, subject: str) -> go.Figure:
    """Scatter of the embedding's 2-D projection, coloured by cluster, subject highlighted."""
    fig = go.Figure()
    for i, (cluster, grp) in enumerate(points.groupby("cluster", sort=True)):
        fig.add_trace(
            go.Scatter(
                x=grp["x"],
                y=grp["y"],
                mode="markers",
                name=f"Cluster {cluster}",
                marker={
                    "size": 9,
                    "color": charts.PALETTE[i % len(charts.PALETTE)],
                    "opacity": 0.8,
                },
                text=[plot_text(n) for n in grp["artist_name"]],
                hovertemplate="%{text}<br>Cluster " + str(cluster) + "<extra></extra>",
            )
        )
    me = points[points["artist_id"] == selected]
    if not me.empty:
        fig.add_trace(
            go.Scatter(
                x=me["x"],
                y=me["y"],
                mode="markers+text",
                name=plot_text(subject),
                text=[plot_text(subject)],
                textposition="top center",
                marker={
                    "size": 18,
                    "symbol": "star",
                    "color": "#111111",
                    "line": {"width": 1, "color": "white"},
                },
                hovertemplate="%{text} (selected)<extra></extra>",
            )
        )
    fig.update_layout(
        title={"text": "Artist clusters (2-D map of the listener embedding)"},
        xaxis={"title": {"text": "Map axis 1 (t-SNE, no unit)"}, "zeroline": False},
        yaxis={"title": {"text": "Map axis 2 (t-SNE, no unit)"}, "zeroline": False},
        legend={"title": {"text": "Cluster"}},
        margin={"l": 10, "r": 10, "t": 60, "b": 10},
        height=420,
    )
    return fig


def _colour(gap: float, top: float) -> list[int]:
    base = GAP_UP if gap > 0 else GAP_DOWN
    strength = 0.35 + 0.65 * (min(abs(gap) / top, 1.0) if top > 0 else 0.0)
    return [*base, int(255 * strength)]


def gap_map(potential: pd.DataFrame) -> pdk.Deck:
    """World map of the potential-streams gap: circle area and colour depth = |gap|,
    orange where the artist is under-served (gap > 0), teal where it beats its peers."""
    pts = geo.with_positions(potential[["country", "actual", "expected", "low", "high", "gap"]])
    pts = pts.dropna(subset=["lat", "lon"])
    pts = pts[pts["gap"].abs() > 0]
    # Scale by the largest *positive* gap (the targets): a big over-performing country must
    # not shrink every target to a dot. Larger negative gaps are capped at full size.
    positive = pts.loc[pts["gap"] > 0, "gap"]
    top = float(positive.max()) if len(positive) else float(pts["gap"].abs().max() or 0.0)

    def fmt(v: float) -> str:
        return "–" if pd.isna(v) else f"{v:,.0f}"

    data = pd.DataFrame(
        {
            "name": pts["name"].astype(str),
            "lat": pts["lat"].astype(float),
            "lon": pts["lon"].astype(float),
            "radius": 900_000.0 * np.sqrt(np.minimum(pts["gap"].abs() / top, 1.0))
            if top > 0
            else 0.0,
            "colour": [_colour(g, top) for g in pts["gap"]],
            "actual_text": pts["actual"].map(fmt),
            "expected_text": pts["expected"].map(fmt),
            "interval_text": [
                f"{fmt(lo)} – {fmt(hi)}" for lo, hi in zip(pts["low"], pts["high"], strict=True)
            ],
            "gap_text": pts["gap"].map(lambda g: f"{g:+,.0f}"),
        }
    )
    return charts.point_map(
        data,
        layer_id="gap",
        fill_color="colour",
        tooltip_text="{name}\nactual {actual_text} streams\nexpected {expected_text} "
        "(90% interval {interval_text})\ngap {gap_text} streams",
    )
