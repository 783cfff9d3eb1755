"""The spread of campaigns' true lifts around their curve (analytics.campaigns.spread): planted
absolute and relative parts are recovered, and a purely relative scatter is told apart from a
constant one."""

from __future__ import annotations

import numpy as np
import pytest

from analytics.campaigns import spread


def _residuals(seed: int, a: float, b: float, n: int = 4000, se: float = 0.03):
    rng = np.random.default_rng(seed)
    pred = rng.uniform(0.0, 0.5, n)
    known = np.full(n, se**2)
    resid = rng.normal(0.0, np.sqrt(known + spread.variance(a, b, pred)))
    return resid, known, pred


@pytest.mark.parametrize("seed", [1, 2])
def test_planted_absolute_and_relative_parts_are_recovered(seed):
    resid, known, pred = _residuals(seed, a=0.02, b=0.25)
    a, b = spread.fit(resid, known, pred)
    assert a == pytest.approx(0.02, abs=0.006)
    assert b == pytest.approx(0.25, abs=0.03)


def test_a_constant_scatter_gets_no_relative_part_and_vice_versa():
    resid, known, pred = _residuals(3, a=0.05, b=0.0)
    a, b = spread.fit(resid, known, pred)
    assert a == pytest.approx(0.05, abs=0.005)
    assert b < 0.05
    resid, known, pred = _residuals(4, a=0.0, b=0.3)
    a, b = spread.fit(resid, known, pred)
    assert a < 0.01
    assert b == pytest.approx(0.3, abs=0.03)


def test_too_few_residuals_fall_back_to_the_start():
    assert spread.fit(np.array([0.1, -0.1]), np.zeros(2), np.ones(2)) == spread.START


def test_the_robust_fit_is_consistent_and_a_heavy_tail_does_not_widen_it():
    """On normal residuals the Huber estimate recovers the planted spread (the consistency
    weight); when one in twenty sits eight times further out (windows confounded by an
    event), plain likelihood follows the tail and the robust one much less."""
    resid, known, pred = _residuals(5, a=0.02, b=0.0)

    def sd(ab: tuple[float, float]) -> float:  # the spread's typical size over the campaigns
        return float(np.sqrt(spread.variance(*ab, pred).mean()))

    assert sd(spread.fit(resid, known, pred, robust=2.0)) == pytest.approx(0.02, abs=0.004)
    resid[:200] *= 8  # variance (0.95 + 0.05 x 64) x 0.036^2: spread ~0.067
    plain = sd(spread.fit(resid, known, pred))
    robust = sd(spread.fit(resid, known, pred, robust=2.0))
    assert plain == pytest.approx(0.067, abs=0.006)  # plain likelihood follows the tail
    # the robust one counts each far residual linearly: it moves, by far less (0.039 here)
    assert 0.02 < robust < 0.65 * plain
