"""Batch job "fans": fit the fan-type model on listener-level streams and persist it."""

from __future__ import annotations

import time
from typing import Any

import numpy as np
import pandas as pd

from analytics import fans as model
from data.progress import ProgressFn
from data.results import fans as fan_data
from data.results import runs as model_runs
from data.store import Store

# Defaults of the job's parameters (recorded in model_runs.params).
WINDOW_DAYS: int | None = None  # None: the whole available history
KS = (2, 3, 4, 5)
SEEDS = (0, 1, 2)


def frames(res: model.FanResults) -> dict[str, pd.DataFrame]:
    """The result tables' rows from an analysis."""
    m = res.model
    kk = len(m.names)
    nb = len(m.bins)
    return {
        "fan_profiles": pd.DataFrame(
            {
                "profile_idx": np.arange(kk),
                "name": m.names,
                "mean_streams": m.mean_streams,
                "mu": res.mu,
                "sigma": res.sigma,
            }
        ),
        "fan_profile_pmf": pd.DataFrame(
            {
                "profile_idx": np.repeat(np.arange(kk), nb),
                "bin_idx": np.tile(np.arange(nb), kk),
                "low": np.tile(m.bins.low, kk),
                "high": np.tile(m.bins.high, kk),
                "p": m.phi.ravel(),
            }
        ),
        "fan_thresholds": pd.DataFrame(
            {
                "idx": np.arange(len(m.thresholds)),
                "lower_name": [t["lower"] for t in m.thresholds],
                "upper_name": [t["upper"] for t in m.thresholds],
                "streams": pd.array([t["streams"] for t in m.thresholds], dtype="Float64"),
            }
        ),
        "fan_k_scores": res.k_choice.scores.astype({"k": int, "seed": int, "loglik": float}),
        "fan_mix": res.mix,
        "fan_assignments": res.assignments,
        "fan_breakdowns": res.breakdowns,
        "fan_targets": res.targets[
            [
                "artist_id",
                "rank",
                "age_band",
                "gender",
                "country",
                "listeners",
                "passive_casual",
                "diehard",
                "segment_diehard_share",
                "artist_diehard_share",
                "gap",
            ]
        ],
    }


def _save(
    store: Store,
    results: dict[str, pd.DataFrame],
    *,
    through: Any,
    started: float,
    params: dict[str, Any],
    summary: dict[str, Any],
) -> None:
    """Replace the results and record the run in one transaction."""
    with store.transaction() as tx:
        fan_data.write_results(tx, results)
        model_runs.record(
            tx,
            "fans",
            data_through=through,
            seconds=time.perf_counter() - started,
            params=params,
            summary=summary,
        )


def run_fans(
    store: Store,
    progress: ProgressFn,
    *,
    window_days: int | None = WINDOW_DAYS,
    ks: tuple[int, ...] = KS,
    seeds: tuple[int, ...] = SEEDS,
) -> dict[str, Any]:
    started = time.perf_counter()
    cur = store.cursor()
    progress("reading listener streams", 0.0)
    date_from = fan_data.window_start(cur, window_days)
    through = model_runs.data_through(cur)
    pairs = fan_data.read_pairs(cur, date_from)
    params = {"window_days": window_days, "date_from": date_from, "ks": ks, "seeds": seeds}
    if pairs.empty:
        # Nothing to model: clear old results so pages say so rather than show stale ones.
        summary = {"pairs": 0, "artists": 0, "k": None}
        _save(store, {}, through=through, started=started, params=params, summary=summary)
        return summary
    res = model.analyse(pairs, ks=ks, seeds=seeds, progress=lambda s, f: progress(s, 0.1 + 0.8 * f))
    summary = {
        "pairs": int(len(pairs)),
        "listeners": int(pairs["listener_id"].nunique()),
        "artists": int(pairs["artist_id"].nunique()),
        "k": len(res.model.names),
        "k_flat": bool(res.k_choice.flat),
        "profiles": res.model.names,
        "thresholds": [
            None if t["streams"] is None else round(t["streams"], 1) for t in res.model.thresholds
        ],
    }
    progress("saving results", 0.9)
    _save(store, frames(res), through=through, started=started, params=params, summary=summary)
    progress("done", 1.0)
    return summary


def run(
    store: Store, progress: ProgressFn, window_days: int | None = WINDOW_DAYS
) -> dict[str, Any]:
    """Fit over the last `window_days` days of data (None: the whole history)."""
    return run_fans(store, progress, window_days=window_days)
