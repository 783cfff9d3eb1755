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
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from analytics.alerts.steps import StepMonitor

K = 8  # level, trend, 6 seasonal states
LOG_2PI = float(np.log(2 * np.pi))
# At a level shift the level's variance is widened by this share of the squared shift: the
# new level is taken from the mean innovation since the start, give or take half of it.
STEP_INFLATE = 0.25


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


def _predict_mean(a: np.ndarray) -> None:
    """a <- T a in place."""
    s1 = -a[:, 2:].sum(axis=1)
    a[:, 0] += a[:, 1]
    a[:, 3:] = a[:, 2:-1].copy()
    a[:, 2] = s1


def _predict_mean_t(a: np.ndarray) -> None:
    """a <- T a in place for a state-major a [8, N]."""
    s1 = -a[2:].sum(axis=0)
    a[0] += a[1]
    a[3:] = a[2:-1].copy()
    a[2] = s1


def _predict_cov(P: np.ndarray, hp: Hyper, buf: np.ndarray) -> None:
    """P <- T P T' + R Q R' in place; buf is [N, 8, 8] scratch (the filter's hot loop:
    fewer passes over the covariances per day)."""
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


def _predict_inplace(a: np.ndarray, P: np.ndarray, hp: Hyper, buf: np.ndarray) -> None:
    """`predict` without allocating: a and P are overwritten, buf is [N, 8, 8] scratch."""
    _predict_mean(a)
    _predict_cov(P, hp, buf)


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


def _transpose(x: np.ndarray, block: int = 256) -> np.ndarray:
    """x.T as a C-contiguous copy, in column blocks (a plain transposed copy of a large
    float64 array walks memory with a huge stride and is several times slower)."""
    x = np.asarray(x)
    out = np.empty(x.shape[1::-1] + x.shape[2:], x.dtype)
    for j in range(0, x.shape[1], block):
        out[j : j + block] = x[:, j : j + block].swapaxes(0, 1)
    return out


