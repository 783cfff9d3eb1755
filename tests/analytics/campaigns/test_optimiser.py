"""The spend optimiser against exhaustive search and hand-worked optima, on S-shaped curves
where equal marginal returns go wrong, and the outcome intervals. SYNTHETIC curves."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from analytics.campaigns import optimise as op
from analytics.campaigns import response as rs


def curve(country: str, c: float, k: float, h: float, spread: float = 0.0) -> rs.Curve:
    rng = np.random.default_rng(0)
    draws = np.tile([c, k, h], (rs.N_DRAWS, 1))
    draws[:, 0] *= np.exp(rng.normal(0.0, spread, rs.N_DRAWS))
    return rs.Curve(country, 5, c, k, h, draws)


def value(curves, base, plan) -> float:
    return sum(base[c.country] * float(c.uplift(plan[c.country])) for c in curves)


def test_matches_exhaustive_search_on_the_grid() -> None:
    curves = [curve("A", 0.3, 800, 1.0), curve("B", 0.5, 2500, 2.5), curve("C", 0.2, 400, 1.6)]
    base = {"A": 1000.0, "B": 1500.0, "C": 2000.0}
    budget, steps = 6000.0, 30
    got = op.allocate(curves, base, budget, steps=steps)
    grid = np.arange(steps + 1) * budget / steps
    best = max(
        value(curves, base, dict(zip("ABC", (grid[i], grid[j], grid[steps - i - j]), strict=True)))
        for i, j in itertools.product(range(steps + 1), repeat=2)
        if i + j <= steps
    )
    assert sum(got.values()) <= budget + 1e-6
    assert value(curves, base, got) == pytest.approx(best, rel=1e-9)


def test_s_shaped_curve_gets_all_or_nothing_where_equal_margins_fail() -> None:
    # B is S-shaped (h = 4): its first dollars buy almost nothing, so equal marginal returns
    # at small spend would leave it unfunded; its ceiling is worth crossing the flat start.
    a, b = curve("A", 0.05, 1000, 1.0), curve("B", 0.6, 3000, 4.0)
    base = {"A": 1000.0, "B": 1000.0}
    got = op.allocate([a, b], base, 5000.0)
    assert got["B"] >= 3000.0
    even = op.even_split([a, b], 5000.0)
    assert value([a, b], base, got) > 1.5 * value([a, b], base, even)


def test_limits_and_budget_are_respected() -> None:
    curves = [curve("A", 0.3, 800, 1.0), curve("B", 0.5, 2500, 1.5)]
    base = {"A": 1000.0, "B": 1000.0}
    got = op.allocate(curves, base, 10_000.0, limits={"A": 500.0, "B": 1200.0})
    assert got["A"] <= 500.0 + 1e-9 and got["B"] <= 1200.0 + 1e-9
    assert op.allocate(curves, base, 0.0) == {"A": 0.0, "B": 0.0}


def test_more_budget_never_buys_fewer_streams_past_the_limits() -> None:
    # the limits absorb 1,700: a budget of 10x or 10,000x that plans the same 1,700 (the
    # grid over the whole budget had one step larger than every limit: nothing funded)
    curves = [curve("A", 0.3, 800, 1.0), curve("B", 0.5, 2500, 1.5)]
    base = {"A": 1000.0, "B": 1000.0}
    limits = {"A": 500.0, "B": 1200.0}
    at_limits = op.allocate(curves, base, 1700.0, limits=limits)
    streams = [value(curves, base, at_limits)]
    for budget in (17_000.0, 1.7e6, 1.7e7):
        plan = op.allocate(curves, base, budget, limits=limits)
        assert plan == at_limits
        streams.append(value(curves, base, plan))
    assert streams[0] > 0 and len(set(streams)) == 1
    with pytest.raises(ValueError, match="finite"):
        op.allocate(curves, base, float("inf"), limits=limits)


def test_target_cpa_by_hand() -> None:
    # h = 1: base c K / (s + K)^2 = 1 / cpa  =>  s = sqrt(base c K cpa) - K
    c = curve("A", 0.4, 1000, 1.0)
    base, cpa = {"A": 5000.0}, 2.0
    want = np.sqrt(5000 * 0.4 * 1000 * cpa) - 1000  # 1,000 USD
    got = op.for_target_cpa([c], base, cpa, max_spend=4000.0)["A"]
    assert got == pytest.approx(want, abs=4000.0 / op.GRID_STEPS)


def test_outcome_interval_holds_the_median_and_is_exact_without_uncertainty() -> None:
    sure = curve("A", 0.3, 800, 1.0)
    base = {"A": 1000.0, "B": 1000.0}
    out = op.outcome([sure], base, {"A": 800.0})
    assert out.total == pytest.approx((150.0, 150.0, 150.0))  # 1000 x 0.3 x 1/2
    unsure = [sure, curve("B", 0.5, 2500, 1.5, spread=0.3)]
    p50, lo, hi = op.outcome(unsure, base, {"A": 800.0, "B": 2500.0}).total
    assert lo < p50 < hi
    assert p50 == pytest.approx(150.0 + 250.0, rel=0.05)
