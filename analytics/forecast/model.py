"""The global quantile model: one set of gradient-boosted trees learns from every series at
once (tracks and artist totals), one model per quantile, horizon as an input.

fit(panel) -> ForecastModel with daily p10/p50/p90 for `horizon` days after the panel's last
day for every series with at least `min_days` days of data, and the horizon total.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from typing import Any

import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingRegressor
from threadpoolctl import threadpool_limits

from analytics.forecast import features as ft
from analytics.forecast import peers
from analytics.forecast.calibrate import Calibration, from_held_out
from analytics.forecast.ets import Smoothed
from analytics.forecast.panel import Panel, truncate
from analytics.forecast.totals import TotalFactors, summed
from analytics.forecast.totals import factors as total_factors

Progress = Callable[[str, float], None]
QUANTILES = {"p10": 0.1, "p50": 0.5, "p90": 0.9}
MIN_YOUNG_CASES = 200  # held-out young-track days needed to choose the peer weight


@dataclass(frozen=True)
class ForecastParams:
    horizon: int = 90
    min_days: int = 7  # a series needs this many days since its first stream
    young_days: int = 28  # fewer days of data than this: a young series
    origin_stride: int = 3  # training origins every this many days
    horizons_per_origin: int = 24  # sampled future days per training origin
    max_rows: int = 200_000  # training rows cap (sampled), bounds the fit time
    calibration_rows: int = 50_000  # training rows of the held-out calibration model
    calibration_days: int = 40_000  # held-out (series, origin, day) cases it is measured on
    calibration_stride: int = 15  # held-out origins every this many days
    calibration_series: int = 1_000  # held-out horizon totals the total's spread is set on
    recency_half_life: float | None = None  # days; older training origins weigh less
    shrink_to_level: bool = True  # let the held-out days pull the median toward the level
    combine_with_ets: bool = True  # ... toward the series' own damped-trend forecast instead
    peer_blend: bool = False  # young tracks: blend in their peers' decay (off: it did not help)
    anchor: str = "week"  # what targets are relative to (see features.origin_stats)
    max_iter: int = 150
    learning_rate: float = 0.08
    min_samples_leaf: int = 40
    seed: int = 0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class ForecastModel:
    series: pd.DataFrame  # series_id, kind, isrc, artist_id, label, genre, days_of_data,
    #                       young, total_p10, total_p50, total_p90
    daily: pd.DataFrame  # series_id, date, p10, p50, p90
    trained_through: pd.Timestamp
    training_rows: int
    calibration: Calibration = Calibration()
    totals: TotalFactors = TotalFactors()
    peer_weight: float = 1.0  # young tracks: the model median's weight against the peers'

    def summary(self) -> dict[str, Any]:
        kinds = self.series["kind"].value_counts()
        return {
            "series": len(self.series),
            "tracks": int(kinds.get("track", 0)),
            "artists": int(kinds.get("artist", 0)),
            "young": int(self.series["young"].sum()),
            "training_rows": self.training_rows,
            "trained_through": self.trained_through.date().isoformat(),
            "held_out_coverage_before_calibration": self.calibration.as_dict()["coverage_before"],
            "young_model_weight": self.peer_weight,
        }


def training_triples(
    panel: Panel, st: ft.OriginStats, params: ForecastParams
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(row, origin, horizon) of every training example: origins with at least `min_days`
    days of data, future days that are known (censored days are never targets)."""
    n_days = panel.streams.shape[1]
    ok = (st.age >= params.min_days - 1) & ~np.isnan(st.level)
    ok[:, (n_days - 1 - np.arange(n_days)) % params.origin_stride != 1] = False
    ok[:, n_days - 1] = False
    rows, origins = np.nonzero(ok)
    rng = np.random.default_rng(params.seed)
    k = params.horizons_per_origin
    h = rng.integers(1, params.horizon + 1, size=(len(rows), k))
    r = np.repeat(rows, k)
    t = np.repeat(origins, k)
    h = h.ravel()
    keep = t + h < n_days
    r, t, h = r[keep], t[keep], h[keep]
    keep = ~np.isnan(panel.streams[r, t + h])
    r, t, h = r[keep], t[keep], h[keep]
    if len(r) > params.max_rows:
        pick = np.sort(rng.choice(len(r), params.max_rows, replace=False))
        r, t, h = r[pick], t[pick], h[pick]
    return r, t, h


def _categorical(panel: Panel) -> list[bool]:
    """Codes with few enough values are categorical; the artist code of a very large
    catalogue is left numeric (the trees' categorical limit is 255 values)."""
    limit = 250
    card = {
        "artist": panel.series["artist_id"].nunique(),
        "genre": panel.series["genre"].nunique(),
        "label": panel.series["label"].nunique(),
    }
    return [c in ft.CATEGORICAL and card[c] <= limit for c in ft.COLUMNS]


def fit_quantile_models(
    X: np.ndarray,
    y: np.ndarray,
    categorical: list[bool],
    params: ForecastParams,
    weight: np.ndarray | None = None,
) -> dict[str, HistGradientBoostingRegressor]:
    models = {}
    for name, q in QUANTILES.items():
        m = HistGradientBoostingRegressor(
            loss="quantile",
            quantile=q,
            max_iter=params.max_iter,
            learning_rate=params.learning_rate,
            min_samples_leaf=params.min_samples_leaf,
            categorical_features=categorical,
            random_state=params.seed,
        )
        models[name] = m.fit(X, y, sample_weight=weight)
    return models


