"""A per-series statistical forecast to combine with the global model: damped-trend
exponential smoothing (Holt's linear method with a damped trend) of each series' log
weekly level, run for every series at once.

The smoothed series is the log of the 7-day mean of known days (the weekday pattern is the
global model's job), so one recursion over the days serves every series. A day with no
known data (before release, or off the chart) is not an observation: level and trend run
on as forecast, as a state-space smoother carries its state over missing days. Each
series picks its smoothing weights from a small grid by its own one-day-ahead squared
error on the days given, so a backtest's truncated panel picks them from what was known.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

ALPHAS = (0.1, 0.3, 0.5, 0.8)  # level smoothing weights tried
BETAS = (0.0, 0.05, 0.2)  # trend smoothing weights tried (0: a local level)
PHI = 0.9  # trend damping per day: a trend fades to nothing within a few weeks


@dataclass(frozen=True)
class Smoothed:
    """Per (series, day): the state after that day's observation; (n_series, n_days)."""

    level: np.ndarray
    trend: np.ndarray
    phi: float = PHI

    def forecast(self, rows: np.ndarray, origins: np.ndarray, horizons: np.ndarray) -> np.ndarray:
        """Forecast of the log weekly level `horizons` days after `origins` (1-D arrays)."""
        damp = self.phi * (1.0 - self.phi ** np.asarray(horizons, dtype=float)) / (1.0 - self.phi)
        return self.level[rows, origins] + damp * self.trend[rows, origins]


def _run(x: np.ndarray, alpha: float, beta: float, phi: float) -> tuple[np.ndarray, ...]:
    """Level, trend and one-step squared errors of one (alpha, beta) for every series."""
    n, days = x.shape
    level = np.full((n, days), np.nan)
    trend = np.full((n, days), np.nan)
    sq = np.full((n, days), np.nan)
    lv = np.full(n, np.nan)
    tr = np.zeros(n)
    for d in range(days):
        obs = x[:, d]
        pred = lv + phi * tr
        seen = ~np.isnan(obs)
        start = seen & np.isnan(lv)  # the first known day starts the level, no trend
        upd = seen & ~start
        err = np.where(upd, obs - pred, 0.0)
        sq[upd, d] = err[upd] ** 2
        new_lv = np.where(start, obs, pred + alpha * err)
        new_tr = np.where(start, 0.0, phi * tr + beta * alpha * err)
        lv, tr = new_lv, np.where(np.isnan(new_lv), 0.0, new_tr)
        level[:, d], trend[:, d] = lv, tr
    return level, trend, sq


def smooth(week_log: np.ndarray, phi: float = PHI) -> Smoothed:
    """Damped-trend smoothing of (n_series, n_days) log weekly levels (NaN: unknown), with
    each series' weights chosen by its mean one-day-ahead squared error."""
    best = None
    for alpha in ALPHAS:
        for beta in BETAS:
            level, trend, sq = _run(week_log, alpha, beta, phi)
            n_err = (~np.isnan(sq)).sum(axis=1)
            mse = np.where(n_err > 0, np.nansum(sq, axis=1) / np.maximum(n_err, 1), np.inf)
            if best is None:
                best = (mse, level, trend)
                continue
            better = mse < best[0]
            best = (
                np.where(better, mse, best[0]),
                np.where(better[:, None], level, best[1]),
                np.where(better[:, None], trend, best[2]),
            )
    assert best is not None
    return Smoothed(best[1], best[2], phi)
