"""Batch job "similar": artist embeddings, clusters, neighbours and potential streams."""

from __future__ import annotations

import time
from typing import Any

from analytics import similar
from data.progress import ProgressFn
from data.results import runs as model_runs
from data.results import similar as similar_data
from data.store import Store


def run(store: Store, progress: ProgressFn, **options: Any) -> dict[str, Any]:
    """Fit the model on every (artist, label) unit and replace the persisted results.
    `options` override the model's parameters (`analytics.similar.SimilarParams` fields)."""
    started = time.perf_counter()
    params = similar.SimilarParams(**options)
    progress("reading listener-level streams", 0.0)
    listener_rows = similar_data.listener_streams(store)
    country_rows = similar_data.country_streams(store)
    through = model_runs.data_through(store.cursor())
    model = similar.fit(listener_rows, country_rows, params, progress)
    summary = model.summary()
    progress("saving", 0.95)
    with store.transaction() as cur:
        run_id = model_runs.record(
            cur,
            "similar",
            data_through=through,
            seconds=time.perf_counter() - started,
            params=params.as_dict(),
            summary=summary,
        )
        similar_data.replace_results(cur, run_id, model.artists, model.neighbors, model.potential)
    progress("done", 1.0)
    return summary
