"""The Hill response curve and its plateau.

A campaign's relative uplift (incremental streams over the streams the track would have had
without it) at spend s is  ceiling * s^h / (s^h + K^h):  `ceiling` the most a territory can
be lifted, `K` the half-saturation spend (half the ceiling) and `h` the steepness (h > 1
gives an S-shape: the first dollars buy little until the audience starts to respond).

The plateau is the spend, past the curve's steepest point, where the marginal uplift per
dollar has fallen to PLATEAU_SHARE of its best; beyond it extra spend stops paying. In units
of K it depends on h only (2.16 K for h = 1, about 3 K for h = 2).
"""

from __future__ import annotations

import numpy as np

PLATEAU_SHARE = 0.10


def hill(spend: np.ndarray | float, ceiling, k, h) -> np.ndarray:
    """Relative uplift at `spend` (broadcasts over every argument)."""
    s = np.maximum(np.asarray(spend, float), 0.0)
    k = np.asarray(k, float)
    h = np.asarray(h, float)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        x = np.power(s / k, h)
        out = np.asarray(ceiling, float) * x / (1.0 + x)
    return np.nan_to_num(out, nan=0.0)


def _slope_shape(x: np.ndarray | float, h: np.ndarray | float) -> np.ndarray:
    """d/dx of x^h / (1 + x^h): the marginal uplift per unit of K, per unit of ceiling."""
    x = np.asarray(x, float)
    return h * np.power(x, h - 1.0) / (1.0 + np.power(x, h)) ** 2


def plateau_ratio(h: np.ndarray | float, share: float = PLATEAU_SHARE) -> np.ndarray:
    """Plateau / K for steepness `h` (>= 1), by bisection past the steepest point."""
    h = np.atleast_1d(np.asarray(h, float)).clip(1.0, None)
    peak_x = np.power((h - 1.0) / (h + 1.0), 1.0 / h)
    target = share * _slope_shape(np.where(peak_x > 0, peak_x, 0.0), h)
    lo, hi = peak_x.copy(), np.full_like(h, 100.0)
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        above = _slope_shape(mid, h) > target
        lo = np.where(above, mid, lo)
        hi = np.where(above, hi, mid)
    return 0.5 * (lo + hi)


def plateau(k: np.ndarray | float, h: np.ndarray | float) -> np.ndarray:
    """The plateau spend, USD, of curves with half-saturation `k` and steepness `h`."""
    return np.asarray(k, float) * plateau_ratio(h).reshape(np.shape(np.asarray(h)))