def _slots(obs: np.ndarray, H: np.ndarray, P: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Covariance slot of each series and one representative series per slot.

    P, the gain and F never depend on y: series with the same observation variance, the
    same starting covariance and the same missing days run the same covariance recursion,
    so it is computed once per slot (exact: identical inputs, identical arithmetic)."""
    n = len(H)
    key = np.concatenate(
        [
            np.ascontiguousarray(H).view(np.uint8).reshape(n, -1),
            np.ascontiguousarray(P).reshape(n, -1).view(np.uint8),
            np.packbits(obs, axis=1),
        ],
        axis=1,
    )
    rows = np.ascontiguousarray(key).view(np.dtype((np.void, key.shape[1]))).ravel()
    _, rep, slot = np.unique(rows, return_index=True, return_inverse=True)
    return slot.ravel(), rep


class _SlotCov:
    """Covariances per slot; a series whose level variance is inflated (an intervention)
    moves to a slot of its own from that day on (its recursion now differs)."""

    def __init__(self, P: np.ndarray, H: np.ndarray, obs: np.ndarray, rep: np.ndarray):
        self.g = len(rep)
        cap = self.g + 64
        self.P = np.empty((cap, K, K))
        self.P[: self.g] = P[rep]
        self.H = np.empty(cap)
        self.H[: self.g] = H[rep]
        self.obs = np.empty((cap, obs.shape[1]), bool)
        self.obs[: self.g] = obs[rep]

    def split(self, slot: np.ndarray, idx: np.ndarray, inflate: np.ndarray) -> None:
        """Series `idx` get their own slots, copies of their current ones with P[0, 0]
        increased by `inflate`."""
        k, g = len(idx), self.g
        if g + k > len(self.H):
            cap = 2 * (g + k)
            for name in ("P", "H", "obs"):
                old = getattr(self, name)
                new = np.empty((cap, *old.shape[1:]), old.dtype)
                new[:g] = old[:g]
                setattr(self, name, new)
        src = slot[idx]
        self.P[g : g + k] = self.P[src]
        self.P[g : g + k, 0, 0] += inflate
        self.H[g : g + k] = self.H[src]
        self.obs[g : g + k] = self.obs[src]
        slot[idx] = np.arange(g, g + k)
        self.g = g + k


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
    loglik: bool = True,
    steps: StepMonitor | None = None,
) -> FilterOutput:
    """Filter y [N, T] (NaN = missing) from the predicted `state` for its first day.

    `obs_var` is H per series ([N] or scalar). With `intervene_z`, a day whose standardized
    innovation exceeds it gets its level variance inflated by the squared innovation before
    the update (an intervention: the filter accepts a sudden level change at once instead of
    dragging a slow adjustment through the next weeks; West & Harrison's monitoring idea).
    `active` [N, T] bool: days on which interventions are allowed (e.g. after a burn-in).

    The covariance recursion runs once per slot of series that share it (`_slots`); only
    the means are updated per series. Same output as `kalman_dense.kalman_filter_dense`.
    `loglik=False` leaves llf_obs at zero. With `steps`, its CUSUM runs on the innovations
    of the `active` days and its level shifts are accepted at once (see steps.py).
    """
    y = np.asarray(y, dtype=np.float64)
    n, t_len = y.shape
    H = np.ascontiguousarray(np.broadcast_to(np.asarray(obs_var, dtype=np.float64), (n,)))
    observed = ~np.isnan(y)
    slot, rep = _slots(observed, H, state.P)
    cov = _SlotCov(state.P, H, observed, rep)
    # Day-major layouts: each day's values of all series are contiguous.
    yT, obsT = _transpose(y), _transpose(observed)
    actT = None if active is None else _transpose(active)
    a = np.ascontiguousarray(state.a.T)  # [8, N]
    shape = (t_len, n)
    pred_mean = np.empty(shape, out_dtype)
    pred_var = np.empty(shape, out_dtype)
    trend_mean = np.empty(shape, out_dtype)
    trend_var = np.empty(shape, out_dtype)
    llf = np.zeros(shape, np.float64)
    intervened = np.zeros(shape, bool)
    filtered = np.empty((t_len, K, n)) if keep_filtered else None
    buf = np.empty((len(cov.P), K, K))
    for t in range(t_len):
        g = cov.g
        Ps = cov.P[:g]
        pz = Ps[:, :, 0] + Ps[:, :, 2]  # P Z' per slot
        F_slot = pz[:, 0] + pz[:, 2] + cov.H[:g]
        yhat = a[0] + a[2]
        obs = obsT[t]
        v = np.where(obs, yT[t] - yhat, 0.0)
        F = F_slot[slot]
        pred_mean[t] = yhat
        pred_var[t] = F
        F_upd = F_slot
        split = False
        if intervene_z is not None:
            jump = obs & (v * v > intervene_z**2 * F)
            if actT is not None:
                jump &= actT[t]
            if jump.any():
                intervened[t] = jump
                idx = np.flatnonzero(jump)
                cov.split(slot, idx, v[idx] ** 2)
                split = True
                if steps is not None:
                    steps.reset(idx, t, recent=False)
        if steps is not None:
            ok = obs if actT is None else obs & actT[t]
            hit, level = steps.update(t, yT[t], F, ok & ~intervened[t], a)
            steps.observe(yT[t], a[2], obs)
            if len(hit):  # a level shift: accept the new level now, without a trend burst
                intervened[t, hit] = True
                shift = level - a[0, hit]
                a[0, hit] = level
                a[1, hit] = 0.0
                v[hit] -= shift
                cov.split(slot, hit, STEP_INFLATE * shift**2)
                split = True
        if split:
            g = cov.g
            Ps = cov.P[:g]
            pz = Ps[:, :, 0] + Ps[:, :, 2]
            F_upd = pz[:, 0] + pz[:, 2] + cov.H[:g]
        gain = pz / F_upd[:, None]
        gain[~cov.obs[:g, t]] = 0.0
        a += np.ascontiguousarray(gain.T)[:, slot] * v
        if len(buf) < g:
            buf = np.empty((len(cov.P), K, K))
        np.multiply(gain[:, :, None], pz[:, None, :], out=buf[:g])
        Ps -= buf[:g]
        if loglik:  # (detection does not need it: skip the per-series logarithm)
            llf[t] = np.where(obs, -0.5 * (LOG_2PI + np.log(F) + v * v / F), 0.0)
        trend_mean[t] = a[1]
        trend_var[t] = Ps[:, 1, 1][slot]
        if filtered is not None:
            filtered[t] = a
        _predict_mean_t(a)
        _predict_cov(Ps, hp, buf[:g])

    cur = FilterState(np.ascontiguousarray(a.T), cov.P[slot])
    return FilterOutput(
        *(_transpose(x) for x in (pred_mean, pred_var, trend_mean, trend_var, llf, intervened)),
        cur,
        None if filtered is None else np.ascontiguousarray(filtered.transpose(2, 0, 1)),
    )


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
