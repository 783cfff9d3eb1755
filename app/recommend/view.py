"""View model of the Audiences page: figures, tables and wording (scoped queries only)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from analytics.recommend.model import NO_LISTENERS
from app.safe_text import md
from app.widgets import plot_text


def without_listeners(summary: dict) -> bool:
    """The run found no listener-level streams, so there is nothing to show."""
    return summary.get("production") == NO_LISTENERS


DIMENSIONS = {
    "country": "Country",
    "age_band": "Age band",
    "gender": "Gender",
    "fan_type": "Fan type of the artist",
}
AGE_ORDER = ["13-17", "18-24", "25-34", "35-44", "45-54", "55-64", "65+", "unknown"]


def track_choices(options: pd.DataFrame) -> dict[str, str]:
    """isrc -> "title · artist · label", in the options' order."""
    return {
        r.isrc: f"{r.track_title} · {r.artist_name} · {r.label}"
        for r in options.itertuples(index=False)
    }


def counts(adopters: pd.DataFrame, dim: str) -> pd.DataFrame:
    """dim, adopters: likely adopters per value of `dim`, most first (age bands in order)."""
    out = adopters.groupby(dim, observed=True).size().rename("adopters").reset_index()
    if dim == "age_band":
        out["_o"] = out[dim].map({a: i for i, a in enumerate(AGE_ORDER)}).fillna(99)
        return out.sort_values("_o").drop(columns="_o").reset_index(drop=True)
    return out.sort_values(["adopters", dim], ascending=[False, True]).reset_index(drop=True)


def one_value(table: pd.DataFrame, dim: str) -> str | None:
    """When every likely adopter has the same value of `dim` (all "not yet a fan" of the
    artist: a chart of one bar), that fact in a sentence; else None."""
    if len(table) != 1:
        return None
    value, n = table[dim].iloc[0], int(table["adopters"].iloc[0])
    return f"**{DIMENSIONS[dim]}**: all {n:,} likely adopters are {md(str(value))}."


def count_figure(table: pd.DataFrame, dim: str, top: int = 12) -> go.Figure:
    """A bar chart of likely adopters per value of `dim` (the `top` largest)."""
    shown = table.head(top)
    fig = go.Figure(
        go.Bar(
            x=[plot_text(str(v)) for v in shown[dim]],
            y=shown["adopters"],
            marker_color="#2a9d8f",
            hovertemplate="%{x}: %{y} likely adopters<extra></extra>",
        )
    )
    title = f"Likely adopters by {DIMENSIONS[dim].lower()}"
    if len(table) > top:  # say what is left out (the table and its CSV hold every value)
        rest = int(table["adopters"].iloc[top:].sum())
        title += f" (top {top}; {len(table) - top} more with {rest:,} adopters)"
    fig.update_layout(
        title=title,
        xaxis_title=DIMENSIONS[dim],
        yaxis_title="Likely adopters (listeners)",
        height=300,
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
    )
    return fig


def top_territories(segments: pd.DataFrame, n: int = 3) -> list[str]:
    """The countries with the most expected adopters: the budget hand-off's territories."""
    if segments.empty:
        return []
    by = segments.groupby("country")["expected_adopters"].sum()
    by = by.sort_values(ascending=False, kind="stable")
    return [str(c) for c in by.index[:n] if isinstance(c, str) and len(c) == 2]


def top_groups(
    segments: pd.DataFrame, territories: list[str], per_country: int = 2
) -> list[tuple[str, str, str]]:
    """The segments with the most expected adopters in the hand-off's territories, as
    audience groups (country, age band, gender) for the budget plan's targeting."""
    if segments.empty or not territories:
        return []
    seg = segments[segments["country"].isin(territories)].dropna(
        subset=["country", "age_band", "gender"]
    )
    seg = seg.sort_values("expected_adopters", ascending=False, kind="stable")
    seg = seg.groupby("country", sort=False).head(per_country)
    return [(str(r.country), str(r.age_band), str(r.gender)) for r in seg.itertuples()]


PROMOTE_COLUMNS = ["rank", "track_title", "artist_name", "label", "lift", "reason", "isrc"]


def expected_total(segments: pd.DataFrame) -> float:
    return float(segments["expected_adopters"].sum()) if not segments.empty else 0.0
