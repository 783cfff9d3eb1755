"""View models and figures of the Similar artists page (no SQL here: scoped queries only)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pydeck as pdk
import streamlit as st

from app import charts, geo
from app.widgets import plot_text

# Under-served (gap > 0) in the accent orange, over-performing in teal.
GAP_UP = (224, 123, 57)
GAP_DOWN = (42, 157, 143)


def explain(row: Mapping[str, Any], subject: str) -> str:
    """The neighbour explanation in words (shared listeners, both ways)."""
    other = row["artist_name"]
    return (
        f"{row['shared_share_a'] * 100:.1f} % of {subject}'s listeners also stream "
        f"{other}; {row['shared_share_b'] * 100:.1f} % of {other}'s listeners stream "
        f"{subject} ({int(row['shared_listeners']):,} shared listeners)."
    )


def split_artists(units: pd.DataFrame) -> set[str]:
    """Artist ids listed on more than one label (rows artist_id, label): their name alone does
    not say which label's tracks a figure is about."""
    ids = units["artist_id"]
    return set(ids[ids.duplicated()])


def display_name(name: str, label: str, split: bool) -> str:
    """An artist as the page names it: "name · label" for a split artist, else the name."""
    return f"{name} · {label}" if split else name


def _choice_keys(options: pd.DataFrame) -> list[str]:
    """One picker key per unit: the artist id, or "id · label" for an artist listed on more
    than one label (so a single-label artist's choice survives a change of label filter)."""
    split = options["artist_id"].duplicated(keep=False).to_numpy()
    return [
        f"{a} · {lab}" if s else a
        for a, lab, s in zip(options["artist_id"], options["label"], split, strict=True)
    ]


def artist_choices(options: pd.DataFrame) -> dict[str, str]:
    """The artist picker's entries: choice key -> "name · label", in the options' order (one
    entry per unit: an artist on two labels is listed once per label)."""
    names = [
        f"{n} · {lab}" for n, lab in zip(options["artist_name"], options["label"], strict=True)
    ]
    return dict(zip(_choice_keys(options), names, strict=True))


def choice_units(options: pd.DataFrame) -> dict[str, tuple[str, str]]:
    """The picker's choice keys -> the unit (artist_id, label) each one selects."""
    units = zip(options["artist_id"], options["label"], strict=True)
    return dict(zip(_choice_keys(options), units, strict=True))


NEIGHBOR_COLUMNS = [
    "rank",
    "artist_name",
    "label",
    "cluster",
    "score",
    "shared_listeners",
    "shared_pct_a",
    "shared_pct_b",
]


def neighbor_table(neighbors: pd.DataFrame) -> pd.DataFrame:
    """The similar-artists table as shown and downloaded: the shares in % to one decimal
    (the percent preset showed "33%" beside "33.22%")."""
    out = neighbors.assign(
        shared_pct_a=(100 * neighbors["shared_share_a"]).round(1),
        shared_pct_b=(100 * neighbors["shared_share_b"]).round(1),
    )
    return out[NEIGHBOR_COLUMNS]


def neighbor_columns(subject: str) -> dict[str, Any]:
    """Column settings of the similar-artists table of `subject`."""
    return {
        "rank": st.column_config.NumberColumn("#", width="small"),
        "artist_name": st.column_config.TextColumn("Artist"),
        "label": st.column_config.TextColumn("Label"),
        "cluster": st.column_config.NumberColumn("Cluster"),
        "score": st.column_config.NumberColumn("Similarity", format="%.2f"),
        "shared_listeners": st.column_config.NumberColumn("Shared listeners"),
        "shared_pct_a": st.column_config.NumberColumn(
            f"Share of {subject}'s listeners", format="%.1f %%"
        ),
        "shared_pct_b": st.column_config.NumberColumn("Share of their listeners", format="%.1f %%"),
    }


def targets_table(potential: pd.DataFrame) -> pd.DataFrame:
    """The ranked target-countries table: country names and the interval as columns."""
    out = potential.copy()
    out.insert(1, "country_name", out["country"].map(geo.country_name))
    return out[
        ["rank", "country_name", "country", "actual", "expected", "low", "high", "gap", "ratio"]
    ]


def shown_targets(targets: pd.DataFrame) -> pd.DataFrame:
    """The targets table as shown: stream figures rounded to whole streams (the CSV
    download keeps them unrounded)."""
    shown = targets.copy()
    figures = ["actual", "expected", "low", "high", "gap"]
    shown[figures] = shown[figures].round(0)
    return shown


def target_columns() -> dict[str, Any]:
    """Column settings of the target-countries table."""
    return {
        "rank": st.column_config.NumberColumn("#", width="small"),
        "country_name": st.column_config.TextColumn("Country"),
        "country": st.column_config.TextColumn("Code", width="small"),
        "actual": st.column_config.NumberColumn("Actual streams", format="localized"),
        "expected": st.column_config.NumberColumn("Expected streams", format="localized"),
        "low": st.column_config.NumberColumn("90% low", format="localized"),
        "high": st.column_config.NumberColumn("90% high", format="localized"),
        "gap": st.column_config.NumberColumn("Gap (streams)", format="localized"),
        "ratio": st.column_config.NumberColumn("Actual ÷ expected", format="%.2f"),
    }


def top_territories(potential: pd.DataFrame, n: int = 5) -> list[str]:
    """The n countries with the largest positive gap (the hand-off's territories)."""
    positive = potential[potential["gap"] > 0].sort_values("gap", ascending=False)
    return positive["country"].head(n).tolist()


def cluster_figure(
    points: pd.DataFrame, selected: str, subject: str, label: str | None = None
) -> go.Figure:
    """Scatter of the embedding's 2-D projection, coloured by cluster, the selected unit
    (artist `selected`, on `label` when given) highlighted."""
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
    mine = points["artist_id"] == selected
    if label is not None:
        mine &= points["label"] == label
    me = points[mine]
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
        xaxis={"title": {"text": "Map position, across (no unit)"}, "zeroline": False},
        yaxis={"title": {"text": "Map position, up (no unit)"}, "zeroline": False},
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
