"""Uplift per segment pooled over campaigns: each segment type (age band x gender x
subscription) responds to ads with one multiplier common to every campaign.

A campaign c lifts its unit by L_c (observed over the counterfactual); its extra streams split
over segments in proportion to baseline x multiplier, so segment s expects
L_c x mu0_cs x m_s / M_c extra streams, M_c being the campaign's baseline-weighted mean
multiplier. m_s is a weighted least-squares slope of the observed extra streams on
L_c x mu0_cs / M_c over all campaigns (zero-lift campaigns carry no weight), iterated with M_c;
then shrunk towards the typical multiplier by its sampling variance (empirical Bayes), so a
rare segment's multiplier is not decided by a few lucky campaigns. One campaign's split of its
streams is noisy (streams arrive in clumps), 400 campaigns' split is not: pooling is what makes
the ranking stable. The counterfactual is the cell's base x the peer growth (see
uplift_features); the predicted streams are the counterfactual plus the pooled extra, so a
segment's score is its predicted relative uplift. Chosen over the T-learner because it
ranks segments better on planted worlds (bench/RESULTS.md), and needs no boosting.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analytics.campaigns.uplift import CellEffects
from analytics.campaigns.uplift_features import LIFT_SHRINK, PEER_GROWTH_RANGE, SEGMENT

N_ITER = 30
# Noise variance of a cell's extra streams taken as counterfactual ** NOISE_POWER (1: Poisson).
NOISE_POWER = 1.0
# A unit lift above this is a near-empty counterfactual (no streams before), not a response.
MAX_LIFT = 2.0


def _unit_lift(t: pd.DataFrame, mu0: np.ndarray) -> np.ndarray:
    """Per cell: its unit's observed streams over the counterfactual, minus 1, in
    [0, MAX_LIFT]; 0 (no weight) for a unit whose lift is above MAX_LIFT or whose peer
    growth is at a bound of its range."""
    frame = pd.DataFrame({"unit": t["unit"].to_numpy(), "y": t["y"].to_numpy(), "mu0": mu0})
    sums = frame.groupby("unit")[["y", "mu0"]].transform("sum")
    lift = sums["y"] / sums["mu0"].where(sums["mu0"] > 0, 1.0) - 1.0
    # Peer growth clipped to its range: the counterfactual was not measured but bounded,
    # typically a track launched days before its campaign, whose launch then reads as the
    # campaign's lift (fresh seed 72: one such unit, lift 0.88 against a planted 0.001,
    # carried half of the slopes' weight and P ranked segments worse than random).
    lo, hi = PEER_GROWTH_RANGE
    bounded = ((t["peer_growth"] <= lo) | (t["peer_growth"] >= hi)).to_numpy()
    return np.where(bounded, 0.0, lift.where(lift <= MAX_LIFT, 0.0).clip(lower=0.0).to_numpy())


def multipliers(
    t: pd.DataFrame, mu0: np.ndarray, lift: np.ndarray, shrink: bool = True
) -> tuple[pd.Series, np.ndarray]:
    """The pooled multiplier per segment type (index: SEGMENT) and per cell M_c.

    t: treated cells (unit, y, SEGMENT columns); mu0, lift: per cell counterfactual and unit
    lift."""
    seg_codes, seg_index = pd.MultiIndex.from_frame(t[SEGMENT]).factorize()
    unit_codes, _ = pd.factorize(t["unit"])
    n_seg = len(seg_index)
    extra = t["y"].to_numpy() - mu0
    weight = 1.0 / (np.maximum(mu0, 1e-9) ** NOISE_POWER)  # 1 / noise variance
    m = np.ones(n_seg)
    for _ in range(N_ITER):
        big_m = _unit_mean(m[seg_codes], mu0, unit_codes)
        x = lift * mu0 / big_m
        num = np.bincount(seg_codes, weight * x * extra, n_seg)
        den = np.bincount(seg_codes, weight * x * x, n_seg)
        m_new = np.where(den > 0, np.clip(num / np.where(den > 0, den, 1.0), 0.0, None), 1.0)
        m_new = m_new / _volume_mean(m_new, seg_codes, mu0)
        if np.allclose(m_new, m, rtol=1e-6):
            m = m_new
            break
        m = m_new
    if shrink:
        big_m = _unit_mean(m[seg_codes], mu0, unit_codes)
        x = lift * mu0 / big_m
        den = np.bincount(seg_codes, weight * x * x, n_seg)
        resid = extra - x * m[seg_codes]
        # Sandwich variance of each slope: robust to the noise model being off.
        var = (
            np.bincount(seg_codes, (weight * x * resid) ** 2, n_seg)
            / np.where(den > 0, den, 1.0) ** 2
        )
        m = _empirical_bayes(m, np.where(den > 0, var, np.inf), seg_codes, mu0)
    seg_index = pd.MultiIndex.from_tuples(list(seg_index), names=SEGMENT)
    return pd.Series(m, index=seg_index), _unit_mean(m[seg_codes], mu0, unit_codes)


def _unit_mean(m_cell: np.ndarray, mu0: np.ndarray, unit_codes: np.ndarray) -> np.ndarray:
    """Per cell: its unit's counterfactual-weighted mean multiplier."""
    num = np.bincount(unit_codes, m_cell * mu0)
    den = np.bincount(unit_codes, mu0)
    mean = num / np.where(den > 0, den, 1.0)
    return np.where(mean > 0, mean, 1.0)[unit_codes]


