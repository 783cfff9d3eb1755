"""Per-campaign lift: the streams a campaign added over its window, with a 90 % interval and
the probability that the effect is positive.

For every estimation window (`groups`): fit the counterfactual model (`model`) on the
pre-period, draw the counterfactual over the window, and take observed minus counterfactual.
A placebo run on the same series just before the pre-period (a fake campaign of the same
length where nothing happened) gives a standardised error; when the placebo errors are wider
than the model claims, every interval is widened by that factor, so the false-positive
rate matches the nominal one. Overlapping campaigns share one window; each campaign's signed
effect is estimated jointly over its own days (`split`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import ndtr

from analytics.campaigns.groups import CampaignGroup
from analytics.campaigns.model import design, fit_series, simulate
from analytics.campaigns.split import split_lift

Z90 = 1.6449  # two-sided 90 % normal quantile


@dataclass(frozen=True)
class LiftParams:
    pre_days: int = 105  # usable pre-period days the counterfactual is fitted on
    lookback_days: int = 112  # how far back they are looked for (other campaigns skipped)
    min_pre_days: int = 28  # fewer days with streams: 'too_little_data'
    draws: int = 400  # counterfactual draws per window
    poor_fit_mape: float = 0.5  # pre-period MAPE above this: 'poor_pre_fit'
    chart_pre_days: int = 28  # pre-period days kept for the observed-vs-counterfactual chart
    calibrate: bool = True  # widen intervals by the placebo runs (off: the model's own band)
    anchor: bool = True  # the track elsewhere enters one for one (no slope to estimate)
    weekdays: bool = False  # weekday terms (the anchor already carries the weekly cycle)
    robust: bool = True  # Huber-weighted pre-period fit
    pool: bool = True  # pool each window's lift with its territory's response (pooling)
    seed: int = 0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class LiftResult:
    """`campaigns`: one row per campaign (campaign_id, incremental_streams, low, high,
    p_effect, counterfactual_streams, pre_fit_mape, flag); `daily`: campaign_id, date,
    observed, counterfactual, low, high for the chart; `calibration`: the placebo figures."""

    campaigns: pd.DataFrame
    daily: pd.DataFrame
    calibration: dict[str, float] = field(default_factory=dict)


@dataclass
class _Window:
    group: CampaignGroup
    dates: pd.DatetimeIndex
    observed: np.ndarray  # [days] in the window
    cf: np.ndarray  # [draws, days] counterfactual draws (uncalibrated)
    fitted_pre: pd.Series  # in-sample fit over the chart's pre days
    mape: float


def _frame(group: CampaignGroup, daily: pd.DataFrame, params: LiftParams) -> pd.DataFrame:
    """The group's series on a full daily index (a day without a row streamed nothing)."""
    days = pd.date_range(group.span_start(params.lookback_days), group.end, freq="D")
    rows = daily.set_index("date").reindex(days)
    return rows[["target", "ctrl_track", "ctrl_peer"]].astype(float).fillna(0.0)


def _controls(pre: pd.DataFrame) -> list[str]:
    """Control series with streams on most pre-period days (a mostly-empty one adds noise)."""
    return [c for c in ("ctrl_track", "ctrl_peer") if (pre[c] > 0).mean() >= 0.8]


def _run(
    frame: pd.DataFrame,
    fit_days: pd.DatetimeIndex,
    window: pd.DatetimeIndex,
    blocked: np.ndarray,
    params: LiftParams,
    rng: np.random.Generator,
) -> tuple[Any, np.ndarray, np.ndarray, list[str]] | None:
    """Fit on the last `pre_days` usable days of `fit_days` (days of other campaigns and
    before the release left out), draw over `window`."""
    pre = frame.loc[fit_days]
    keep = ~blocked[frame.index.get_indexer(fit_days)]
    keep &= ((pre["target"] > 0) | (pre["ctrl_track"] > 0)).to_numpy()
    pre = pre[keep].iloc[-params.pre_days :]
    if (pre["target"] > 0).sum() < params.min_pre_days:
        return None
    cols = _controls(pre)
    x_pre, off_pre = inputs(pre, cols, params)
    fit = fit_series(pre["target"].to_numpy(), x_pre, off_pre, params.robust)
    win = frame.loc[window]
    x_win, off_win = inputs(win, cols, params)
    cf = simulate(fit, x_win, rng, params.draws, off_win)
    return fit, cf, win["target"].to_numpy(), cols


