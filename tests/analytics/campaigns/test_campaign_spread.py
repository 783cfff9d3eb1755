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
