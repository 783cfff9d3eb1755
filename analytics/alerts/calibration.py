"""Observation noise and hyperparameters of the alerts model, per aggregation level.

Noise on the log scale follows the series' volume: counts are Poisson-like, so
Var(log(1 + Y)) ~ mu / (1 + mu)^2 (large for a quiet track, negligible for a big artist),
plus an overdispersion term (day-to-day variation beyond Poisson) fitted by maximum
likelihood. Artist totals are far smoother than single tracks (their tracks' day-to-day
variations partly cancel), so the alerts model fits their hyperparameters on artist series
and the tracks' on tracks (`fit_hyper` on each).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from analytics.alerts.kalman import Hyper

# Observation variances are rounded to a grid of 1% steps: series of similar volume then
# share their variance exactly, and with it the filter's covariance recursion (speed), for
# a change far below the uncertainty of the variance itself.
GRID = np.log(1.01)


def quantize(var: np.ndarray) -> np.ndarray:
    """The variances rounded to the 1% grid (relative)."""
    var = np.asarray(var, dtype=float)
    return np.exp(np.round(np.log(var) / GRID) * GRID)


def obs_var(hp: Hyper, level: np.ndarray) -> np.ndarray:
    """Per-series observation variance: the fitted overdispersion plus the Poisson term
    of the series' own volume, on the shared grid."""
    return quantize(hp.irregular + poisson_var(level))


def poisson_var(mu: np.ndarray) -> np.ndarray:
    """Var(log(1 + Y)) for Y ~ Poisson(mu), delta method."""
    mu = np.maximum(np.asarray(mu, dtype=float), 0.0)
    return mu / (1.0 + mu) ** 2


def series_level(counts: np.ndarray) -> np.ndarray:
    """Robust daily volume per series: the median over observed days (NaN-aware)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nan_to_num(np.nanmedian(counts, axis=1), nan=0.0)


# Floor of the trend variance used for monitoring. The MLE on an event-free world says
# trends barely move (~1e-8), which would make the filter's trend a near-global regression
# slope that needs months to notice a new ramp. 5e-6 lets the slope drift by ~0.012/day a
# month at one sd; measured on the demo world: growth found in a median 13 days instead of
# ~50 at a similar false-alarm rate (bench/RESULTS.md).
TREND_FLOOR = 5e-6


def fit_hyper(
    counts: np.ndarray,
    sample: int = 10,
    seed: int = 0,
    maxiter: int = 50,
    days: int = 150,
    trend_floor: float = TREND_FLOOR,
) -> tuple[Hyper, pd.DataFrame]:
    """Maximum likelihood (statsmodels UnobservedComponents) on a sample of series.

    Each sampled series is fitted on its own; the global hyperparameters are the medians
    (robust to the few sampled series that carry an event). The fitted irregular variance
    includes each series' Poisson term, which is removed before taking the median.
    Returns the hyperparameters and the per-series fits (for the run record).
    """
    from statsmodels.tsa.statespace.structural import UnobservedComponents

    level = series_level(counts)
    observed = (~np.isnan(counts[:, -days:])).sum(axis=1)
    eligible = np.flatnonzero((level >= 50) & (observed >= 56))
    if len(eligible) == 0:
        eligible = np.flatnonzero(observed >= 28)
    if len(eligible) == 0:
        raise ValueError("no series with at least 28 observed days to fit the model on")
    rng = np.random.default_rng(seed)
    chosen = rng.choice(eligible, size=min(sample, len(eligible)), replace=False)
    rows = []
    for i in chosen:
        y = np.log1p(counts[i])[-days:]  # the recent past: enough for 4 variances
        first = int(np.flatnonzero(~np.isnan(y))[0])
        mod = UnobservedComponents(
            y[first:], level="local linear trend", seasonal=7, stochastic_seasonal=True
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            # no standard errors: only the estimates are used
            res = mod.fit(disp=False, maxiter=maxiter, cov_type="none")
        irr, lev, tr, se = (float(x) for x in res.params)
        rows.append(
            {
                "series": int(i),
                "irregular": irr - float(poisson_var(level[i])),
                "level": lev,
                "trend": tr,
                "seasonal": se,
                "llf": float(res.llf),
            }
        )
    fits = pd.DataFrame(rows)
    hp = Hyper(
        irregular=max(float(fits.irregular.median()), 1e-4),
        level=max(float(fits.level.median()), 1e-6),
        trend=max(float(fits.trend.median()), trend_floor),
        seasonal=max(float(fits.seasonal.median()), 1e-7),
    )
    return hp, fits
