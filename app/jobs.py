"""Batch jobs: heavy model fitting that runs outside the web app and persists its results.

Each feature module registers its job with `@job`. `labelradar refresh` runs the aggregate
rebuild and then every job (or `--only NAME`); pages only read what the jobs persisted and
show when it was computed (`data.model_runs`). A job writes all its results and its
`model_runs` row in one transaction, so a failed run leaves the previous results intact.
"""

from __future__ import annotations

import importlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from data.store import Store

ProgressFn = Callable[[str, float], None]
JobFn = Callable[..., dict[str, Any]]  # (store, progress, **options) -> summary

# Run order matters only where a job reads another's results (none do yet).
JOB_MODULES = ("app.fans.job", "app.similar.job", "app.alerts.job", "app.budget.job")


@dataclass(frozen=True)
class Job:
    name: str
    title: str
    run: JobFn  # (store, progress) -> small JSON-able summary


JOBS: dict[str, Job] = {}


def job(name: str, title: str) -> Callable[[JobFn], JobFn]:
    """Register a batch job under `name` (the --only value and the model_runs.job key)."""

    def register(fn: JobFn) -> JobFn:
        JOBS[name] = Job(name, title, fn)
        return fn

    return register


def load_jobs() -> dict[str, Job]:
    """Import every job module (registering its jobs) and return the registry in order."""
    for module in JOB_MODULES:
        importlib.import_module(module)
    return JOBS


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
        summary = j.run(store, step, **(options or {}).get(j.name, {}))
        results.append(
            {"job": j.name, "seconds": round(time.perf_counter() - started, 2)} | summary
        )
    return results
