"""Held-out measurements that calibrate the main model: a smaller model fitted on the panel
as known `horizon` days before its end is scored on the days that followed (the band's
shifts, the median's combination weight, the horizon total's spread, the young tracks'
peer weight)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from sklearn.ensemble import HistGradientBoostingRegressor

from analytics.forecast import features as ft
from analytics.forecast import peers
from analytics.forecast.calibrate import Calibration, from_held_out
from analytics.forecast.ets import Smoothed
from analytics.forecast.panel import Panel, truncate
from analytics.forecast.params import ForecastParams
from analytics.forecast.totals import TotalFactors, summed
from analytics.forecast.totals import factors as total_factors
from analytics.forecast.trees import fit_on, groups, quantiles, reference, training_triples

MIN_YOUNG_CASES = 200  # held-out young-track days needed to choose the peer weight


def held_out_calibration(
    panel: Panel, st: ft.OriginStats, params: ForecastParams
) -> tuple[Calibration, TotalFactors, float]:
    """Fit a smaller model on the panel as known `horizon` days before its end, forecast
    from origins in those last days and measure its band on the known days that followed,
    and its horizon totals on the series known on every one of those days. Too short a
    panel (or too few held-out days) leaves the band and the totals as fitted."""
    last = panel.streams.shape[1] - 1
    cut = last - params.horizon
    if cut < params.min_days + 14:
        return Calibration(), TotalFactors(), 1.0
    early = replace(params, max_rows=params.calibration_rows)
    r, t, h = training_triples(truncate(panel, cut), _stats_until(st, cut), early)
    if len(r) < 50:
        return Calibration(), TotalFactors(), 1.0
    models = fit_on(panel, st, (r, t, h), early)
    r, t, h = _held_out_cases(panel, st, cut, params)
    if len(r) == 0:
        return Calibration(), TotalFactors(), 1.0
    X = ft.design(panel, st, r, t, h)
    qs = quantiles(models, X)
    actual = np.log1p(panel.streams[r, t + h]) - st.level[r, t]
    calibration = from_held_out(
        h,
        qs,
        actual,
        shrink=params.shrink_to_level,
        reference=reference(X, params),
        groups=groups(panel, r, params),
    )
    curves = peers.peer_curves(panel, st, cut, params.young_days + params.horizon)
    weight = _held_out_peer_weight(panel, st, models, cut, params, calibration, curves)
    totals = _held_out_totals(panel, st, models, cut, params, calibration, (curves, weight))
    return calibration, totals, weight


def _held_out_peer_weight(
    panel: Panel,
    st: ft.OriginStats,
    models: dict[str, HistGradientBoostingRegressor],
    cut: int,
    params: ForecastParams,
    calibration: Calibration,
    curves: np.ndarray,
) -> float:
    """The model median's weight against the peer forecast on young tracks' known days
    after `cut` (origins every 3 days, peer curves as known at `cut`); 1 without enough."""
    if not params.peer_blend:
        return 1.0
    last = panel.streams.shape[1] - 1
    parts = []
    for origin in range(cut, last, 3):
        age = st.age[:, origin]
        rows = np.nonzero((age >= params.min_days - 1) & (age < params.young_days - 1))[0]
        hs = np.arange(1, min(params.horizon, last - origin) + 1)
        n = len(rows) * len(hs)
        parts.append((np.repeat(rows, len(hs)), np.full(n, origin), np.tile(hs, len(rows))))
    r, t, h = (np.concatenate(p) for p in zip(*parts, strict=True))
    peer = peers.peer_offsets(panel, curves, st, r, t, h, params.young_days)
    keep = ~np.isnan(peer) & ~np.isnan(panel.streams[r, t + h]) & ~np.isnan(st.level[r, t])
    r, t, h, peer = r[keep], t[keep], h[keep], peer[keep]
    if len(r) < MIN_YOUNG_CASES:
        return 1.0
    if len(r) > params.calibration_days:
        pick = np.random.default_rng(params.seed + 3).choice(
            len(r), params.calibration_days, replace=False
        )
        r, t, h, peer = r[pick], t[pick], h[pick], peer[pick]
    X = ft.design(panel, st, r, t, h)
    qs = calibration.apply(h, quantiles(models, X), reference(X, params), groups(panel, r, params))
    actual = np.log1p(panel.streams[r, t + h]) - st.level[r, t]
    return peers.best_blend(qs[:, 1], peer, actual)


def _held_out_totals(
    panel: Panel,
    st: ft.OriginStats,
    models: dict[str, HistGradientBoostingRegressor],
    cut: int,
    params: ForecastParams,
    calibration: Calibration,
    young: tuple[np.ndarray, float],
) -> TotalFactors:
    """The total's spread factors from the held-out model's calibrated forecasts from `cut`
    against the totals of the `horizon` days after it (series known on all of them)."""
    H = params.horizon
    known = ~np.isnan(panel.streams[:, cut + 1 : cut + 1 + H]).any(axis=1)
    ok = (st.age[:, cut] >= params.min_days - 1) & ~np.isnan(st.level[:, cut]) & known
    rows = np.nonzero(ok)[0]
    if len(rows) > params.calibration_series:
        rng = np.random.default_rng(params.seed + 2)
        rows = np.sort(rng.choice(rows, params.calibration_series, replace=False))
    if len(rows) == 0:
        return TotalFactors()
    r = np.repeat(rows, H)
    h = np.tile(np.arange(1, H + 1), len(rows))
    t = np.full(len(r), cut)
    X = ft.design(panel, st, r, t, h)
    qs = calibration.apply(h, quantiles(models, X), reference(X, params), groups(panel, r, params))
    curves, weight = young
    qs = peers.blend(qs, peers.peer_offsets(panel, curves, st, r, t, h, params.young_days), weight)
    paths = np.clip(np.expm1(st.level[r, t][:, None] + qs), 0.0, None)
    actual = panel.streams[rows, cut + 1 : cut + 1 + H].sum(axis=1)
    kinds = panel.series["kind"].to_numpy()[rows]
    return total_factors(summed(paths.reshape(len(rows), H, 3)), actual, kinds)


def _held_out_cases(
    panel: Panel, st: ft.OriginStats, cut: int, params: ForecastParams
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(row, origin, horizon) of known days after `cut`, from origins at and after it."""
    last = panel.streams.shape[1] - 1
    parts = []
    for origin in range(cut, last, params.calibration_stride):
        ok = (st.age[:, origin] >= params.min_days - 1) & ~np.isnan(st.level[:, origin])
        rows = np.nonzero(ok)[0]
        hs = np.arange(1, min(params.horizon, last - origin) + 1)
        r = np.repeat(rows, len(hs))
        h = np.tile(hs, len(rows))
        parts.append((r, np.full(len(r), origin), h))
    r, t, h = (np.concatenate(p) for p in zip(*parts, strict=True))
    keep = ~np.isnan(panel.streams[r, t + h])
    r, t, h = r[keep], t[keep], h[keep]
    if len(r) > params.calibration_days:
        rng = np.random.default_rng(params.seed + 1)
        pick = np.sort(rng.choice(len(r), params.calibration_days, replace=False))
        r, t, h = r[pick], t[pick], h[pick]
    return r, t, h


def _stats_until(st: ft.OriginStats, last_day: int) -> ft.OriginStats:
    """The statistics are causal (trailing windows), so a prefix is what was known then."""
    cut = slice(None, last_day + 1)
    return ft.OriginStats(
        st.level[:, cut],
        st.month[:, cut],
        st.last[:, cut],
        st.known28[:, cut],
        st.active_share[:, cut],
        st.age[:, cut],
        st.codes,
        st.week[:, cut],
        Smoothed(st.ets.level[:, cut], st.ets.trend[:, cut], st.ets.phi),
        st.weekday[:, cut],
    )
