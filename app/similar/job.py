"""Batch job "similar": artist embeddings, clusters, neighbours and potential streams."""

from __future__ import annotations

import time
from typing import Any

from analytics.similar import model as similar_model
from data.progress import ProgressFn
from data.results import runs as model_runs
from data.results import similar as similar_batch
from data.store import Store


def run(store: Store, progress: ProgressFn) -> dict[str, Any]:
    started = time.perf_counter()
    params = similar_model.SimilarParams()
    progress("reading listener-level streams", 0.0)
    listener_rows = similar_batch.listener_streams(store)
    country_rows = similar_batch.country_streams(store)
    through = model_runs.data_through(store.cursor())
    model = similar_model.fit(listener_rows, country_rows, params, progress)
    summary = {
        "artists": int(len(model.artists)),
        "clusters": int(model.n_clusters),
        "neighbor_rows": int(len(model.neighbors)),
        "potential_rows": int(len(model.potential)),
    }
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
        similar_batch.replace_results(cur, run_id, model.artists, model.neighbors, model.potential)
    progress("done", 1.0)
    return summary
