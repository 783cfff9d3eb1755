"""Batch job "forecast": daily stream quantiles for 90 days for every track and artist total."""

from __future__ import annotations

import time
from typing import Any

from analytics import forecast
from data.progress import ProgressFn
from data.results import forecast as forecast_data
from data.results import runs as model_runs
from data.store import Store


def run(store: Store, progress: ProgressFn, **options: Any) -> dict[str, Any]:
    """Fit the global quantile model on every series and replace the persisted forecasts.
    `options` override the model's parameters (`analytics.forecast.ForecastParams` fields)."""
    started = time.perf_counter()
    params = forecast.ForecastParams(**options)
    progress("reading daily streams", 0.0)
    daily = forecast_data.daily_streams(store)
    tracks = forecast_data.tracks(store)
    through = model_runs.data_through(store.cursor())
    if daily.empty:
        summary: dict[str, Any] = {"series": 0, "tracks": 0, "artists": 0, "young": 0}
        series = daily = None
        calibration = totals = None
    else:
        # A store's deliveries are complete: a day without a row is a day without streams.
        # A store of imported charts lists a track only while it charts: a missing day is
        # unknown (censored), never zero.
        charts = store.get_meta("real_charts") == "true"
        panel = forecast.build_panel(daily, tracks, absent_is_zero=not charts)
        model = forecast.fit(panel, params, progress)
        summary = model.summary()
        series, daily = model.series, model.daily
        calibration = model.calibration.as_dict()
        totals = model.totals.as_dict()
    progress("saving", 0.95)
    with store.transaction() as cur:
        run_id = model_runs.record(
            cur,
            "forecast",
            data_through=through,
            seconds=time.perf_counter() - started,
            # the band's held-out shifts are part of the fitted model: kept with the run
            params={**params.as_dict(), "calibration": calibration, "total_calibration": totals},
            summary=summary,
        )
        if series is not None:
            forecast_data.replace_results(cur, run_id, series.drop(columns=["genre"]), daily)
    progress("done", 1.0)
    return summary
