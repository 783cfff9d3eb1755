"""What the measured response curves say for one track: per-territory curves in streams, the
optimiser's allocation, and any plan's expected outcome with its 80 % interval. Shared by
`labelradar response` / `labelradar optimise` and the Territory budgets page. No Streamlit.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from analytics.budget import ScoreResult
from analytics.campaigns import optimise as op
from app import geo, wording

NO_CURVES = "no campaign outcomes yet: caps come from reach only"
NO_CURVES_PAGE = (
    "No campaign outcomes yet: there are no measured per-campaign lifts, so no response "
    "curves. Caps come from reach and the all-campaign response, not from curves."
)


def territories(result: ScoreResult) -> list[dict[str, Any]]:
    """Every territory with a curve where the track streams, biggest ceiling first. The
    ceiling in streams is the relative ceiling x the track's streams there over a typical
    campaign window (its last 28 days scaled to the window)."""
    rows = []
    for country, c in result.curves.items():
        base = result.curve_base.get(country, 0.0)
        if base <= 0:
            continue
        rows.append(
            {
                "country": country,
                "ceiling_streams": round(c.ceiling * base, 1),
                "half_saturation_usd": round(c.half_saturation_usd, 2),
                "plateau_usd": round(c.plateau_usd, 2),
                "cap_usd": round(c.plateau_usd, 2),
                "n_campaigns": c.n_campaigns,
            }
        )
    return sorted(rows, key=lambda r: (-r["ceiling_streams"], r["country"]))


def _chosen(result: ScoreResult, countries: list[str] | None) -> list:
    pool = countries if countries is not None else [t.country for t in result.territories]
    return [result.curves[c] for c in pool if c in result.curves]


def optimise(
    result: ScoreResult, budget: float, countries: list[str] | None = None
) -> dict[str, float]:
    """The optimiser's split of `budget` over `countries` (default: the ranked territories),
    each within its cap."""
    limits = {t.country: t.cap_usd for t in result.territories}
    return op.allocate(_chosen(result, countries), result.curve_base, budget, limits=limits)


def outcome(result: ScoreResult, plan: Mapping[str, float]) -> op.Outcome:
    """Expected incremental streams of `plan` (country -> USD), median and 80 % interval."""
    return op.outcome(_chosen(result, list(plan)), result.curve_base, plan)


def allocation_json(result: ScoreResult, plan: Mapping[str, float]) -> dict[str, Any]:
    """The `labelradar optimise --json` answer for `plan`."""
    out = outcome(result, plan)
    rows = [
        {
            "country": c,
            "spend_usd": round(float(plan[c]), 2),
            "expected_streams": round(p50, 1),
            "low": round(lo, 1),
            "high": round(hi, 1),
        }
        for c, (p50, lo, hi) in out.per_territory.items()
    ]
    p50, lo, hi = out.total
    return {
        "allocation": sorted(rows, key=lambda r: (-r["spend_usd"], r["country"])),
        "expected_total": {"p50": round(p50, 1), "low": round(lo, 1), "high": round(hi, 1)},
    }


def comparison(
    result: ScoreResult, yours: Mapping[str, float], budget: float
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(per territory, totals): your plan against the optimiser's at the same budget, each
    with expected incremental streams and the 80 % interval."""
    countries = [c for c in yours if c in result.curves]
    best = optimise(result, budget, countries or None)
    countries = list(dict.fromkeys([*countries, *(c for c, v in best.items() if v > 0)]))
    mine = {c: float(yours.get(c, 0.0)) for c in countries}
    theirs = {c: float(best.get(c, 0.0)) for c in countries}
    a, b = outcome(result, mine), outcome(result, theirs)
    rows = []
    for c in countries:
        rows.append(
            {
                "country": c,
                "territory": geo.country_name(c),
                "your_usd": round(mine[c], 0),
                "your_streams": round(a.per_territory[c][0], 1),
                "your_low": round(a.per_territory[c][1], 1),
                "your_high": round(a.per_territory[c][2], 1),
                "optimiser_usd": round(theirs[c], 0),
                "optimiser_streams": round(b.per_territory[c][0], 1),
                "optimiser_low": round(b.per_territory[c][1], 1),
                "optimiser_high": round(b.per_territory[c][2], 1),
            }
        )
    totals = pd.DataFrame(
        [
            {"plan": "Your plan", "spend_usd": round(sum(mine.values()), 0),
             "streams": a.total[0], "low": a.total[1], "high": a.total[2]},
            {"plan": "Optimiser", "spend_usd": round(sum(theirs.values()), 0),
             "streams": b.total[0], "low": b.total[1], "high": b.total[2]},
        ]
    ).round(1)  # fmt: skip
    return pd.DataFrame(rows), totals


