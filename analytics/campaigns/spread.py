"""How far campaigns' relative lifts sit from their territory's curve: an absolute part and a
part that grows with the lift.

A campaign's relative lift is the curve's prediction times what share of the territory's
streams the campaign can move (fans already streaming, streams that a playlist add brought
in and an ad does not touch), so campaigns with the same spend scatter around the curve in
proportion to the lift itself; a constant spread would be too wide for the small lifts and
too narrow for the large ones. The spread's variance is modelled as

    a^2 + (b x prediction)^2

beside each campaign's own measurement variance, with (a, b) by maximum likelihood of the
residuals.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import minimize

START = (0.02, 0.2)  # a (relative lift) and b (share of the prediction) to start from
FLOOR = 1e-4  # keeps both parts positive (and the likelihood finite)


def fit(resid: np.ndarray, known: np.ndarray, pred: np.ndarray) -> tuple[float, float]:
    """(a, b) maximising the normal likelihood of `resid` with variance `known` + a^2 +
    (b pred)^2 (`known`: each residual's own variance, already accounted for)."""
    r2 = np.asarray(resid, float) ** 2
    m2 = np.asarray(pred, float) ** 2
    known = np.asarray(known, float)
    if r2.size < 3:
        return START

    def nll(x: np.ndarray) -> float:
        var = known + np.exp(2 * x[0]) + np.exp(2 * x[1]) * m2
        return float(0.5 * np.sum(np.log(var) + r2 / var))

    res = minimize(nll, x0=np.log(START), method="Nelder-Mead", options={"xatol": 1e-3})
    a, b = np.maximum(np.exp(res.x), FLOOR)
    return float(a), float(b)


def variance(a: float, b: float, pred: np.ndarray) -> np.ndarray:
    """The spread's variance at each prediction."""
    return a**2 + (b * np.asarray(pred, float)) ** 2
