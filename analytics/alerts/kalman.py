"""A Kalman filter for many daily series at once: local linear trend + day-of-week seasonal.

The model is statsmodels' `UnobservedComponents(level="local linear trend", seasonal=7,
stochastic_seasonal=True)`: state x = [level, trend, s1..s6],

    y_t = level_t + s1_t + eps_t,                   eps ~ N(0, H)
    level_{t+1} = level_t + trend_t + eta_l,        eta_l ~ N(0, q_level)
    trend_{t+1} = trend_t + eta_b,                  eta_b ~ N(0, q_trend)
    s1_{t+1} = -(s1_t + ... + s6_t) + eta_s,        eta_s ~ N(0, q_seasonal)
    s_k,t+1 = s_{k-1},t  (k = 2..6)

Here every array has a leading batch axis (one row per track), so one pass over the days
filters every track: no Python loop over series. The transition is applied with slices
instead of 8x8 matrix products (T is a shift plus two sums), which is what makes 100k
series feasible. Missing days (NaN) are missing observations: the state is propagated
without an update, never treated as zero streams.

The state after the last day (predicted for the next day) is returned so that appending
days later continues the filter exactly without refiltering history (`FilterState`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

K = 8  # level, trend, 6 seasonal states
LOG_2PI = float(np.log(2 * np.pi))


@dataclass(frozen=True)
class Hyper:
    """Variances of the model (statsmodels names: sigma2.irregular/level/trend/seasonal)."""

    irregular: float
    level: float
    trend: float
    seasonal: float

    def as_sm_params(self, irregular: float | None = None) -> np.ndarray:
        irr = self.irregular if irregular is None else irregular
        return np.array([irr, self.level, self.trend, self.seasonal])


@dataclass
class FilterState:
    """Predicted state for the next day, per series: a [N, 8] and P [N, 8, 8]."""

    a: np.ndarray
    P: np.ndarray


@dataclass
class FilterOutput:
    """Per series and day ([N, T]); predictive quantities are before the day's update."""

    pred_mean: np.ndarray  # one-step predictive mean of y_t
    pred_var: np.ndarray  # one-step predictive variance F_t (incl. observation noise)
    trend_mean: np.ndarray  # filtered trend E[b_t | y_1..t]
    trend_var: np.ndarray
    llf_obs: np.ndarray  # log-likelihood contribution (0 where missing)
    intervened: np.ndarray  # bool: the level variance was inflated on this day
    state: FilterState  # predicted state for the day after the last
    filtered: np.ndarray | None = None  # [N, T, 8] filtered states when requested


def _t_rows(m: np.ndarray, axis: int) -> np.ndarray:
    """T applied along `axis` (1 = T @ M, 2 = M @ T') for a batch of matrices or vectors."""
    out = np.empty_like(m)
    sl = [slice(None)] * m.ndim

    def at(i: int | slice) -> tuple:
        s = list(sl)
        s[axis] = i
        return tuple(s)

    out[at(0)] = m[at(0)] + m[at(1)]
    out[at(1)] = m[at(1)]
    out[at(2)] = -m[at(slice(2, K))].sum(axis=axis)
    out[at(slice(3, K))] = m[at(slice(2, K - 1))]
    return out


def predict(state: FilterState, hp: Hyper) -> FilterState:
    """One step of the transition: a <- T a, P <- T P T' + R Q R'."""
    a = _t_rows(state.a, 1)
    P = _t_rows(_t_rows(state.P, 1), 2)
    P[:, 0, 0] += hp.level
    P[:, 1, 1] += hp.trend
    P[:, 2, 2] += hp.seasonal
    return FilterState(a, P)


def _predict_inplace(a: np.ndarray, P: np.ndarray, hp: Hyper, buf: np.ndarray) -> None:
    """`predict` without allocating: a and P are overwritten, buf is [N, 8, 8] scratch
    (the filter's hot loop: fewer passes over the [N, 8, 8] covariance per day)."""
    s1 = -a[:, 2:].sum(axis=1)
    a[:, 0] += a[:, 1]
    a[:, 3:] = a[:, 2:-1].copy()
    a[:, 2] = s1
    np.add(P[:, 0, :], P[:, 1, :], out=buf[:, 0, :])  # rows: buf = T P
    buf[:, 1, :] = P[:, 1, :]
    np.sum(P[:, 2:, :], axis=1, out=buf[:, 2, :])
    buf[:, 2, :] *= -1.0  # (np.negative with out= on a strided self-view misbehaves)
    buf[:, 3:, :] = P[:, 2:-1, :]
    np.add(buf[:, :, 0], buf[:, :, 1], out=P[:, :, 0])  # columns: P = (T P) T'
    P[:, :, 1] = buf[:, :, 1]
    np.sum(buf[:, :, 2:], axis=2, out=P[:, :, 2])
    P[:, :, 2] *= -1.0
    P[:, :, 3:] = buf[:, :, 2:-1]
    P[:, 0, 0] += hp.level
    P[:, 1, 1] += hp.trend
    P[:, 2, 2] += hp.seasonal


def initial_state(y0: np.ndarray, level_var: float = 4.0, other_var: float = 1.0) -> FilterState:
    """A proper (known) prior: level centred on the first observation, wide variances.

    Proper rather than diffuse so that the same initialisation can be given to statsmodels
    (`initialize_known`) and the two filters compared exactly."""
    n = len(y0)
    a = np.zeros((n, K))
    a[:, 0] = np.nan_to_num(y0, nan=0.0)
    P = np.zeros((n, K, K))
    P[:, 0, 0] = level_var
    P[:, 1, 1] = other_var * 0.01  # trend per day: a 10%/day prior sd
    idx = np.arange(2, K)
    P[:, idx, idx] = other_var * 0.1
    return FilterState(a, P)


def kalman_filter(
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
    """Filter y [N, T] (NaN = missing) from the predicted `state` for its first day.

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


def forecast(state: FilterState, hp: Hyper, obs_var: np.ndarray | float, horizon: int):
    """Predictive mean and variance of y for the next `horizon` days: two [N, horizon]."""
    n = state.a.shape[0]
    H = np.broadcast_to(np.asarray(obs_var, dtype=np.float64), (n,))
    mean = np.empty((n, horizon))
    var = np.empty((n, horizon))
    cur = FilterState(state.a.copy(), state.P.copy())
    for h in range(horizon):
        mean[:, h] = cur.a[:, 0] + cur.a[:, 2]
        var[:, h] = cur.P[:, 0, 0] + 2 * cur.P[:, 0, 2] + cur.P[:, 2, 2] + H
        cur = predict(cur, hp)
    return mean, var
