"""Batch jobs: heavy model fitting that runs outside the web app and persists its results.

Each feature with `job=True` in app/features.py has `app/<feature>/job.py` with a `run`. `labelradar refresh` runs the aggregate
rebuild and then every job (or `--only NAME`); pages only read what the jobs persisted and
show when it was computed (`data.model_runs`). A job writes all its results and its
`model_runs` row in one transaction, so a failed run leaves the previous results intact.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from app.features import with_jobs
from data import health
from data.progress import ProgressFn
from data.store import Store

JobFn = Callable[..., dict[str, Any]]  # (store, progress, **options) -> summary


@dataclass(frozen=True)
class Job:
    name: str
    title: str
    run: JobFn  # (store, progress, **options) -> small JSON-able summary


def load_jobs() -> dict[str, Job]:
    """The batch jobs of the registered features, in registry order."""
    return {f.name: Job(f.name, f.title, f.job_module().run) for f in with_jobs()}


def _quiet(stage: str, fraction: float) -> None:
    return None


def run_jobs(
    store: Store,
    names: list[str] | None = None,
    progress: ProgressFn | None = None,
    options: dict[str, dict[str, Any]] | None = None,
) -> list[dict[str, Any]]:
    """Run the named jobs (all when None) in registry order; returns one summary each.
    `options[name]` are keyword arguments for that job (e.g. fans: window_days)."""
    jobs = load_jobs()
    unknown = sorted(set(names or ()) - set(jobs))
    if unknown:
        raise ValueError(f"unknown job(s): {', '.join(unknown)}; known: {', '.join(jobs)}")
    chosen = [j for j in jobs.values() if names is None or j.name in names]
    report = progress or _quiet
    results = []
    for i, j in enumerate(chosen):

        def step(stage: str, fraction: float, i: int = i, j: Job = j) -> None:
            report(f"{j.title}: {stage}", (i + max(0.0, min(1.0, fraction))) / len(chosen))

        started = time.perf_counter()
        try:
            summary = j.run(store, step, **(options or {}).get(j.name, {}))
        except Exception as exc:
            # The job's transaction rolled back; doctor lists the failure and reruns it.
            health.record_failure(store, j.name, exc)
            raise
        health.clear_failures(store, j.name)
        results.append(
            {"job": j.name, "seconds": round(time.perf_counter() - started, 2)} | summary
        )
    return results
