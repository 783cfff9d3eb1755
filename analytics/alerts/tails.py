"""One-day tail events judged on the count's own distribution.

The filter works on log(1 + streams), where a Gaussian predictive is a good model for
moderate moves. For a quiet series its lower tail is too long: a Poisson count of 46 that
comes in at 16 is 5.6 sd low on the log scale but about 4 sd on the counts (the log
stretches small counts). So a day is a tail event only if it is one on both scales: the
log-scale z and the count's Poisson-lognormal predictive, whose lognormal part (median =
the one-step prediction, variance = what the log-scale predictive holds beyond the Poisson
term) is the filter's own model; for a loud series the two tests agree.
"""

from __future__ import annotations

import numpy as np
from scipy.stats import norm, poisson

# The lognormal part is integrated on a grid of its standard normal variable: +-9 sd in
# steps of 0.025 sd (the z found is within about 0.01 of the exact one).
_U = np.linspace(-9.0, 9.0, 721)
_W = norm.pdf(_U) * (_U[1] - _U[0])


def count_z(y_log, mean_log, var_log) -> np.ndarray:
    """Signed z of each observed count (log1p scale in) under its Poisson-lognormal
    predictive: the normal quantile of its tail probability (upper for a rise, lower for a
    fall)."""
    lam = np.maximum(np.expm1(np.asarray(mean_log, dtype=float)), 1e-9)
    y = np.round(np.expm1(np.asarray(y_log, dtype=float)))
    var = np.broadcast_to(np.asarray(var_log, dtype=float), lam.shape)
    poisson_part = lam / (1.0 + lam) ** 2  # of Var(log(1 + Y)), delta method
    s = np.sqrt(np.maximum(var - poisson_part, 1e-10))
    rates = lam[..., None] * np.exp(s[..., None] * _U)
    up = y > lam
    yy = y[..., None]
    tail = np.where(
        up,
        (poisson.sf(yy - 1, rates) * _W).sum(axis=-1),
        (poisson.cdf(yy, rates) * _W).sum(axis=-1),
    )
    z = norm.isf(np.maximum(tail, 1e-300))
    return np.where(up, z, -z)


def confirmed(y_log, mean_log, var_log, z_min: float) -> np.ndarray:
    """Which log-scale tail days are tail days of the counts too (bool, same shape)."""
    return np.abs(count_z(y_log, mean_log, var_log)) >= z_min
