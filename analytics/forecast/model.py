"""The global quantile model: one set of gradient-boosted trees learns from every series at
once (tracks and artist totals), one model per quantile, horizon as an input.

fit(panel) -> ForecastModel with daily p10/p50/p90 for `horizon` days after the panel's last
day for every series with at least `min_days` days of data, and the horizon total.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingRegressor
from threadpoolctl import threadpool_limits

from analytics.forecast import features as ft
from analytics.forecast import peers
from analytics.forecast.calibrate import Calibration
from analytics.forecast.held_out import held_out_calibration
from analytics.forecast.panel import Panel
from analytics.forecast.params import ForecastParams
from analytics.forecast.totals import TotalFactors, summed
from analytics.forecast.trees import fit_on, groups, quantiles, reference, training_triples

Progress = Callable[[str, float], None]


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
        models = fit_on(panel, st, (r, t, h), params)
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
    qs = quantiles(models, X)
    calibration = calibration or Calibration()
    qs = calibration.apply(h, qs, reference(X, params), groups(panel, r, params))
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
