"""Least-squares shapes of a departure from the reference level, for the level-shift
judgement in steps.py: the best step (with or without a return), the best ramp that leaves
the level continuously, and the t statistic of a slope (a pulse fading)."""

from __future__ import annotations

import numpy as np


def best_step(d: np.ndarray, first: int = 0, returns: bool = True) -> tuple[float, int, int]:
    """The best step through departures d: (rss, first day, first day back or len(d)),
    zero (the reference level) before the step and after its return; the step starts at
    `first` or later, and without `returns` it lasts to the end."""
    best = (np.inf, first, len(d))
    n = len(d)
    cs = np.concatenate([[0.0], np.cumsum(d)])
    ss = float(d @ d)
    for e in range(first, n - 1):
        for r in range(e + 3 if returns else n, n + 1):  # r = n: no return
            inside = cs[r] - cs[e]
            rss = ss - inside * inside / (r - e)  # the step's days about their mean
            if rss < best[0] - 1e-12:
                best = (rss, e, r)
    return best


def slope_t(j: np.ndarray, d: np.ndarray) -> float:
    """t statistic of the least-squares slope of d on j (0 with fewer than 4 days)."""
    if len(d) < 4:
        return 0.0
    jc = j - j.mean()
    sxx = float(jc @ jc)
    b = float(jc @ d) / sxx
    resid = d - d.mean() - b * jc
    return b / np.sqrt(max(float(resid @ resid) / (len(d) - 2), 1e-12) / sxx)


def hinge_rss(j: np.ndarray, d: np.ndarray, lead: int) -> float:
    """Residual sum of squares of the best ramp that leaves the reference level
    continuously: d = b max(0, j - tau), tau from `lead` days before the departure's
    first day (a ramp starts below the CUSUM's notice) to three days before its last. Continuity is
    what tells a ramp from a step: a step is already its full size on its first day."""
    taus = np.arange(min(-lead, j[0] - 1), j[-1] - 2)[:, None]
    x = np.maximum(0.0, j[None, :] - taus)
    xx = (x * x).sum(axis=1)
    xd = x @ d
    return float((d @ d - xd * xd / np.maximum(xx, 1e-12)).min())
