"""How far campaigns' relative lifts sit from their territory's curve: an absolute part and a
part that grows with the lift.

A campaign's relative lift is the curve's prediction times what share of the territory's
streams the campaign can move (fans already streaming, streams that a playlist add brought
in and an ad does not touch), so campaigns with the same spend scatter around the curve in
proportion to the lift itself; a constant spread would be too wide for the small lifts and
too narrow for the large ones. The spread's variance is modelled as

    a^2 + (b x prediction)^2

beside each campaign's own measurement variance, with (a, b) by maximum likelihood of the
residuals, or by a Huber M-estimate of it (`robust`): a residual beyond k standard deviations
counts linearly, so a few windows lifted by a spike their counterfactual could not foresee
cannot inflate the spread of every campaign.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import minimize
from scipy.special import ndtr

START = (0.02, 0.2)  # a (relative lift) and b (share of the prediction) to start from
FLOOR = 1e-4  # keeps both parts positive (and the likelihood finite)


def fit(
    resid: np.ndarray, known: np.ndarray, pred: np.ndarray, robust: float | None = None
) -> tuple[float, float]:
    """(a, b) maximising the normal likelihood of `resid` with variance `known` + a^2 +
    (b pred)^2 (`known`: each residual's own variance, already accounted for). `robust`:
    Huber's k instead, the standardised residual z counting z^2 up to k and 2k|z| - k^2
    beyond; the log-variance term is weighted by E[min(Z^2, k|Z|)] = 2 Phi(k) - 1 for
    Z ~ N(0, 1), so that on normal residuals the estimate is consistent."""
    r2 = np.asarray(resid, float) ** 2
    m2 = np.asarray(pred, float) ** 2
    known = np.asarray(known, float)
    if r2.size < 3:
        return START
    k = robust
    consistency = 1.0 if k is None else float(2.0 * ndtr(k) - 1.0)

    def nll(x: np.ndarray) -> float:
        var = known + np.exp(2 * x[0]) + np.exp(2 * x[1]) * m2
        z2 = r2 / var
        if k is not None:
            z = np.sqrt(z2)
            z2 = np.where(z <= k, z2, 2 * k * z - k * k)
        return float(0.5 * np.sum(consistency * np.log(var) + z2))

    res = minimize(nll, x0=np.log(START), method="Nelder-Mead", options={"xatol": 1e-3})
    a, b = np.maximum(np.exp(res.x), FLOOR)
    return float(a), float(b)


def variance(a: float, b: float, pred: np.ndarray) -> np.ndarray:
    """The spread's variance at each prediction."""
    return a**2 + (b * np.asarray(pred, float)) ** 2
