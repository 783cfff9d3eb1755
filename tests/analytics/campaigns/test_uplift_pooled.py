"""Pooled segment multipliers on hand-worked, noise-free cells (SYNTHETIC): every campaign's
extra streams split over segments exactly by baseline x multiplier."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analytics.campaigns import uplift_pooled
from analytics.campaigns.uplift_features import PEER_GROWTH_RANGE

SEGS = [("18-24", "female", "free"), ("25-34", "male", "premium"), ("45-54", "female", "free")]
TRUE_M = np.array([4.0, 1.0, 0.25])


def _cells(lifts, bases):
    rows = []
    for unit, (lift, base) in enumerate(zip(lifts, bases, strict=True)):
        base = np.asarray(base, float)
        extra = lift * base.sum() * base * TRUE_M / (base * TRUE_M).sum()
        for (a, g, s), b, e in zip(SEGS, base, extra, strict=True):
            rows.append({"unit": unit, "age_band": a, "gender": g, "subscription": s,
                         "mu0": b, "y": b + e, "peer_growth": 1.0})  # fmt: skip
    return pd.DataFrame(rows)


def test_multipliers_are_recovered_up_to_scale_without_noise():
    t = _cells([0.2, 0.5, 0.0, 0.3], [[100, 300, 50], [40, 40, 400], [10, 10, 10], [500, 20, 80]])
    mu0 = t["mu0"].to_numpy()
    lift = uplift_pooled._unit_lift(t, mu0)
    assert lift[t["unit"] == 1] == pytest.approx(0.5)
    m, _ = uplift_pooled.multipliers(t, mu0, lift, shrink=False)
    est = m.to_numpy() / m.to_numpy()[1]
    assert est == pytest.approx(TRUE_M / TRUE_M[1], rel=1e-4)


def test_a_unit_with_an_empty_counterfactual_carries_no_weight():
    t = _cells([0.2, 0.5], [[100, 300, 50], [40, 40, 400]])
    t.loc[t["unit"] == 1, "mu0"] = 0.01  # no streams before: its lift is not a response
    lift = uplift_pooled._unit_lift(t, t["mu0"].to_numpy())
    assert (lift[t["unit"] == 1] == 0).all()
    assert lift[t["unit"] == 0] == pytest.approx(0.2)


def test_a_unit_whose_peer_growth_hit_its_bound_carries_no_weight():
    """A track launched the day before its campaign: its peers' growth is clipped, so its
    counterfactual is a bound, and its launch (all in the third segment here) must not
    decide the multipliers: they are recovered exactly from the other units."""
    t = _cells([0.2, 0.5, 0.3], [[100, 300, 50], [40, 40, 400], [500, 20, 80]])
    launch = _cells([0.0], [[200, 200, 200]]).assign(unit=3, peer_growth=PEER_GROWTH_RANGE[1])
    launch.loc[2, "y"] = 800.0  # a launch, not a response: lift 1.0 (under MAX_LIFT)
    t = pd.concat([t, launch], ignore_index=True)
    mu0 = t["mu0"].to_numpy()
    lift = uplift_pooled._unit_lift(t, mu0)
    assert (lift[t["unit"] == 3] == 0).all()
    assert lift[t["unit"] == 1] == pytest.approx(0.5)
    m, _ = uplift_pooled.multipliers(t, mu0, lift, shrink=False)
    assert m.to_numpy() / m.to_numpy()[1] == pytest.approx(TRUE_M / TRUE_M[1], rel=1e-4)


def test_shrinkage_pulls_an_uncertain_multiplier_towards_the_centre():
    m = np.array([3.0, 1.0, 0.2])
    codes = np.array([0, 1, 2])
    vol = np.array([100.0, 100.0, 100.0])
    sure = uplift_pooled._empirical_bayes(m, np.array([1e-6, 1e-6, 1e-6]), codes, vol)
    assert sure == pytest.approx(m, rel=1e-3)
    unsure = uplift_pooled._empirical_bayes(m, np.array([1e-6, 1e-6, 100.0]), codes, vol)
    centre = m.mean()
    assert abs(unsure[2] - centre) < 0.1 * abs(m[2] - centre)
