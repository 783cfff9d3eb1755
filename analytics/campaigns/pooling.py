"""Per-campaign lifts pooled with what the campaign's territory and platform usually return
(empirical Bayes).

One window's own measurement is noisy: a campaign that lifts its territory by a few percent
sits inside the territory's day-to-day noise. But campaigns are not unrelated: in one
territory the relative lift follows a saturating response to spend (`response`), and a
platform that moves nothing moves nothing anywhere. So each campaign's relative lift
y_i = incremental / counterfactual (standard error s_i, from its own interval) is combined
with a prior from the other campaigns:

    prior mean  m_i = f_p x curve_t(spend_i)       (territory t, platform p)
    prior var   curve: f_p^2 Var(curve_t(spend_i)) + leverage correction, and
                spread: a^2 + (b x prior_i)^2     (spread.py: the scatter grows with the lift)

The combination is made on the share of the window's observed streams the campaign added,
I / O = y / (1 + y) from the window and m / (1 + m) from the curve (`_combine` says why: on
that scale the window's and the prior's errors are independent), as the precision-weighted
mean. The platform factor f_p is a weighted regression of the lifts on the curve's
prediction, pooled over territories; platforms whose factor is not above zero at 90 %, or
clearly below the common curve's, do not shape the curves (they would drag every curve
towards zero) and keep their own factor, whose uncertainty widens their prior. The spread
(a, b) of true lifts around the prior mean is a robust (Huber) likelihood estimate on the
held-out residuals, each with its window's calibrated variance. The curve was
fitted on the campaign's own lift too; the leverage of that lift on its own prediction
(Gauss-Newton hat value) is taken out, so a campaign never counts twice. A campaign whose
own measurement is precise hardly moves; a noisy one moves towards what its spend usually
buys in its territory.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import ndtr

from analytics.campaigns import hill as hc
from analytics.campaigns import response as rs
from analytics.campaigns import spread

Z90 = 1.6449
MIN_CAMPAIGNS = 20  # fewer measured campaigns: no prior worth the name, lifts left alone
MIN_TAU = 0.005  # floor on the prior spread of the lifts (half a percent of the streams)
# guards 1 + lift: a window's streams never read as below 5 % of its counterfactual
MIN_OBSERVED = 0.05


def platform_factors(df: pd.DataFrame, pred: np.ndarray, noise: float) -> dict[str, tuple]:
    """Per platform: (factor, standard error) of y = factor x prediction, weighted least
    squares over every territory, with Huber weights beyond rs.ROBUST_SCALE standard
    deviations: one window lifted by a spike its counterfactual could not foresee (a
    zero-effect campaign measured at +200 %) must not give a dead platform a factor of 0.8."""
    w0 = 1.0 / (df["se"].to_numpy() ** 2 + noise**2)
    y = df["y"].to_numpy()
    out = {}
    for p, idx in df.groupby("platform").indices.items():
        w = w0[idx]
        for _ in range(20):  # iteratively reweighted least squares
            xx = float((w * pred[idx] ** 2).sum())
            if xx <= 0:
                break
            f = float((w * y[idx] * pred[idx]).sum()) / xx
            z = np.abs(y[idx] - f * pred[idx]) * np.sqrt(w0[idx])
            w_new = w0[idx] * np.minimum(1.0, rs.ROBUST_SCALE / np.maximum(z, 1e-12))
            if np.allclose(w_new, w, rtol=1e-6):
                break
            w = w_new
        if xx > 0:
            out[str(p)] = (f, float(1.0 / np.sqrt(xx)))
    return out


def _predict(fit: rs.Fit, df: pd.DataFrame, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Each campaign's relative lift on its territory's curve, and that prediction's
    variance over the curve's parameter draws."""
    curves = rs.curves_for(fit, sorted(df["country"].unique()), seed)
    mean = np.empty(len(df))
    var = np.empty(len(df))
    for i, (c, s) in enumerate(zip(df["country"], df["spend_usd"], strict=True)):
        mean[i] = float(curves[c].uplift(float(s)))
        var[i] = float(np.var(curves[c].uplift_draws(float(s))))
    return mean, var