def fit(
    panel: Panel, params: ForecastParams | None = None, progress: Progress | None = None
) -> ForecastModel:
    """Fit on every series of the panel and forecast from its last day, with the band
    calibrated on the days after an earlier cut (see `calibrate`)."""
    params = params or ForecastParams()
    report = progress or (lambda stage, fraction: None)
    report("building features", 0.05)
    st = ft.origin_stats(panel, params.anchor)
    # One thread: on a shared machine the trees' parallel loops wait on each other far
    # longer than they save (measured 5 s on one thread against minutes on two).
    with threadpool_limits(limits=1, user_api="openmp"):
        report("calibrating the band on held-out days", 0.1)
        calibration, totals, peer_weight = held_out_calibration(panel, st, params)
        r, t, h = training_triples(panel, st, params)
        if len(r) < 50:
            raise ValueError(
                "too little history to train the forecast model (fewer than 50 examples)"
            )
        report(f"fitting quantile models on {len(r):,} examples", 0.3)
        models = _fit_on(panel, st, (r, t, h), params)
        report("forecasting", 0.8)
        return predict(
            panel,
            st,
            models,
            params,
            training_rows=len(r),
            calibration=calibration,
            totals=totals,
            peer_weight=peer_weight,
        )


def _fit_on(
    panel: Panel,
    st: ft.OriginStats,
    triples: tuple[np.ndarray, np.ndarray, np.ndarray],
    params: ForecastParams,
) -> dict[str, HistGradientBoostingRegressor]:
    r, t, h = triples
    X = ft.design(panel, st, r, t, h)
    y = np.log1p(panel.streams[r, t + h]) - st.level[r, t]
    weight = None
    if params.recency_half_life:
        # what the catalogue did lately says more about the next quarter than a year ago
        weight = 0.5 ** ((panel.streams.shape[1] - 1 - t) / params.recency_half_life)
    return fit_quantile_models(X, y, _categorical(panel), params, weight)


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
    models = _fit_on(panel, st, (r, t, h), early)
    r, t, h = _held_out_cases(panel, st, cut, params)
    if len(r) == 0:
        return Calibration(), TotalFactors(), 1.0
    X = ft.design(panel, st, r, t, h)
    qs = _quantiles(models, X)
    actual = np.log1p(panel.streams[r, t + h]) - st.level[r, t]
    calibration = from_held_out(
        h, qs, actual, shrink=params.shrink_to_level, reference=_reference(X, params)
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
    qs = calibration.apply(h, _quantiles(models, X), _reference(X, params))
    actual = np.log1p(panel.streams[r, t + h]) - st.level[r, t]
    return peers.best_blend(qs[:, 1], peer, actual)


def _reference(X: np.ndarray, params: ForecastParams) -> np.ndarray | None:
    """The forecast the model's median is combined with (see `Calibration`): the series' own
    damped-trend forecast relative to its level, or None for the level itself."""
    if not params.combine_with_ets:
        return None
    return np.nan_to_num(X[:, ft.COLUMNS.index("ets_vs_level")])


def _quantiles(models: dict[str, HistGradientBoostingRegressor], X: np.ndarray) -> np.ndarray:
    qs = np.column_stack([models[name].predict(X) for name in QUANTILES])
    qs.sort(axis=1)  # no crossing quantiles
    return qs


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
    qs = calibration.apply(h, _quantiles(models, X), _reference(X, params))
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
    )


def predict(
    panel: Panel,
    st: ft.OriginStats,
    models: dict[str, HistGradientBoostingRegressor],
    params: ForecastParams,
    *,
    training_rows: int = 0,
    calibration: Calibration | None = None,
    totals: TotalFactors | None = None,
    peer_weight: float = 1.0,
) -> ForecastModel:
    last = panel.streams.shape[1] - 1
    days_of_data = st.age[:, last] + 1
    eligible = np.nonzero((days_of_data >= params.min_days) & ~np.isnan(st.level[:, last]))[0]
    H = params.horizon
    r = np.repeat(eligible, H)
    t = np.full(len(r), last)
    h = np.tile(np.arange(1, H + 1), len(eligible))
    X = ft.design(panel, st, r, t, h)
    base = st.level[r, t]
    qs = _quantiles(models, X)
    calibration = calibration or Calibration()
    qs = calibration.apply(h, qs, _reference(X, params))
    if peer_weight < 1.0:
        curves = peers.peer_curves(panel, st, last, params.young_days + H)
        qs = peers.blend(
            qs, peers.peer_offsets(panel, curves, st, r, t, h, params.young_days), peer_weight
        )
    values = np.clip(np.expm1(base[:, None] + qs), 0.0, None)
    through = panel.dates[last]
    daily = pd.DataFrame(
        {
            "series_id": panel.series["series_id"].to_numpy()[r],
            "date": through + pd.to_timedelta(h, unit="D"),
            "p10": values[:, 0],
            "p50": values[:, 1],
            "p90": values[:, 2],
        }
    )
    series = panel.series.iloc[eligible].reset_index(drop=True).copy()
    series["days_of_data"] = days_of_data[eligible].astype(int)
    series["young"] = series["days_of_data"] < params.young_days
    totals = totals or TotalFactors()
    interval = totals.apply(summed(values.reshape(len(eligible), H, 3)), series["kind"].to_numpy())
    series[["total_p10", "total_p50", "total_p90"]] = interval
    return ForecastModel(series, daily, through, training_rows, calibration, totals, peer_weight)
