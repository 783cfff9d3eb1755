"""Expected return of one campaign on a territory's response curve.

A territory's curve (analytics.campaigns.response.Curve) gives the relative uplift a campaign
of spend s buys over a campaign window: incremental streams = base x uplift(s), where base is
what the asset would stream there over the window without the campaign. Some actions can win
back at most a known amount (the streams similar artists get, or the streams a playlist
removal took away): that amount caps the return, and the recommended spend stops where the
cap is reached. Otherwise it is the curve's plateau, where extra spend stops paying.

Intervals are the 10th and 90th percentiles over the curve's posterior draws (80 %).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from analytics.campaigns.response import Curve

GRID = 64  # spends tried between 0 and the plateau when a cap may be reached first


@dataclass(frozen=True)
class Return:
    spend_usd: float
    expected: float  # incremental streams, point estimate
    low: float  # 80 % interval
    high: float


def campaign_return(
    curve: Curve,
    base: float,
    cap: float | None = None,
    scale_low: float = 1.0,
    scale_high: float = 1.0,
) -> Return:
    """The return at the recommended spend: the plateau, or less when `cap` streams are
    reached earlier. `scale_low` / `scale_high` widen the interval for an uncertain base (the
    forecast's p10 / p50 and p90 / p50)."""
    base = max(float(base), 0.0)
    spend = curve.plateau_usd
    if cap is not None and base > 0:
        cap = max(float(cap), 0.0)
        grid = np.linspace(0.0, spend, GRID + 1)[1:]
        reached = np.flatnonzero(base * curve.uplift(grid) >= cap)
        if reached.size:
            spend = float(grid[reached[0]])
    point = base * float(curve.uplift(spend))
    draws = base * curve.uplift_draws(spend)
    if cap is not None:
        point, draws = min(point, cap), np.minimum(draws, cap)
    low, high = np.percentile(draws, [10, 90]) if draws.size else (point, point)
    low = min(float(low) * scale_low, point)
    high = max(float(high) * scale_high, point)
    return Return(float(spend), float(point), max(low, 0.0), high)
