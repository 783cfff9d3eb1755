"""Pooling each campaign's lift with its territory's response (analytics.campaigns.pooling),
on SYNTHETIC lifts: planted Hill curves per territory, one dead platform, window estimates
= truth + normal noise of a known size."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.special import ndtr

from analytics.campaigns import hill as hc
from analytics.campaigns import pooling, spread

Z90 = 1.6449


def _world(
    seed: int,
    n: int = 300,
    se: float = 0.04,
    off: float = 0.0,
    dead: float = 0.0,
    off_rel: float = 0.0,
) -> pd.DataFrame:
    """`off`: sd of each campaign's true relative lift around its territory's curve;
    `off_rel`: the same, as a share of the curve's lift (multiplicative scatter); `dead`:
    the share of the curve the 'other' platform returns."""
    rng = np.random.default_rng(seed)
    countries = [f"C{i:02d}" for i in range(12)]
    ceiling = dict(zip(countries, rng.uniform(0.1, 0.5, 12), strict=True))
    half = dict(zip(countries, rng.uniform(800, 3000, 12), strict=True))
    country = rng.choice(countries, n)
    platform = rng.choice(["meta", "google", "tiktok", "snap", "dsp_marquee", "other"], n)
    spend = np.array([half[c] for c in country]) * rng.lognormal(0.0, 1.0, n)
    rho = np.array(
        [hc.hill(s, ceiling[c], half[c], 1.5) for c, s in zip(country, spend, strict=True)]
    )
    if off > 0:
        rho = rho + rng.normal(0.0, off, n)
    if off_rel > 0:
        rho = rho * rng.lognormal(0.0, off_rel, n)
    rho[platform == "other"] *= dead  # the dead (or weak) channel
    cf = rng.uniform(5_000, 50_000, n)
    truth = rho * cf
    est = truth + rng.normal(0.0, se, n) * cf
    return pd.DataFrame(
        {
            "campaign_id": [f"X{i:04d}" for i in range(n)],
            "country": country,
            "platform": platform,
            "spend_usd": spend,
            "incremental_streams": est,
            "low": est - Z90 * se * cf,
            "high": est + Z90 * se * cf,
            "p_effect": 0.5,
            "counterfactual_streams": cf,
            "truth": truth,
        }
    )


def test_pooling_cuts_the_error_keeps_coverage_and_leaves_the_dead_channel_at_zero():
    lift = _world(1)
    out, summary = pooling.pool(lift)
    assert list(out["campaign_id"]) == list(lift["campaign_id"])
    assert "other" not in summary["shaping_platforms"]
    assert summary["platform_factors"]["other"] == pytest.approx(0.0, abs=0.15)
    pos = lift["truth"] > 0
    err_alone = ((lift["incremental_streams"] - lift["truth"]).abs() / lift["truth"])[pos]
    err_pooled = ((out["incremental_streams"] - lift["truth"]).abs() / lift["truth"])[pos]
    assert err_pooled.median() < 0.75 * err_alone.median()
    covered = (out["low"] <= lift["truth"]) & (lift["truth"] <= out["high"])
    assert 0.85 <= covered.mean() <= 0.99
    dead = lift["platform"] == "other"
    assert (out.loc[dead, "p_effect"] > 0.95).mean() <= 0.05
    # the window's own estimate is kept beside the pooled one
    assert np.allclose(out["window_streams"], lift["incremental_streams"])


def test_a_precise_window_moves_less_than_a_noisy_one():
    lift = _world(2)
    noisy, _ = pooling.pool(lift)
    cf = lift["counterfactual_streams"]
    precise = lift.copy()
    precise["low"] = lift["incremental_streams"] - Z90 * 0.01 * cf  # se 1 % instead of 4 %
    precise["high"] = lift["incremental_streams"] + Z90 * 0.01 * cf
    sharp, _ = pooling.pool(precise)
    moved_noisy = (noisy["incremental_streams"] - lift["incremental_streams"]).abs() / cf
    moved_sharp = (sharp["incremental_streams"] - lift["incremental_streams"]).abs() / cf
    assert moved_sharp.median() < 0.5 * moved_noisy.median()
    assert moved_sharp.median() < 0.01  # within its own standard error


def test_too_few_campaigns_or_no_working_platform_leave_the_lifts_alone():
    few = _world(3, n=pooling.MIN_CAMPAIGNS - 1)
    out, summary = pooling.pool(few)
    assert summary["pooled"] == 0
    assert np.allclose(out["incremental_streams"], few["incremental_streams"])
    dead = _world(4).assign(platform="other")
    dead["incremental_streams"] = (
        np.random.default_rng(5).normal(0, 0.04, len(dead)) * dead["counterfactual_streams"]
    )
    out, summary = pooling.pool(dead)
    assert summary["pooled"] == 0 and "no platform" in summary["reason"]


def test_the_combination_by_hand():
    """One campaign worked by hand on the share of its observed streams: window y = 0.25
    (se 0.05) over a counterfactual of 10,000 (observed 12,500), prior m = 0.25 with no
    curve uncertainty (three such campaigns). Shares: window 0.2 (se 0.04), prior 0.2;
    residuals of zero leave the spread at its floor, so the posterior is 0.2 with variance
    1 / (1 / 0.04^2 + 1 / 0.005^2), in streams 2,500 +- sqrt(that) x 12,500."""
    one = np.ones(3)
    post, post_var, observed, _ = pooling._combine(
        0.25 * one, 0.05 * one, 0.25 * one, 0.0 * one, 10_000.0 * one
    )
    assert observed[0] == pytest.approx(12_500.0)
    assert post[0] == pytest.approx(0.2)
    assert post_var[0] == pytest.approx(1.0 / (1.0 / 0.04**2 + 1.0 / pooling.MIN_TAU**2))
    # windows of no lift against a prior of 0.2 (share): residuals of 0.2 against a window
    # se of 0.05 and no curve uncertainty; the fitted spread v gives the precision weights
    post, post_var, _, (a, b) = pooling._combine(0.0 * one, 0.05 * one, 0.25 * one, 0.0 * one, one)
    v = max(spread.variance(a, b, 0.2), pooling.MIN_TAU**2)
    # the robust likelihood's equation: r^2 / (se^2 + v) = E[min(Z^2, 2|Z|)] = 2 Phi(2) - 1
    assert v == pytest.approx(0.2**2 / (2 * ndtr(2.0) - 1) - 0.05**2, rel=0.01)
    assert post[0] == pytest.approx(0.05**2 / (0.05**2 + v) * 0.2)
    assert post_var[0] == pytest.approx(1.0 / (1.0 / 0.05**2 + 1.0 / v))


def _cf_world(seed: int, n: int = 400, se: float = 0.04, off_rel: float = 0.0) -> pd.DataFrame:
    """As the lift model measures: the observed streams are known exactly (the baseline
    plus the campaign's lift) and the window's noise is the counterfactual's error, so the
    truth over the counterfactual moves with the window's error."""
    lift = _world(seed, n=n, se=se, off_rel=off_rel)
    rng = np.random.default_rng(seed + 100)
    base = lift["counterfactual_streams"].to_numpy()
    truth = lift["truth"].to_numpy()
    cf = base * (1.0 + rng.normal(0.0, se, n))
    est = base + truth - cf
    return lift.assign(
        counterfactual_streams=cf,
        incremental_streams=est,
        low=est - Z90 * se * cf,
        high=est + Z90 * se * cf,
    )


@pytest.mark.parametrize("seed", [11, 12])
def test_a_counterfactual_error_is_not_counted_twice(seed):
    """Windows whose noise is their counterfactual's error (as the lift model's): the
    truth, in units of the counterfactual, moves with the window's error. Pooled on the
    share of observed streams the intervals cover near their 90 %, neither as wide as the
    windows' own nor narrow, and the error falls well below the windows'."""
    lift = _cf_world(seed)
    out, summary = pooling.pool(lift)
    truth = lift["truth"]
    covered = (out["low"] <= truth) & (truth <= out["high"])
    live = lift["platform"] != "other"
    assert 0.85 <= covered[live].mean() <= 0.95
    pos = truth > 0
    err_alone = ((lift["incremental_streams"] - truth).abs() / truth)[pos]
    err_pooled = ((out["incremental_streams"] - truth).abs() / truth)[pos]
    assert err_pooled.median() < 0.5 * err_alone.median()
    # the true lifts sit on their curves: no spread beyond the floor is learnt
    assert summary["prior_sd"] <= 0.01


def test_a_weak_platform_keeps_its_own_factor():
    """A platform returning a sixth of the others' lift is measurably above zero, but its
    campaigns must not be drawn to the working platforms' curves."""
    lift = _world(8, n=400, se=0.02, dead=1 / 6)
    out, summary = pooling.pool(lift)
    assert "other" not in summary["shaping_platforms"]
    assert 0.05 < summary["platform_factors"]["other"] < 0.4
    weak = lift["platform"] == "other"
    cf = lift["counterfactual_streams"]
    err = (out["incremental_streams"] - lift["truth"]).abs() / cf
    assert err[weak].median() < 0.015  # no pull towards the others' curves (a sixth of ~0.3)


def test_a_scatter_proportional_to_the_lift_is_learnt_and_helps_the_small_lifts():
    """Campaigns scatter around their curve by a fifth of their lift: the fitted spread is
    mostly relative, the small lifts (under 5 %) come out far closer to the truth than their
    windows alone, and the intervals still cover. (The windows' noise is their
    counterfactual's error, as in the lift model.)"""
    lift = _cf_world(9, n=400, off_rel=0.2)
    out, summary = pooling.pool(lift)
    assert summary["prior_spread"]["b"] > 0.1
    assert summary["prior_spread"]["a"] < 0.02
    rho = lift["truth"] / lift["counterfactual_streams"]
    small = (rho > 0) & (rho < 0.05)
    assert small.sum() >= 30
    err_alone = ((lift["incremental_streams"] - lift["truth"]).abs() / lift["truth"])[small]
    err_pooled = ((out["incremental_streams"] - lift["truth"]).abs() / lift["truth"])[small]
    assert err_pooled.median() < 0.5 * err_alone.median()
    covered = (out["low"] <= lift["truth"]) & (lift["truth"] <= out["high"])
    assert 0.85 <= covered.mean() <= 0.99