def _volume_mean(m: np.ndarray, seg_codes: np.ndarray, mu0: np.ndarray) -> float:
    """Mean multiplier weighted by each segment's counterfactual streams (scale: about 1)."""
    vol = np.bincount(seg_codes, mu0, len(m))
    mean = float(np.sum(m * vol) / vol.sum()) if vol.sum() > 0 else 1.0
    return mean if mean > 0 else 1.0


def _empirical_bayes(
    m: np.ndarray, var: np.ndarray, seg_codes: np.ndarray, mu0: np.ndarray
) -> np.ndarray:
    """Each multiplier pulled towards the volume-weighted mean by its sampling variance; the
    spread of the true multipliers (tau^2) by the method of moments."""
    ok = np.isfinite(var)
    if ok.sum() < 2:
        return m
    vol = np.bincount(seg_codes, mu0, len(m))[ok]
    w = vol / vol.sum()
    centre = float(np.sum(w * m[ok]))
    tau2 = max(float(np.sum(w * (m[ok] - centre) ** 2) - np.sum(w * var[ok])), 1e-6)
    keep = np.where(ok, tau2 / (tau2 + np.where(ok, var, 0.0)), 0.0)
    return centre + keep * (m - centre)


def pooled(features: pd.DataFrame, shrink: bool = True) -> CellEffects:
    """Effects on the treated cells from the pooled multipliers (see the module)."""
    t = features[features["role"] == "treated"]
    mu0 = (t["base"] * t["peer_growth"] * t["days"]).to_numpy()
    lift = _unit_lift(t, mu0)
    m, big_m = multipliers(t, mu0, lift, shrink=shrink)
    m_cell = m.reindex(pd.MultiIndex.from_frame(t[SEGMENT])).to_numpy()
    # One campaign's lift is noisy: taken half-way to the average lift it ranks territories
    # better (chosen on two planted worlds, checked on fresh ones).
    average = float(np.average(lift, weights=mu0)) if mu0.sum() > 0 else 0.0
    unit_lift = LIFT_SHRINK * lift + (1.0 - LIFT_SHRINK) * average
    predicted = mu0 * (1.0 + unit_lift * m_cell / big_m)
    return CellEffects(t.assign(counterfactual=mu0, predicted=predicted, observed=t["y"]))
