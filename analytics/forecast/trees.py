"""The quantile trees: training examples, fitting and prediction, shared by the main model
and the held-out model that calibrates it."""

from __future__ import annotations

import numpy as np
from sklearn.ensemble import HistGradientBoostingRegressor

from analytics.forecast import features as ft
from analytics.forecast.panel import Panel
from analytics.forecast.params import ForecastParams

QUANTILES = {"p10": 0.1, "p50": 0.5, "p90": 0.9}


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


def fit_on(
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


def reference(X: np.ndarray, params: ForecastParams) -> np.ndarray | None:
    """The forecast the model's median is combined with (see `Calibration`): the series' own
    damped-trend forecast relative to its level, or None for the level itself."""
    if not params.combine_with_ets:
        return None
    return np.nan_to_num(X[:, ft.COLUMNS.index("ets_vs_level")])


def quantiles(models: dict[str, HistGradientBoostingRegressor], X: np.ndarray) -> np.ndarray:
    qs = np.column_stack([models[name].predict(X) for name in QUANTILES])
    qs.sort(axis=1)  # no crossing quantiles
    return qs


def groups(panel: Panel, rows: np.ndarray, params: ForecastParams) -> np.ndarray | None:
    """The calibration group of each row (see `Calibration.by_group`), None for one for all."""
    if not params.calibrate_by:
        return None
    return panel.series[params.calibrate_by].astype(str).to_numpy()[rows]
