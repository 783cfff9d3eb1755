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
instead of 8x8 matrix products (T is a shift plus two sums). The covariances are kept per
*slot* of series that share their recursion (kalman_slots.py): only the means are per
series, which is what makes 100k series x a year take seconds. Missing days (NaN) are
missing observations: the state is propagated without an update, never treated as zero
streams.

The state after the last day (predicted for the next day) is returned so that appending
days later continues the filter exactly without refiltering history (`FilterState`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from analytics.alerts.kalman_slots import K, SlotCovariances
from analytics.alerts.kalman_slots import slot_groups as _slots  # noqa: F401 (tests use it)
from analytics.alerts.tails import confirmed

if TYPE_CHECKING:
    from analytics.alerts.steps import StepMonitor
LOG_2PI = float(np.log(2 * np.pi))
# At a level shift the level's variance is widened by this share of the squared shift: the
# new level is taken from the mean innovation since the start, give or take half of it.
STEP_INFLATE = 0.25
BLOCK = 64  # days per day-major block of inputs and outputs


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
    slots: int = 0  # covariance recursions run (each shared one counted once)


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


class _Means:
    """The state means of N series, state-major: level and trend [2, N], and the six
    seasonal states in a window of a taller array (s1 first) that moves up one row a day,
    so that the seasonal shift of the transition is free instead of a copy of 5 rows."""

    def __init__(self, a: np.ndarray, room: int = 58):
        self.lt = np.ascontiguousarray(a[:, :2].T)
        self.win = np.empty((room + K - 2, len(a)))
        self.w = room
        self.win[room:] = a[:, 2:].T

    @property
    def season(self) -> np.ndarray:
        return self.win[self.w : self.w + K - 2]

    def add(self, G: np.ndarray) -> None:
        """a += G ([8, N], logical order)."""
        self.lt += G[:2]
        self.season[...] += G[2:]

    def predict(self) -> None:
        """a <- T a."""
        s1 = self.season.sum(axis=0)
        self.lt[0] += self.lt[1]
        if self.w == 0:  # the window reached the top: s1..s5 move to the bottom
            room = len(self.win) - (K - 2)
            self.win[room + 1 :] = self.win[: K - 3]
            self.w = room + 1
        self.w -= 1
        np.negative(s1, out=self.win[self.w])

    def logical(self) -> np.ndarray:
        """The means as [8, N] in the model's order."""
        return np.concatenate([self.lt, self.season])


class _Outputs:
    """The filter's per-day outputs: filled a block of days at a time in day-major buffers
    [BLOCK, N], each block then written into the [N, T] results (one tiled transpose
    instead of a day-major copy of the whole year)."""

    names = ("pred_mean", "pred_var", "trend_mean", "trend_var", "llf", "intervened")

    def __init__(self, n: int, t_len: int, out_dtype: type, loglik: bool):
        dtypes = [out_dtype] * 4 + [np.float64, bool]
        # np.empty: every day is written by `flush` (np.zeros pages cost several times more
        # to fill); llf stays all zeros unless asked for.
        self.final = [np.empty((n, t_len), d) for d in dtypes]
        for name, d in zip(self.names, dtypes, strict=True):
            setattr(self, name, np.zeros((BLOCK, n), d))
        if not loglik:
            self.llf = None
            self.final[4] = np.zeros((n, t_len))

    def flush(self, t0: int, t1: int) -> None:
        for name, final in zip(self.names, self.final, strict=True):
            buf = getattr(self, name)
            if buf is not None:
                _tiled_copy(final[:, t0:t1], buf[: t1 - t0].T)


def _tiled_copy(dst: np.ndarray, src: np.ndarray, rows: int = 1024) -> None:
    """dst[...] = src for a transposed src, a band of rows at a time (a plain transposed
    copy walks memory with a large stride and is several times slower)."""
    for i in range(0, len(dst), rows):
        dst[i : i + rows] = src[i : i + rows]


def kalman_filter(
    y: np.ndarray,
    hp: Hyper,
    obs_var: np.ndarray | float,
    state: FilterState,
    *,
    intervene_z: float | None = None,
    active: np.ndarray | None = None,
    intervene: np.ndarray | None = None,
    fixed_season: np.ndarray | None = None,
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
    `active` [N, T] bool: days on which interventions are allowed (e.g. after a burn-in)
    and the level-shift CUSUM runs. `intervene` [N, T] bool: the days interventions are
    allowed on, when they differ from `active` (default: `active`).
    `fixed_season` [N, T] bool: days whose observation updates the level and trend only
    (the weekday states keep their prediction; the covariances are updated as usual).

    The covariance recursion runs once per slot of series that share it (kalman_slots);
    only the means are updated per series. Same output as
    `kalman_dense.kalman_filter_dense`. `loglik=False` leaves llf_obs at zero. With
    `steps`, its CUSUM runs on the innovations of the `active` days and its level shifts
    are accepted at once (see steps.py).
    """
    y = np.asarray(y, dtype=np.float64)
    n, t_len = y.shape
    H = np.ascontiguousarray(np.broadcast_to(np.asarray(obs_var, dtype=np.float64), (n,)))
    cov = SlotCovariances(state.P, H)
    m = _Means(state.a)
    out = _Outputs(n, t_len, out_dtype, loglik)
    filtered = np.empty((n, t_len, K)) if keep_filtered else None
    z2 = None if intervene_z is None else intervene_z**2
    y_days = np.empty((BLOCK, n))  # (reused: fresh pages cost more than the copy)
    act_days = None if active is None else np.empty((BLOCK, n), bool)
    ok_days = None if intervene is None else np.empty((BLOCK, n), bool)
    fix_days = None if fixed_season is None else np.empty((BLOCK, n), bool)
    for t0 in range(0, t_len, BLOCK):
        # Day-major blocks: each day's values of all series are contiguous.
        t1 = min(t_len, t0 + BLOCK)
        yb, actb = y_days[: t1 - t0], None if active is None else act_days[: t1 - t0]
        _tiled_copy(yb.T, y[:, t0:t1])
        missb = np.isnan(yb)
        if actb is not None:
            _tiled_copy(actb.T, active[:, t0:t1])
        okb = actb  # the days interventions are allowed on: `active` unless told apart
        if intervene is not None:
            okb = ok_days[: t1 - t0]
            _tiled_copy(okb.T, intervene[:, t0:t1])
        fixb = None
        if fixed_season is not None:
            fixb = fix_days[: t1 - t0]
            _tiled_copy(fixb.T, fixed_season[:, t0:t1])
        for k in range(t1 - t0):
            t, obs, miss = t0 + k, ~missb[k], missb[k]
            missing = cov.split(obs, miss)
            F_slot = cov.innovation_var()
            yhat = m.lt[0] + m.win[m.w]
            v = yb[k] - yhat
            v[missing] = 0.0
            F = F_slot[cov.slot]
            out.pred_mean[k] = yhat
            out.pred_var[k] = F
            jumped = out.intervened[k]
            if z2 is None:
                jumped.fill(False)  # (the buffer holds an earlier block's day)
            else:
                jump = np.greater(v * v, z2 * F, out=jumped)  # (v is 0 on missing days)
                if okb is not None:
                    jump &= okb[k]
                if jump.any():
                    idx = np.flatnonzero(jump)
                    # Only a tail of the counts too is a jump (see tails.py).
                    keep = confirmed(yb[k, idx], yhat[idx], F[idx], intervene_z)
                    jump[idx[~keep]] = False
                    idx = idx[keep]
                if jump.any():
                    cov.inflate(idx, v[idx] ** 2)
                    if steps is not None:
                        steps.tail(idx, t, yb[k, idx] - m.win[m.w][idx], F)
            if steps is not None:
                ok = obs if actb is None else obs & actb[k]
                hit, level = steps.update(t, yb[k], F, ok & ~jumped, m.lt[0], m.win[m.w])
                steps.observe(yb[k], m.win[m.w], obs)
                if len(hit):  # a level shift: accept the new level now, no trend burst
                    jumped[hit] = True
                    shift = level - m.lt[0, hit]
                    m.lt[0, hit] = level
                    m.lt[1, hit] = 0.0
                    v[hit] -= shift
                    cov.inflate(hit, STEP_INFLATE * shift**2)
            G = np.take(cov.gain(), cov.slot, axis=1)
            G *= v
            if fixb is not None:
                G[2:, fixb[k]] = 0.0  # the weekday pattern is not learnt on these days
            m.add(G)
            if out.llf is not None:  # (detection does not need it: skip the logarithms)
                llf = out.llf[k]
                np.add(LOG_2PI, np.log(F), out=llf)
                llf += v * v / F
                llf *= -0.5
                llf[missing] = 0.0
            out.trend_mean[k] = m.lt[1]
            np.take(cov.update(), cov.slot, out=out.trend_var[k], mode="clip")
            if filtered is not None:
                filtered[:, t] = m.logical().T
            m.predict()
            cov.predict(hp)
        out.flush(t0, t1)

    return FilterOutput(
        *out.final,
        FilterState(np.ascontiguousarray(m.logical().T), cov.per_series()),
        filtered,
        slots=cov.created,
    )


def forecast(
    state: FilterState,
    hp: Hyper,
    obs_var: np.ndarray | float,
    horizon: int,
    damping: float | None = None,
):
    """Predictive mean and variance of y for the next `horizon` days: two [N, horizon].

    `damping` phi in (0, 1] damps the trend ahead (Gardner and McKenzie's damped trend):
    level_{t+1} = level_t + phi b_t, b_{t+1} = phi b_t, so h days ahead the level has moved
    b (phi + ... + phi^h), at most b phi / (1 - phi), instead of h b. None: the model's own
    undamped trend."""
    n = state.a.shape[0]
    H = np.broadcast_to(np.asarray(obs_var, dtype=np.float64), (n,))
    mean = np.empty((n, horizon))
    var = np.empty((n, horizon))
    cur = FilterState(state.a.copy(), state.P.copy())
    for h in range(horizon):
        mean[:, h] = cur.a[:, 0] + cur.a[:, 2]
        var[:, h] = cur.P[:, 0, 0] + 2 * cur.P[:, 0, 2] + cur.P[:, 2, 2] + H
        if damping is not None:  # b <- phi b (mean and covariance), then the transition
            cur.a[:, 1] *= damping
            cur.P[:, 1, :] *= damping
            cur.P[:, :, 1] *= damping
        cur = predict(cur, hp)
    return mean, var