def _leverage(fit: rs.Fit, df: pd.DataFrame, sd: np.ndarray) -> np.ndarray:
    """Hat value of each campaign on its own curve's prediction: h = g' C g / sd^2, with g
    the prediction's gradient in the curve parameters (numerical) and C their Laplace
    covariance (taken from the draws)."""
    h = np.zeros(len(df))
    for c, idx in df.groupby("country").indices.items():
        curve = fit.curves.get(c)
        if curve is None:
            continue
        d = curve.draws
        theta = np.log(np.column_stack([d[:, 0], d[:, 1], d[:, 2] - 1.0 + 1e-9]))
        cov = np.cov(theta, rowvar=False)
        base = np.log([curve.ceiling, curve.half_saturation_usd, curve.hill - 1.0 + 1e-9])
        spend = df["spend_usd"].to_numpy(float)[idx]
        grads = []
        for k in range(3):
            step = np.zeros(3)
            step[k] = 1e-4
            up, dn = np.exp(base + step), np.exp(base - step)
            f_up = hc.hill(spend, up[0], up[1], up[2] + 1.0)
            f_dn = hc.hill(spend, dn[0], dn[1], dn[2] + 1.0)
            grads.append((f_up - f_dn) / 2e-4)
        g = np.column_stack(grads)
        h[idx] = np.einsum("ij,jk,ik->i", g, cov, g) / sd[idx] ** 2
    return np.clip(h, 0.0, 0.9)


def _spread_var(a: float, b: float, m: np.ndarray) -> np.ndarray:
    """The prior's spread (variance, share-of-observed units) at relative prior means `m`,
    never below MIN_TAU^2."""
    return np.maximum(spread.variance(a, b, np.abs(_share(m))), MIN_TAU**2)


def _share(rel: np.ndarray) -> np.ndarray:
    """A relative lift (incremental / counterfactual) as a share of the observed streams,
    incremental / (counterfactual + incremental)."""
    return rel / np.maximum(1.0 + rel, MIN_OBSERVED)


def _combine(
    y: np.ndarray, se: np.ndarray, m: np.ndarray, curve_var: np.ndarray, cf: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, tuple[float, float]]:
    """Posterior share of each window's observed streams that the campaign added: (mean,
    variance, observed streams, fitted spread (a, b)).

    Why the share of observed streams and not the lift relative to the counterfactual: the
    counterfactual's own error is most of a window's noise, and on the relative scale the
    truth, incremental / counterfactual, moves with it (a counterfactual 5 % low makes the
    window's lift and the truth in its units both look higher), so window and prior errors
    are correlated and the spread fitted to their residuals counts that noise twice. The
    observed streams O = counterfactual x (1 + y) hold the lift and need no counterfactual:
    the window says I/O = y / (1 + y) with standard error se / (1 + y) and the curve says
    m / (1 + m), whose errors are independent.

    The prior's spread around the curves, a^2 + (b x prior)^2, is a Huber M-estimate
    (spread.fit, k = the curves' ROBUST_SCALE) on the held-out residuals with each
    window's calibrated variance (after the placebo widening: the band the window is read
    with) and the curve's, so the few windows confounded by an event their counterfactual
    could not foresee cannot widen every campaign's prior."""
    one_plus_y = np.maximum(1.0 + y, MIN_OBSERVED)
    s, s_se = y / one_plus_y, se / one_plus_y
    prior = _share(m)
    # delta method: d(m / (1 + m)) / dm = 1 / (1 + m)^2
    prior_curve_var = curve_var / np.maximum(1.0 + m, MIN_OBSERVED) ** 4
    a, b = spread.fit(s - prior, s_se**2 + prior_curve_var, np.abs(prior), robust=rs.ROBUST_SCALE)
    v = _spread_var(a, b, m) + prior_curve_var
    post_var = 1.0 / (1.0 / s_se**2 + 1.0 / v)
    post = post_var * (s / s_se**2 + prior / v)
    return post, post_var, cf * one_plus_y, (a, b)


def _platforms(
    df: pd.DataFrame, cost: Mapping[str, float] | None, seed: int, spread_model: str = "constant"
) -> tuple[dict[str, tuple[float, float]], list[str]]:
    """Every platform's factor against the all-platform curves, and the platforms that
    shape the curves: factor above zero at 90 % and not clearly below the common curve (a
    platform that returns a fraction of what the others do keeps its own factor instead of
    being drawn to theirs)."""
    fit_all = rs.fit(df, cost=cost, seed=seed, spread_model=spread_model)
    pred_all, _ = _predict(fit_all, df, seed)
    factors = platform_factors(df, pred_all, fit_all.noise)
    shaping = [p for p, (f, se) in factors.items() if f - Z90 * se > 0 and f + Z90 * se >= 1]
    return factors, sorted(shaping)