def inputs(
    rows: pd.DataFrame, cols: list[str], params: LiftParams
) -> tuple[np.ndarray, np.ndarray | None]:
    """Design rows and the anchor offset (log streams of the track elsewhere, when used)."""
    anchored = params.anchor and "ctrl_track" in cols
    free = [c for c in cols if not (anchored and c == "ctrl_track")]
    x = design(rows[free].to_numpy(), rows.index.day_of_week.to_numpy(), params.weekdays)
    offset = np.log1p(rows["ctrl_track"].to_numpy()) if anchored else None
    return x, offset


def _placebo_z(
    frame: pd.DataFrame,
    group: CampaignGroup,
    blocked: np.ndarray,
    params: LiftParams,
    rng: np.random.Generator,
) -> float | None:
    """Standardised error of a fake campaign of the same length just before the real one."""
    length = (group.end - group.start).days + 1
    start = pd.Timestamp(group.start) - pd.Timedelta(days=length)
    window = pd.date_range(start, periods=length, freq="D")
    fit_days = _before(start, params)
    if blocked[frame.index.get_indexer(window)].any():
        return None  # another campaign ran there: not a placebo
    out = _run(frame, fit_days, window, blocked, params, rng)
    if out is None:
        return None
    _fit, cf, observed, _cols = out
    sums = cf.sum(axis=1)
    sd = float(sums.std())
    return float((observed.sum() - sums.mean()) / sd) if sd > 0 else None


def _before(start: pd.Timestamp, params: LiftParams) -> pd.DatetimeIndex:
    """The days a window's pre-period is looked for in."""
    return pd.date_range(
        start - pd.Timedelta(days=params.lookback_days), periods=params.lookback_days
    )


def _blocked(frame: pd.DataFrame, group: CampaignGroup, others: pd.DataFrame) -> np.ndarray:
    """Days of the series touched by campaigns outside this group (not fitted on)."""
    out = np.zeros(len(frame), dtype=bool)
    for r in others.itertuples(index=False):
        out |= (frame.index >= pd.Timestamp(r.start_date)) & (
            frame.index <= pd.Timestamp(r.end_date)
        )
    return out


def estimate(
    groups: list[CampaignGroup],
    daily: pd.DataFrame,
    campaigns: pd.DataFrame,
    params: LiftParams | None = None,
) -> LiftResult:
    """Lift of every campaign. `daily`: group_id, date, target (the track's streams in the
    country), ctrl_track (the track in untouched countries), ctrl_peer (similar tracks in the
    country); `campaigns`: every campaign (campaign_id, isrc, country, start_date, end_date)."""
    params = params or LiftParams()
    rng = np.random.default_rng(params.seed)
    by_group = {g: d for g, d in daily.groupby("group_id")} if not daily.empty else {}
    by_series = {k: d for k, d in campaigns.groupby(["isrc", "country"])}
    windows: list[_Window] = []
    skipped: list[CampaignGroup] = []
    z_scores: list[float] = []
    for g in groups:
        frame = _frame(g, by_group.get(g.group_id, daily.iloc[:0]), params)
        series = by_series.get((g.isrc, g.country), campaigns.iloc[:0])
        others = series[~series["campaign_id"].isin(g.campaign_ids)]
        blocked = _blocked(frame, g, others)
        window = pd.date_range(g.start, g.end, freq="D")
        fit_days = _before(pd.Timestamp(g.start), params)
        out = _run(frame, fit_days, window, blocked, params, rng)
        if out is None:
            skipped.append(g)
            continue
        fit, cf, observed, cols = out
        chart = fit_days[-params.chart_pre_days :]
        rows = frame.loc[chart]
        x_chart, off_chart = inputs(rows, cols, params)
        fitted = np.expm1(x_chart @ fit.beta + (0.0 if off_chart is None else off_chart))
        windows.append(
            _Window(g, window, observed, cf, pd.Series(fitted, index=chart), fit.pre_fit_mape)
        )
        z = _placebo_z(frame, g, blocked, params, rng)
        if z is not None:
            z_scores.append(z)
    scale, calibration = calibrate(np.array(z_scores))
    if not params.calibrate:
        scale = 1.0
    rows_out: list[dict[str, Any]] = []
    daily_out: list[pd.DataFrame] = []
    for w in windows:
        r, d = _summarise(w, scale, params, by_group.get(w.group.group_id))
        rows_out += r
        daily_out += d
    for g in skipped:
        rows_out += [_empty(cid) for cid in g.campaign_ids]
    table = pd.DataFrame(rows_out, columns=list(_empty("").keys()))
    chart_cols = ["campaign_id", "date", "observed", "counterfactual", "low", "high"]
    chart_frame = pd.concat(daily_out, ignore_index=True) if daily_out else pd.DataFrame()
    return LiftResult(table, chart_frame.reindex(columns=chart_cols), calibration)


