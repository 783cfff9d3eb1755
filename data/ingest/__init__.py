"""Loading catalog, trend report and campaign files into the store (spec section 4).

How a load runs:

1. The file is hashed (sha256 of its bytes, streamed). A file whose content was already
   loaded as the same kind, and not since superseded, is a no-op (`LoadResult.duplicate`).
2. Its columns are read (the CSV header with the csv module, the Parquet schema with
   DuckDB) and checked against the spec: missing required columns are an error, unknown
   extra columns too unless `ignore_extra=True`.
3. One DuckDB transaction: the rows are read by DuckDB itself (read_csv with every column
   VARCHAR, or read_parquet), checked by the rules of data/ingest/specs.py compiled to SQL (validation.py),
   and written, together with the `loads` row, the aggregates (trend reports) and the audit
   entry; COMMIT, or ROLLBACK on any exception (KeyboardInterrupt included).

   By default the check and the write are one pass: an INSERT ... SELECT whose filter
   raises an error at the first invalid row (or whose cast to an ENUM fails). Only then
   (the error path) does a second, diagnostic pass count the problems per column and fetch
   the first 20, and nothing is written. With `accept_valid=True` the invalid rows go first
   into a temporary table (and from there into `<input name>.rejects.csv` beside the input,
   with `_line` and `_reason` columns before the original ones, spreadsheet formulas
   defused), then the valid rows are inserted.

Where problems are: CSV problems carry the physical line (the header is line 1; a quoted
field spanning lines counts them all), Parquet problems the 0-based row. In the rejects
file `_line` is that same number: the CSV line, or for a Parquet input the 0-based row.

Trend reports may overlap earlier ones (a DSP can deliver a day or a country per file), so
an overlapping load is allowed. A corrected re-delivery is loaded with `replace=True`: the
earlier rows of the new file's DSPs in its [first date, last date] are deleted in the same
transaction, and earlier loads left without rows are marked superseded by the new one.

A malformed CSV (wrong field count, unclosed quote, not UTF-8, no header) is rejected whole
even with `accept_valid`: its rows cannot be told apart reliably.

Modules: specs.py (the rules as data, with the bounds of docs/spec-bounds.md), validation.py
(the rules compiled to SQL), source.py (the file and the SQL that reads it), load.py (one
load's transaction), diagnose.py (why a file was rejected), rejects.py (the rejects file),
errors.py (LoadResult, IngestError). This module is the public API.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from data import health
from data.ingest.errors import IngestError, LoadResult, Problem, clip
from data.ingest.load import load_file
from data.ingest.validation import CAMPAIGNS, CATALOG, TREND, compile_spec
from data.progress import Progress, ProgressFn
from data.store import Store

__all__ = [
    "IngestError",
    "LoadResult",
    "Problem",
    "ProgressFn",
    "clip",
    "compile_spec",
    "load_campaigns",
    "load_catalog",
    "load_trend_report",
    "refresh_aggregates",
]


# -- public API ----------------------------------------------------------------------------
def load_catalog(
    store: Store,
    path: str | Path,
    *,
    accept_valid: bool = False,
    ignore_extra: bool = False,
    actor: str = "cli",
    progress: ProgressFn | None = None,
) -> LoadResult:
    """Load (upsert by ISRC) a catalog file. Raises IngestError if it breaks a rule."""
    return load_file(
        store,
        path,
        CATALOG,
        accept_valid=accept_valid,
        ignore_extra=ignore_extra,
        actor=actor,
        progress=progress,
    )


def load_trend_report(
    store: Store,
    path: str | Path,
    *,
    accept_valid: bool = False,
    replace: bool = False,
    ignore_extra: bool = False,
    actor: str = "cli",
    progress: ProgressFn | None = None,
    today: dt.date | None = None,
    defer_aggregates: bool = False,
) -> LoadResult:
    """Load a trend report. `replace` swaps out the earlier rows of its DSPs and dates
    (the way to load a corrected re-delivery). Raises IngestError if it breaks a rule.

    `defer_aggregates` queues the touched aggregate partitions instead of refreshing them,
    for a delivery of several files: call `refresh_aggregates(store)` after the last one (a
    read-write open of the store also finishes a backlog left by an interrupted command).
    """
    return load_file(
        store,
        path,
        TREND,
        accept_valid=accept_valid,
        replace=replace,
        ignore_extra=ignore_extra,
        actor=actor,
        progress=progress,
        today=today,
        defer_aggregates=defer_aggregates,
    )


def refresh_aggregates(store: Store, progress: ProgressFn | None = None) -> int:
    """Refresh the aggregate partitions queued by deferred loads, in one transaction.

    On failure the backlog is kept and the failure recorded (data.health.StepFailed)."""
    report = Progress(progress)
    report("refreshing aggregates", 0.0)
    done = health.refresh_backlog(store)
    report("done", 1.0)
    return done


def load_campaigns(
    store: Store,
    path: str | Path,
    *,
    accept_valid: bool = False,
    ignore_extra: bool = False,
    actor: str = "cli",
    progress: ProgressFn | None = None,
) -> LoadResult:
    """Load (upsert by campaign_id) a campaign history file. Raises IngestError on rules."""
    return load_file(
        store,
        path,
        CAMPAIGNS,
        accept_valid=accept_valid,
        ignore_extra=ignore_extra,
        actor=actor,
        progress=progress,
    )
