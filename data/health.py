"""Derived steps that failed, and their repair (`labelradar doctor`).

The aggregate refresh and the batch jobs derive from committed data. When one of them fails,
its own transaction rolls back, the failure is recorded in `step_failures` and, for the
aggregates, the backlog of partitions to refresh is kept: the store stays usable and the
step can be retried once its cause is fixed (for data loaded before the ingest had bounds,
by dropping the load that brought the bad values).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from dataclasses import dataclass

import duckdb

from data import aggregates, audit
from data.store import Store, StoreError

AGGREGATES = "aggregates"  # the step name of the aggregate refresh
_MAX_MESSAGE = 300


class StepFailed(StoreError):
    """A derived step failed; it was recorded and what it needs is kept for a retry."""


@dataclass(frozen=True)
class Pending:
    load_id: int
    dsp: str
    date_min: dt.date
    date_max: dt.date


@dataclass(frozen=True)
class Failure:
    step: str
    failed_at: dt.datetime
    message: str


def short_message(exc: BaseException) -> str:
    """The first line of an error, without DuckDB's 'X Error:' prefix, clipped."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    text = re.sub(r"^[A-Za-z ]+Error: ", "", text)
    return text if len(text) <= _MAX_MESSAGE else text[: _MAX_MESSAGE - 3] + "..."


def backlog(store: Store) -> list[Pending]:
    rows = (
        store.cursor()
        .execute("SELECT load_id, dsp, date_min, date_max FROM aggregate_backlog ORDER BY ALL")
        .fetchall()
    )
    return [Pending(int(r[0]), r[1], r[2], r[3]) for r in rows]


def failures(store: Store) -> list[Failure]:
    rows = (
        store.cursor()
        .execute("SELECT step, failed_at, message FROM step_failures ORDER BY failed_at, step")
        .fetchall()
    )
    return [Failure(*r) for r in rows]


def record_failure(store: Store, step: str, exc: BaseException) -> str:
    """Record that `step` failed (in its own transaction, after the step's rolled back),
    replacing its earlier failure.
    Returns the message recorded. A read-only store records nothing."""
    message = short_message(exc)
    if not store.read_only:
        with contextlib.suppress(duckdb.Error), store.transaction() as cur:
            # The latest failure of a step is the one worth showing: every read-write open
            # retries a failing backlog, and the table must not grow with each.
            cur.execute("DELETE FROM step_failures WHERE step = ?", [step])
            cur.execute("INSERT INTO step_failures (step, message) VALUES (?, ?)", [step, message])
    return message


def clear_failures(store: Store, step: str) -> None:
    """Forget the recorded failures of `step` (it has just succeeded)."""
    if store.read_only:
        return
    cur = store.cursor()
    if cur.execute("SELECT count(*) FROM step_failures WHERE step = ?", [step]).fetchone()[0]:
        with store.transaction() as tx:
            tx.execute("DELETE FROM step_failures WHERE step = ?", [step])


def refresh_backlog(store: Store) -> int:
    """Refresh the queued aggregate partitions in one transaction; returns the number of
    date ranges refreshed. On failure the backlog is kept, the failure recorded, and
    StepFailed raised."""
    if not store.cursor().execute("SELECT count(*) FROM aggregate_backlog").fetchone()[0]:
        clear_failures(store, AGGREGATES)
        return 0  # nothing queued: no transaction, so a publishing copy stays unchanged
    try:
        with store.transaction() as cur:
            done = aggregates.refresh_backlog(cur)
    except duckdb.Error as exc:
        message = record_failure(store, AGGREGATES, exc)
        raise StepFailed(
            f"the aggregate refresh failed ({message}); the pending partitions are kept: "
            "run `labelradar doctor` to see and repair them"
        ) from exc
    clear_failures(store, AGGREGATES)
    return done


def rebuild_aggregates(store: Store) -> None:
    """Rebuild every aggregate from the facts; on failure as `refresh_backlog`."""
    try:
        with store.transaction() as cur:
            aggregates.refresh_all(cur)
    except duckdb.Error as exc:
        message = record_failure(store, AGGREGATES, exc)
        raise StepFailed(
            f"the aggregate rebuild failed ({message}); the aggregates are as they were: "
            "run `labelradar doctor` to see and repair the cause"
        ) from exc
    clear_failures(store, AGGREGATES)


def drop_load(store: Store, load_id: int, *, actor: str) -> dict[str, object]:
    """Remove a trend report load's rows and queue its aggregate partitions for refresh.

    For a load whose values break the aggregates (loaded before the ingest had bounds): the
    facts go, the `loads` row goes (so a corrected file can load), the audit log keeps what
    was dropped. Catalog and campaign loads upsert shared rows and cannot be dropped."""
    with store.transaction() as cur:
        row = cur.execute(
            "SELECT kind, file_name, dsps, date_min, date_max FROM loads WHERE load_id = ?",
            [load_id],
        ).fetchone()
        if row is None:
            raise StoreError(f"no load {load_id} in this store (see `labelradar doctor`)")
        kind, file_name, dsps, lo, hi = row
        if kind != "trend":
            raise StoreError(
                f"load {load_id} is a {kind} load: only trend report loads can be dropped"
            )
        removed = int(
            cur.execute("DELETE FROM trend_facts WHERE load_id = ?", [load_id]).fetchone()[0]
        )
        cur.execute("DELETE FROM loads WHERE load_id = ?", [load_id])
        if lo is not None and dsps:
            aggregates.queue(cur, load_id, lo, hi, list(dsps))
        summary = {"load_id": load_id, "file": file_name, "rows_removed": removed}
        # In the state database, before this transaction commits (as loads are audited).
        audit.record(
            store,
            actor=actor,
            action="doctor.drop_load",
            entity="load",
            entity_id=str(load_id),
            before={"file": file_name, "dsps": dsps, "date_min": lo, "date_max": hi},
            after=summary,
        )
    return summary
