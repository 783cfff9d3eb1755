"""The counterfactual of one targeted series: a small structural time-series model on the
log scale, in the spirit of Bayesian structural time series (CausalImpact):

    log(1 + y_t) = a + b . log(1 + controls_t) + weekday_t + u_t,
    u_t = phi u_{t-1} + e_t,   e_t ~ N(0, sigma^2)

fitted by least squares on the pre-period. The controls (the same track in countries no
campaign touched, similar tracks in the same country) carry the track's own ups and downs,
the weekday terms the weekly cycle, and the AR(1) deviation u the slow drift of the
territory's share (a mean-reverting local level). Forecast draws over the window combine
the coefficients' uncertainty with simulated deviation paths, so the interval of the
summed window includes the day-to-day correlation of the errors.

Closed-form fits keep the demo store's ~400 campaigns and their placebo runs within
seconds (bench/RESULTS.md), where a maximum-likelihood state-space fit per series would
cost a good fraction of a second each.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

RIDGE = 1e-3  # keeps the fit defined when a control is constant over the pre-period
HUBER = 1.345  # Huber's tuning constant (95 % efficiency under normal errors)


@dataclass(frozen=True)
class SeriesFit:
    """The fitted pre-period model and what it needs to forecast."""

    beta: np.ndarray
    xtx_inv: np.ndarray
    phi: float
    sigma: float  # innovation sd of the AR(1) deviation (log scale)
    last_dev: float  # the deviation on the last pre-period day
    pre_fit_mape: float  # in-sample mean absolute % error on days with streams
    n_pre: int


def design(controls: np.ndarray, weekday: np.ndarray, weekdays: bool = True) -> np.ndarray:
    """[days, 1 + controls (+ 6)] intercept, log controls and weekday dummies (Monday = base)."""
    n = len(weekday)
    dummies = (weekday[:, None] == np.arange(1, 7)[None, :]).astype(float)
    cols = [np.ones(n), np.log1p(np.maximum(controls, 0.0))]
    return np.column_stack(cols + [dummies] if weekdays else cols)


def fit_series(
    y: np.ndarray, x: np.ndarray, offset: np.ndarray | None = None, robust: bool = False
) -> SeriesFit:
    """Fit on pre-period rows `y` (streams) and design rows `x` (see `design`), in day order
    with no gaps (masked days removed beforehand shorten the AR(1) link, a small cost).
    `offset`: a log-scale term with its coefficient fixed at one (an anchor control);
    `robust`: Huber weights, so a few pre-period days moved by something else (a playlist
    add, a spike) do not shift the counterfactual's level."""
    off = np.zeros(len(y)) if offset is None else offset
    ly = np.log1p(np.maximum(y, 0.0)) - off
    p = x.shape[1]
    xtx = x.T @ x + RIDGE * np.eye(p)
    xtx_inv = np.linalg.inv(xtx)
    beta = xtx_inv @ (x.T @ ly)
    resid = ly - x @ beta
    for _ in range(3 if robust else 0):
        scale = 1.4826 * float(np.median(np.abs(resid - np.median(resid))))
        w = np.minimum(1.0, HUBER * scale / np.maximum(np.abs(resid), 1e-12))
        beta = np.linalg.solve(x.T @ (w[:, None] * x) + RIDGE * np.eye(p), x.T @ (w * ly))
        resid = ly - x @ beta
    lagged = resid[:-1]
    denom = float(lagged @ lagged)
    phi = float(np.clip(resid[1:] @ lagged / denom, 0.0, 0.95)) if denom > 0 else 0.0
    innov = resid[1:] - phi * lagged
    dof = max(len(innov) - p - 1, 1)
    sigma = float(np.sqrt(innov @ innov / dof))
    fitted = np.expm1(x @ beta + off)
    has = y > 0
    mape = float(np.mean(np.abs(y[has] - fitted[has]) / y[has])) if has.any() else np.inf
    return SeriesFit(beta, xtx_inv, phi, sigma, float(resid[-1]), mape, len(y))


def simulate(
    fit: SeriesFit,
    x_window: np.ndarray,
    rng: np.random.Generator,
    draws: int,
    offset: np.ndarray | None = None,
) -> np.ndarray:
    """[draws, days] counterfactual daily streams over the window (days after the pre-period)."""
    h = x_window.shape[0]
    # coefficients: the deviation's marginal variance scales the least-squares covariance
    marginal = fit.sigma**2 / max(1.0 - fit.phi**2, 1e-6)
    chol = np.linalg.cholesky(marginal * fit.xtx_inv + 1e-12 * np.eye(len(fit.beta)))
    betas = fit.beta[None, :] + rng.standard_normal((draws, len(fit.beta))) @ chol.T
    mean = betas @ x_window.T  # [draws, days]
    if offset is not None:
        mean = mean + offset[None, :]
    dev = np.empty((draws, h))
    prev = np.full(draws, fit.last_dev)
    shocks = rng.standard_normal((draws, h)) * fit.sigma
    for t in range(h):
        prev = fit.phi * prev + shocks[:, t]
        dev[:, t] = prev
    return np.maximum(np.expm1(mean + dev), 0.0)