def calibrate(z: np.ndarray) -> tuple[float, dict[str, float]]:
    """Interval scale from placebo errors: the factor that makes 90 % of placebo errors fall
    inside the 90 % band (never below 1: the model's own band is the floor)."""
    z = z[np.isfinite(z)]
    if len(z) < 10:
        return 1.0, {"placebos": float(len(z)), "scale": 1.0}
    scale = max(1.0, float(np.quantile(np.abs(z), 0.9)) / Z90)
    p_raw = 1.0 - _norm_cdf(-z)  # P(effect > 0) a placebo would have been given
    p_cal = 1.0 - _norm_cdf(-z / scale)
    return scale, {
        "placebos": float(len(z)),
        "scale": round(scale, 3),
        "placebo_false_positive_raw": round(float(np.mean(p_raw > 0.95)), 4),
        "placebo_false_positive": round(float(np.mean(p_cal > 0.95)), 4),
    }


def _norm_cdf(x: np.ndarray) -> np.ndarray:
    return ndtr(np.asarray(x, dtype=float))


def _empty(cid: str) -> dict[str, Any]:
    return {
        "campaign_id": cid,
        "incremental_streams": None,
        "low": None,
        "high": None,
        "p_effect": None,
        "counterfactual_streams": None,
        "pre_fit_mape": None,
        "flag": "too_little_data",
    }


def _summarise(
    w: _Window, scale: float, params: LiftParams, series: pd.DataFrame | None
) -> tuple[list[dict[str, Any]], list[pd.DataFrame]]:
    g = w.group
    centre = w.cf.mean(axis=0)
    cf = centre[None, :] + scale * (w.cf - centre[None, :])  # calibrated draws
    effect = w.observed[None, :] - cf  # [draws, days]
    active = np.array(
        [
            (w.dates >= pd.Timestamp(s)) & (w.dates <= pd.Timestamp(e))
            for s, e in zip(g.starts, g.ends, strict=True)
        ]
    )
    per_campaign = split_lift(effect, cf, active)
    flag = None
    if w.mape > params.poor_fit_mape:
        flag = "poor_pre_fit"
    elif g.overlap:
        flag = "overlap"
    lo_day, hi_day = np.quantile(cf, [0.05, 0.95], axis=0)
    rows, charts = [], []
    for i, cid in enumerate(g.campaign_ids):
        draws = per_campaign[:, i]
        own = active[i]
        rows.append(
            {
                "campaign_id": cid,
                "incremental_streams": float(draws.mean()),
                "low": float(np.quantile(draws, 0.05)),
                "high": float(np.quantile(draws, 0.95)),
                "p_effect": float(np.mean(draws > 0)),
                "counterfactual_streams": float(centre[own].sum()),
                "pre_fit_mape": float(w.mape),
                "flag": flag,
            }
        )
        pre = w.fitted_pre
        observed_pre = _observed(series, pre.index)
        charts.append(
            pd.DataFrame(
                {
                    "campaign_id": cid,
                    "date": list(pre.index) + list(w.dates),
                    "observed": np.concatenate([observed_pre, w.observed]),
                    "counterfactual": np.concatenate([pre.to_numpy(), centre]),
                    "low": np.concatenate([np.full(len(pre), np.nan), lo_day]),
                    "high": np.concatenate([np.full(len(pre), np.nan), hi_day]),
                }
            )
        )
    return rows, charts


def _observed(series: pd.DataFrame | None, days: pd.DatetimeIndex) -> np.ndarray:
    if series is None or series.empty:
        return np.zeros(len(days))
    return series.set_index("date")["target"].reindex(days).fillna(0.0).astype(float).to_numpy()
