"""Batch job "fans": fit the fan-type model on listener-level streams and persist it."""

from __future__ import annotations

import time
from typing import Any

from analytics import fans
from data.progress import ProgressFn
from data.results import fans as results
from data.results import runs
from data.store import Store

# Defaults of the job's parameters (recorded in model_runs.params).
WINDOW_DAYS: int | None = None  # None: the whole available history
KS = (2, 3, 4, 5)
SEEDS = (0, 1, 2)


def run(
    store: Store,
    progress: ProgressFn,
    *,
    window_days: int | None = WINDOW_DAYS,
    ks: tuple[int, ...] = KS,
    seeds: tuple[int, ...] = SEEDS,
) -> dict[str, Any]:
    """Fit over the last `window_days` days of data (None: the whole history) and replace
    the results. With no listener-level streams the results are cleared, so pages say so
    rather than show stale ones."""
    started = time.perf_counter()
    progress("reading listener streams", 0.0)
    cur = store.cursor()
    date_from = results.window_start(cur, window_days)
    through = runs.data_through(cur)
    pairs = results.read_pairs(cur, date_from)
    model = fans.fit(pairs, ks=ks, seeds=seeds, progress=lambda s, f: progress(s, 0.1 + 0.8 * f))
    progress("saving results", 0.9)
    with store.transaction() as tx:
        results.write_results(tx, model.frames())
        runs.record(
            tx,
            "fans",
            data_through=through,
            seconds=time.perf_counter() - started,
            params={"window_days": window_days, "date_from": date_from, "ks": ks, "seeds": seeds},
            summary=model.summary,
        )
    progress("done", 1.0)
    return model.summary