def shaping_lifts(
    lift: pd.DataFrame, *, cost: Mapping[str, float] | None = None, seed: int = 0
) -> pd.DataFrame:
    """The lifts of the platforms with a measurable effect: what response curves are fitted
    on (a platform that moves nothing would drag every territory's curve towards zero). All
    of them when there are too few to tell, or none would be left."""
    df = rs.prepare(lift)
    if len(df) < MIN_CAMPAIGNS:
        return lift
    _, live = _platforms(df, cost, seed)
    return lift[lift["platform"].isin(live)] if live else lift


def _usable(lift: pd.DataFrame) -> pd.Series:
    """The rows response.prepare keeps (same order)."""
    return (
        lift["incremental_streams"].notna()
        & (lift["counterfactual_streams"] > 0)
        & (lift["spend_usd"] > 0)
    )


def pool(
    lift: pd.DataFrame,
    *,
    cost: Mapping[str, float] | None = None,
    seed: int = 0,
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """`lift` (campaign_id and response.INPUT_COLS, one row per campaign) with
    incremental_streams, low, high and p_effect replaced by their pooled values where a lift
    was measured, and `window_streams` holding the window's own estimate. The windows'
    intervals are read as calibrated (after the lift model's placebo widening): the same
    band the posterior combines is the one the prior's spread is measured against. The
    summary says what the prior was (or why there was none)."""
    out = lift.copy()
    out["window_streams"] = out["incremental_streams"]
    df = rs.prepare(lift)
    ids = lift.loc[_usable(lift), "campaign_id"].to_numpy()
    if len(df) < MIN_CAMPAIGNS:
        return out, {"pooled": 0, "reason": f"fewer than {MIN_CAMPAIGNS} measured campaigns"}
    factors, live = _platforms(df, cost, seed, "relative")
    if not live:
        return out, {"pooled": 0, "reason": "no platform with a measurable effect"}
    shaping = df[df["platform"].isin(live)].reset_index(drop=True)
    fit = rs.fit(shaping, cost=cost, seed=seed, spread_model="relative")
    pred, pred_var = _predict(fit, df, seed)
    # The other platforms' factors, measured against the curves of the shaping ones.
    dead = platform_factors(df[~df["platform"].isin(live)].reset_index(drop=True),
                            pred[~df["platform"].isin(live).to_numpy()], fit.noise)  # fmt: skip
    f = np.array([1.0 if p in live else dead.get(p, (0.0, 0.0))[0] for p in df["platform"]])
    # such a factor is itself an estimate: its uncertainty widens those priors
    f_se = np.array([0.0 if p in live else dead.get(p, (0.0, 1.0))[1] for p in df["platform"]])
    y, se = df["y"].to_numpy(), df["se"].to_numpy()
    h = np.zeros(len(df))
    is_live = df["platform"].isin(live).to_numpy()
    h_live = _leverage(
        fit, shaping, np.sqrt(shaping["se"].to_numpy() ** 2 + fit.extra_var(pred[is_live]))
    )
    h[is_live] = h_live
    # Leave the campaign's own pull out of its prior mean: m_-i = m - h (y - m) / (1 - h).
    m = f * pred
    m = m - h / (1.0 - h) * (y - m)
    # The curves' parameter uncertainty (and a weak platform's factor's) at each campaign.
    curve_var = f**2 * pred_var / (1.0 - h) + (f_se * pred) ** 2
    cf = df["counterfactual_streams"].to_numpy(float)
    post, post_var, observed, (a, b) = _combine(y, se, m, curve_var, cf)
    est = post * observed
    sd = np.sqrt(post_var) * observed
    out = out.set_index("campaign_id", drop=False)
    out.loc[ids, "incremental_streams"] = est
    out.loc[ids, "low"] = est - Z90 * sd
    out.loc[ids, "high"] = est + Z90 * sd
    out.loc[ids, "p_effect"] = ndtr(post / np.sqrt(post_var))
    summary = {
        "pooled": int(len(df)),
        # the typical campaign's spread around its curve, as a share of its window's streams
        "prior_sd": round(float(np.median(np.sqrt(_spread_var(a, b, m)))), 4),
        "prior_spread": {"a": round(a, 4), "b": round(b, 3)},
        "shaping_platforms": live,
        "platform_factors": {p: round(v[0], 3) for p, v in factors.items()},
    }
    return out.reset_index(drop=True), summary
