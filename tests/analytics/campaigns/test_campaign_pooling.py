"""Pooling each campaign's lift with its territory's response (analytics.campaigns.pooling),
on SYNTHETIC lifts: planted Hill curves per territory, one dead platform, window estimates
= truth + normal noise of a known size."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analytics.campaigns import hill as hc
from analytics.campaigns import pooling

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


def test_prior_spread_recovers_a_known_spread_and_covers_a_heavy_tail():
    rng = np.random.default_rng(6)
    known = np.full(4000, 0.03**2)
    r = rng.normal(0.0, np.sqrt(known + 0.02**2))
    assert np.sqrt(pooling._prior_spread(r**2, known)) == pytest.approx(0.02, rel=0.2)
    r[:400] *= 3  # a tenth of the campaigns far off their curve
    tau2 = pooling._prior_spread(r**2, known)
    inside = np.abs(r) <= Z90 * np.sqrt(known + tau2)
    assert inside.mean() == pytest.approx(0.90, abs=0.01)
    assert np.sqrt(tau2) > 0.03  # the tail widened the prior


def test_a_cautious_widening_does_not_hide_how_far_campaigns_sit_off_their_curves():
    lift = _world(7, off=0.02)
    cf = lift["counterfactual_streams"]
    # the intervals were widened 1.5 times after the placebo runs (the noise is still 4 %)
    lift["low"] = lift["incremental_streams"] - Z90 * 0.06 * cf
    lift["high"] = lift["incremental_streams"] + Z90 * 0.06 * cf
    _, naive = pooling.pool(lift)
    out, told = pooling.pool(lift, widening=1.5)
    assert told["prior_sd"] > naive["prior_sd"]
    covered = (out["low"] <= lift["truth"]) & (lift["truth"] <= out["high"])
    assert 0.85 <= covered.mean() <= 0.99


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
    windows alone, and the intervals still cover."""
    lift = _world(9, n=400, off_rel=0.2)
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
