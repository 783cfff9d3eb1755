"""Batch job "health": coverage per DSP and day and the delivery issues (missing, partial,
duplicate, late days), persisted for the Data health page, the CLI and the alerts job
(which leaves the flagged days out). Registered before alerts so they read fresh issues."""

from __future__ import annotations

import time
from typing import Any

from analytics import health as health_model
from data.progress import ProgressFn
from data.results import health as health_results
from data.results import runs as model_runs
from data.store import Store


def run(store: Store, progress: ProgressFn) -> dict[str, Any]:
    """Check every feed and save the issues and the coverage."""
    started = time.perf_counter()
    progress("reading deliveries", 0.05)
    cur = store.cursor()
    inputs = health_model.HealthInputs(health_results.coverage(cur), health_results.load_cells(cur))
    progress("checking coverage", 0.5)
    model = health_model.fit(inputs)
    kinds = model.issues.kind.value_counts().to_dict() if not model.issues.empty else {}
    summary = {"issues": len(model.issues), "kinds": kinds, "feeds": model.coverage.dsp.nunique()}
    progress("saving", 0.9)
    with store.transaction() as tx:
        health_results.replace_results(tx, model.issues, model.coverage)
        model_runs.record(
            tx,
            "health",
            data_through=model.data_through,
            seconds=time.perf_counter() - started,
            params=inputs.config.__dict__,
            summary=summary,
        )
    return summary
