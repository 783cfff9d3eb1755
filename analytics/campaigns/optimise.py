"""The spend allocation across territories that maximises expected incremental streams, and
the expected outcome of any plan with an interval.

Hill curves can be S-shaped, so equal marginal returns (which assume concave curves) can
fund a territory on its flat start and miss one past its bend. The allocation is an exact
dynamic programme over a spend grid instead: with G steps of budget / G dollars and T
territories it looks at every split of the steps, in O(T x G^2).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from analytics.campaigns.response import Curve

GRID_STEPS = 400
INTERVAL = (0.10, 0.90)  # 80 % interval


@dataclass(frozen=True)
class Outcome:
    """Expected incremental streams of a plan: per territory and in total, p50 and 80 %."""

    per_territory: dict[str, tuple[float, float, float]]  # country -> (p50, low, high)
    total: tuple[float, float, float]


def allocate(
    curves: Sequence[Curve],
    base: Mapping[str, float],
    budget: float,
    *,
    limits: Mapping[str, float] | None = None,
    steps: int = GRID_STEPS,
) -> dict[str, float]:
    """Spend per territory (USD, multiples of budget / steps) maximising the sum of
    base[c] x uplift_c(spend) with total <= budget and spend_c <= limits[c].

    A budget beyond what the territories' limits can absorb is planned as their sum (the
    rest stays unspent): on a grid of the whole budget one step outgrew every limit, so a
    larger budget bought fewer streams, and past 400x the limits none at all."""
    if not np.isfinite(budget):
        raise ValueError(f"budget must be a finite amount, not {budget}")
    if limits is not None and all(c.country in limits for c in curves):
        budget = min(budget, sum(max(float(limits[c.country]), 0.0) for c in curves))
    if budget <= 0 or not curves:
        return {c.country: 0.0 for c in curves}
    step = budget / steps
    grid = np.arange(steps + 1) * step
    best = np.zeros(steps + 1)  # best streams with b steps over the territories so far
    choice = []
    idx = np.arange(steps + 1)
    for c in curves:
        value = base.get(c.country, 0.0) * c.uplift(grid)
        if limits is not None and c.country in limits:
            value = np.where(grid <= limits[c.country] + 1e-9, value, -np.inf)
        # total[b, k] = best[b - k] + value[k] for k <= b
        diff = idx[:, None] - idx[None, :]
        total = np.where(diff >= 0, best[np.clip(diff, 0, None)] + value[None, :], -np.inf)
        k = total.argmax(axis=1)
        choice.append(k)
        best = total[idx, k]
    out, b = {}, int(best.argmax())
    for c, k in zip(reversed(curves), reversed(choice), strict=True):
        out[c.country] = float(k[b] * step)
        b -= int(k[b])
    return {c.country: out[c.country] for c in curves}


def for_target_cpa(
    curves: Sequence[Curve], base: Mapping[str, float], cpa_usd: float, max_spend: float
) -> dict[str, float]:
    """Per territory, the spend on [0, max_spend] maximising streams - spend / cpa_usd: every
    dollar funded buys streams at `cpa_usd` or better on the margin of the whole territory."""
    grid = np.linspace(0.0, max_spend, GRID_STEPS + 1)
    out = {}
    for c in curves:
        gain = base.get(c.country, 0.0) * c.uplift(grid) - grid / cpa_usd
        out[c.country] = float(grid[int(gain.argmax())])
    return out


def outcome(
    curves: Sequence[Curve], base: Mapping[str, float], plan: Mapping[str, float]
) -> Outcome:
    """Expected incremental streams of `plan` from the curves' parameter draws: median and
    80 % interval per territory and for the total (draws are independent across territories)."""
    per, totals = {}, None
    for c in curves:
        s = base.get(c.country, 0.0) * c.uplift_draws(float(plan.get(c.country, 0.0)))
        lo, hi = np.quantile(s, INTERVAL)
        per[c.country] = (float(np.median(s)), float(lo), float(hi))
        totals = s if totals is None else totals + s
    if totals is None:
        return Outcome({}, (0.0, 0.0, 0.0))
    lo, hi = np.quantile(totals, INTERVAL)
    return Outcome(per, (float(np.median(totals)), float(lo), float(hi)))


def even_split(curves: Sequence[Curve], budget: float) -> dict[str, float]:
    return {c.country: budget / len(curves) for c in curves} if curves else {}
