"""Batch job "recommend": compare recommenders on held-out months, fit the best on all data
and persist each track's likely adopters and what to promote next."""

from __future__ import annotations

import time
from typing import Any

from analytics import recommend
from data.progress import ProgressFn
from data.results import recommend as recommend_data
from data.results import runs as model_runs
from data.store import Store


def run(store: Store, progress: ProgressFn, **options: Any) -> dict[str, Any]:
    """Fit and replace the persisted results. `options` override the model's parameters
    (`analytics.recommend.RecommendParams` fields)."""
    started = time.perf_counter()
    params = recommend.RecommendParams(**options)
    progress("reading listener-level streams", 0.0)
    monthly = recommend_data.monthly_plays(store)
    listeners = recommend_data.listeners(store)
    tracks = recommend_data.tracks(store)
    through = model_runs.data_through(store.cursor())
    model = recommend.fit(monthly, listeners, tracks, params, progress)
    summary = model.summary()
    progress("saving", 0.95)
    frames = {
        "recommend_metrics": model.metrics,
        "recommend_adopters": model.adopters,
        "recommend_segments": model.segments,
        "recommend_promote": model.promote,
        "recommend_listener_tracks": model.listener_tracks,
    }
    with store.transaction() as cur:
        run_id = model_runs.record(
            cur,
            "recommend",
            data_through=through,
            seconds=time.perf_counter() - started,
            params=params.as_dict(),
            summary=summary,
        )
        recommend_data.replace_results(cur, run_id, frames)
    progress("done", 1.0)
    return summary
