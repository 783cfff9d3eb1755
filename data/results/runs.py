"""Bookkeeping of batch-job runs: when each persisted model was computed and on what data.

Jobs call `record` inside the same transaction that writes their results, so a page never
sees results without their run row (or the other way round)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from duckdb import DuckDBPyConnection

from data.store import Store


@dataclass(frozen=True)
class ModelRun:
    run_id: int
    job: str
    computed_at: dt.datetime
    data_through: dt.date | None
    seconds: float
    params: dict[str, Any]
    summary: dict[str, Any]


def record(
    cur: DuckDBPyConnection,
    job: str,
    *,
    data_through: dt.date | None,
    seconds: float,
    params: dict[str, Any] | None = None,
    summary: dict[str, Any] | None = None,
) -> int:
    """Insert a run row (call inside the job's write transaction); returns its run_id."""
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    return cur.execute(
        "INSERT INTO model_runs VALUES (nextval('model_run_ids'), ?, ?, ?, ?, ?, ?) "
        "RETURNING run_id",
        [
            job,
            now,
            data_through,
            float(seconds),
            json.dumps(params or {}, default=str),
            json.dumps(summary or {}, default=str),
        ],
    ).fetchone()[0]


def latest(store: Store, job: str) -> ModelRun | None:
    """The most recent run of `job`, or None when it has never run on this store."""
    row = (
        store.cursor()
        .execute(
            "SELECT run_id, job, computed_at, data_through, seconds, params, summary "
            "FROM model_runs WHERE job = ? ORDER BY run_id DESC LIMIT 1",
            [job],
        )
        .fetchone()
    )
    if row is None:
        return None
    return ModelRun(*row[:5], json.loads(row[5]), json.loads(row[6]))


def data_through(cur: DuckDBPyConnection) -> dt.date | None:
    """The last day with trend facts (what a job's results are 'as of')."""
    return cur.execute("SELECT max(date) FROM trend_facts").fetchone()[0]