def number_columns(table: pd.DataFrame) -> dict[str, Any]:
    """One format per kind of figure in a comparison table: money (`*_usd`) in dollars,
    streams with thousands separators (they showed 2000 beside 3184.2)."""
    return {
        c: wording.column(c, format="dollar" if c.endswith("_usd") else "localized")
        for c in table.select_dtypes("number").columns
    }


def comparison_figure(totals: pd.DataFrame) -> Any:
    """Expected incremental streams of both plans, with 80 % intervals as error bars."""
    import plotly.graph_objects as go

    from app.charts import PALETTE

    fig = go.Figure(
        go.Bar(
            x=totals["plan"],
            y=totals["streams"],
            marker_color=[PALETTE[8], PALETTE[0]],
            error_y={
                "type": "data",
                "symmetric": False,
                "array": totals["high"] - totals["streams"],
                "arrayminus": totals["streams"] - totals["low"],
            },
            hovertemplate="%{x}: %{y:,.0f} streams<extra></extra>",
        )
    )
    fig.update_layout(
        title="Your plan vs the optimiser's: expected incremental streams (80 % interval)",
        xaxis_title="Plan",
        yaxis_title="Incremental streams over a campaign window",
        height=340,
        margin={"t": 50, "b": 40, "l": 60, "r": 10},
    )
    return fig


def curves_figure(result: ScoreResult, countries: list[str]) -> Any:
    """Each territory's expected incremental streams against spend, plateau and cap marked."""
    import plotly.graph_objects as go

    from app.charts import PALETTE
    from app.widgets import plot_text

    fig = go.Figure()
    shown = [c for c in countries if c in result.curves]
    top = max([result.curves[c].plateau_usd for c in shown] or [1.0]) * 1.5
    grid = np.linspace(0.0, top, 120)
    caps = {t.country: t.cap_usd for t in result.territories}
    for i, c in enumerate(shown):
        curve, base = result.curves[c], result.curve_base.get(c, 0.0)
        name = plot_text(geo.country_name(c))
        colour = PALETTE[i % len(PALETTE)]
        fig.add_scatter(x=grid, y=base * curve.uplift(grid), mode="lines", name=name,
                        line={"color": colour},
                        hovertemplate=f"{name}: $%{{x:,.0f}} -> %{{y:,.0f}} streams<extra></extra>")  # fmt: skip
        for label, x, symbol in (
            ("plateau", curve.plateau_usd, "circle-open"),
            ("cap", caps.get(c, curve.plateau_usd), "x"),
        ):
            fig.add_scatter(x=[x], y=[base * float(curve.uplift(x))], mode="markers",
                            marker={"color": colour, "symbol": symbol, "size": 10},
                            showlegend=False,
                            hovertemplate=f"{name} {label}: $%{{x:,.0f}}<extra></extra>")  # fmt: skip
    fig.update_layout(
        title="Response curves per territory (circle: plateau, cross: cap)",
        xaxis_title="Spend (USD)",
        yaxis_title="Expected incremental streams",
        height=380,
        margin={"t": 50, "b": 40, "l": 60, "r": 10},
    )
    return fig
