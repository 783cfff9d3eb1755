"""One-day tail events judged on the count's own distribution.

The filter works on log(1 + streams), where a Gaussian predictive is a good model for
moderate moves. For a quiet series its lower tail is too long: a Poisson count of 46 that
comes in at 16 is 5.6 sd low on the log scale but 4 sd on the counts (the log stretches small
counts). So a day is a tail event only if it is one on both scales: the log-scale z and the
count's gamma-Poisson predictive (mean = the one-step prediction, overdispersion = what the
log-scale predictive variance holds beyond the Poisson term).
"""

from __future__ import annotations

import numpy as np
from scipy.stats import nbinom, norm


def count_z(y_log: np.ndarray, mean_log: np.ndarray, var_log: np.ndarray) -> np.ndarray:
    """Signed z of each observed count (log1p scale in) under its gamma-Poisson predictive:
    the normal quantile of its tail probability (upper for a rise, lower for a fall)."""
    lam = np.maximum(np.expm1(np.asarray(mean_log, dtype=float)), 1e-9)
    y = np.round(np.expm1(np.asarray(y_log, dtype=float)))
    poisson = lam / (1.0 + lam) ** 2  # the Poisson part of Var(log(1 + Y)), delta method
    shape = 1.0 / np.maximum(np.asarray(var_log, dtype=float) - poisson, 1e-6)
    p = shape / (shape + lam)
    up = y > lam
    with np.errstate(divide="ignore"):
        tail = np.where(up, nbinom.sf(y - 1, shape, p), nbinom.cdf(y, shape, p))
        z = norm.isf(np.maximum(tail, 1e-300))
    return np.where(up, z, -z)


def confirmed(y_log, mean_log, var_log, z_min: float) -> np.ndarray:
    """Which log-scale tail days are tail days of the counts too (bool, same shape)."""
    return np.abs(count_z(y_log, mean_log, var_log)) >= z_min
