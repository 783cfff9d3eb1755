"""The per-series vectorised Kalman filter: every series carries its own covariance.

Kept as the reference that `kalman.kalman_filter` (shared covariance recursions) must
reproduce exactly, and as the second baseline of bench/alerts_filter_speed.py.
"""

from __future__ import annotations

import numpy as np

from analytics.alerts.kalman import (
    LOG_2PI,
    FilterOutput,
    FilterState,
    Hyper,
    K,
    _predict_inplace,
)
from analytics.alerts.tails import confirmed


def kalman_filter_dense(
    y: np.ndarray,
    hp: Hyper,
    obs_var: np.ndarray | float,
    state: FilterState,
    *,
    intervene_z: float | None = None,
    active: np.ndarray | None = None,
    keep_filtered: bool = False,
    out_dtype: type = np.float64,
) -> FilterOutput:
    """Filter y [N, T] (NaN = missing) from the predicted `state` for its first day, one
    covariance per series.

    `obs_var` is H per series ([N] or scalar). With `intervene_z`, a day whose standardized
    innovation exceeds it gets its level variance inflated by the squared innovation before
    the update (an intervention: the filter accepts a sudden level change at once instead of
    dragging a slow adjustment through the next weeks; West & Harrison's monitoring idea).
    `active` [N, T] bool: days on which interventions are allowed (e.g. after a burn-in).
    """
    y = np.asarray(y, dtype=np.float64)
    n, t_len = y.shape
    H = np.broadcast_to(np.asarray(obs_var, dtype=np.float64), (n,))
    a, P = state.a.copy(), state.P.copy()
    shape = (n, t_len)
    pred_mean = np.empty(shape, out_dtype)
    pred_var = np.empty(shape, out_dtype)
    trend_mean = np.empty(shape, out_dtype)
    trend_var = np.empty(shape, out_dtype)
    llf = np.zeros(shape, np.float64)
    intervened = np.zeros(shape, bool)
    filtered = np.empty((n, t_len, K)) if keep_filtered else None
    buf = np.empty_like(P)
    for t in range(t_len):
        yhat = a[:, 0] + a[:, 2]
        pz = P[:, :, 0] + P[:, :, 2]  # P Z'
        F = pz[:, 0] + pz[:, 2] + H
        obs = ~np.isnan(y[:, t])
        v = np.where(obs, y[:, t] - yhat, 0.0)
        pred_mean[:, t] = yhat
        pred_var[:, t] = F
        F_upd = F
        if intervene_z is not None:
            jump = obs & (v * v > intervene_z**2 * F)
            if active is not None:
                jump &= active[:, t]
            jump[jump] = confirmed(y[jump, t], yhat[jump], F[jump], intervene_z)
            if jump.any():
                intervened[:, t] = jump
                P[jump, 0, 0] += v[jump] ** 2
                pz = P[:, :, 0] + P[:, :, 2]
                F_upd = pz[:, 0] + pz[:, 2] + H
        gain = pz / F_upd[:, None]
        gain[~obs] = 0.0
        a += gain * v[:, None]
        np.multiply(gain[:, :, None], pz[:, None, :], out=buf)
        P -= buf
        llf[:, t] = np.where(obs, -0.5 * (LOG_2PI + np.log(F) + v * v / F), 0.0)
        trend_mean[:, t] = a[:, 1]
        trend_var[:, t] = P[:, 1, 1]
        if filtered is not None:
            filtered[:, t] = a
        _predict_inplace(a, P, hp, buf)
    cur = FilterState(a, P)
    return FilterOutput(pred_mean, pred_var, trend_mean, trend_var, llf, intervened, cur, filtered)
