"""One load: hash, read and check its files, then write them in a single transaction (the
writing itself: write.py; see __init__)."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb

from data import audit
from data.ingest.diagnose import diagnose
from data.ingest.errors import IngestError, LoadResult, fail
from data.ingest.source import (
    Source,
    check_columns,
    content_sha256,
    open_source,
    sha256,
)
from data.ingest.validation import CompiledSpec, FileSpec, compile_spec
from data.ingest.write import Outcome, message
from data.ingest.write import write as _write
from data.progress import Progress, ProgressFn
from data.store import Store


def _find_duplicate(cur: duckdb.DuckDBPyConnection, kind: str, digest: str) -> int | None:
    row = cur.execute(
        "SELECT min(load_id) FROM loads WHERE kind = ? AND content_hash = ? "
        "AND superseded_by IS NULL",
        [kind, digest],
    ).fetchone()
    return None if row is None or row[0] is None else int(row[0])


def _rollback(cur: duckdb.DuckDBPyConnection) -> None:
    with contextlib.suppress(duckdb.Error):
        cur.execute("ROLLBACK")


@contextlib.contextmanager
def _quiet(cur: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """No DuckDB progress bar on stdout during a load: callers draw their own (progress)."""
    before = cur.execute("SELECT current_setting('enable_progress_bar_print')").fetchone()[0]
    cur.execute("SET enable_progress_bar_print = false")
    try:
        yield
    finally:
        with contextlib.suppress(duckdb.Error):
            cur.execute(f"SET enable_progress_bar_print = {'true' if before else 'false'}")


@dataclass(frozen=True)
class Part:
    """One file of a load and how to load it (load_files loads several in one transaction)."""

    path: Path
    spec: FileSpec
    accept_valid: bool
    ignore_extra: bool
    progress: ProgressFn | None = None
    replace: bool = False
    defer_aggregates: bool = False
    today: dt.date | None = None


@dataclass
class _Opened:
    """A part hashed, opened and checked: everything a load does before the write lock."""

    part: Part
    report: Progress
    raw_digest: str
    digest: str
    source: Source
    compiled: CompiledSpec
    rejects_file: Path
    partial: Path  # the rejects file is written under this name and renamed after COMMIT


def _open(cur: duckdb.DuckDBPyConnection, part: Part) -> _Opened:
    path, report = part.path, Progress(part.progress)
    if not path.is_file():
        raise fail(path, "file not found", headline="file not found")
    report(f"hashing {path.name}", 0.0)
    raw_digest = sha256(path)
    report(f"reading {path.name}", 0.05)
    source = open_source(cur, path)
    digest = content_sha256(path, source.compression)  # = raw_digest unless gzip
    check_columns(source, part.spec, ignore_extra=part.ignore_extra)
    compiled = compile_spec(part.spec, source.columns(), today=part.today or dt.date.today())
    rejects_file = path.with_name(path.name + ".rejects.csv")
    partial = path.with_name(f".{path.name}.rejects.{os.getpid()}.partial")
    return _Opened(part, report, raw_digest, digest, source, compiled, rejects_file, partial)


def _duplicate_of(cur: duckdb.DuckDBPyConnection, o: _Opened) -> int | None:
    kind = o.part.spec.kind
    duplicate = _find_duplicate(cur, kind, o.digest)
    if duplicate is None and o.raw_digest != o.digest:  # a gzip file loaded before: its bytes
        duplicate = _find_duplicate(cur, kind, o.raw_digest)
    return duplicate


def load_file(
    store: Store,
    path: str | Path,
    spec: FileSpec,
    *,
    accept_valid: bool,
    ignore_extra: bool,
    actor: str,
    progress: ProgressFn | None,
    replace: bool = False,
    today: dt.date | None = None,
    defer_aggregates: bool = False,
) -> LoadResult:
    part = Part(
        Path(path),
        spec,
        accept_valid=accept_valid,
        ignore_extra=ignore_extra,
        progress=progress,
        replace=replace,
        defer_aggregates=defer_aggregates,
        today=today,
    )
    return load_files(store, [part], actor=actor)[0]


def load_files(
    store: Store,
    parts: list[Part],
    *,
    actor: str,
    then: Callable[[duckdb.DuckDBPyConnection], None] | None = None,
) -> list[LoadResult]:
    """Load the parts in one transaction: all of them or, when one breaks a rule or the
    load is interrupted, none (a chart file is a catalog and a trend report: the spec's
    "nothing from it is written" holds for both). A part whose content was loaded before
    is skipped and said to be a duplicate. `then` runs in the transaction after the writes.
    Raises IngestError naming the part's file that broke a rule."""
    cur = store.cursor()
    opened = [_open(cur, p) for p in parts]
    outcomes: list[Outcome | None] = []
    with store.write_lock, _quiet(cur):
        duplicates = [_duplicate_of(cur, o) for o in opened]
        if all(d is not None for d in duplicates):
            for o in opened:
                o.report("done", 1.0)
            return [_duplicate_result(o, d) for o, d in zip(opened, duplicates, strict=True)]
        cur.execute("BEGIN TRANSACTION")
        current = opened[-1]  # the part a failure is diagnosed on (COMMIT: the last one)
        try:
            for o, duplicate in zip(opened, duplicates, strict=True):
                current = o
                outcomes.append(None if duplicate is not None else _write_part(cur, o, actor))
            current = opened[-1]
            if then is not None:
                then(cur)
            # Audited before COMMIT: a load never exists without its entry (the entry of a
            # load whose COMMIT then fails says so by pointing at no row of `loads`).
            for outcome in outcomes:
                if outcome is not None:
                    audit.record(store, **outcome.audit)
            current.report("committing", 0.95)
            cur.execute("COMMIT")
            store.commits += 1
        except duckdb.Error as exc:
            _abandon(cur, opened)
            if isinstance(exc, duckdb.InterruptException):
                raise
            done = [o for o, d in zip(opened, duplicates, strict=True) if d is None]
            raise _diagnose_after(cur, done[: done.index(current)], current, exc, actor) from exc
        except BaseException:  # KeyboardInterrupt included: the store stays as it was
            _abandon(cur, opened)
            raise
    results = []
    for o, duplicate, outcome in zip(opened, duplicates, outcomes, strict=True):
        o.report("done", 1.0)
        if outcome is None:
            results.append(_duplicate_result(o, duplicate))
            continue
        if outcome.rejected:
            os.replace(o.partial, o.rejects_file)
        results.append(_result(o, outcome))
    return results


def _abandon(cur: duckdb.DuckDBPyConnection, opened: list[_Opened]) -> None:
    _rollback(cur)
    for o in opened:
        o.partial.unlink(missing_ok=True)


def _diagnose_after(
    cur: duckdb.DuckDBPyConnection,
    before: list[_Opened],
    failed: _Opened,
    exc: BaseException,
    actor: str,
) -> IngestError:
    """Why `failed` broke a rule, read with the parts loaded before it in its transaction
    written again (and rolled back after): a chart's trend part names tracks its own
    catalog part adds, which the rollback took away."""
    if not before:
        return diagnose(cur, failed.source, failed.compiled, exc)
    cur.execute("BEGIN TRANSACTION")
    try:
        for o in before:
            _write_part(cur, o, actor)
        return diagnose(cur, failed.source, failed.compiled, exc)
    finally:
        _abandon(cur, before)


def _write_part(cur: duckdb.DuckDBPyConnection, o: _Opened, actor: str) -> Outcome:
    return _write(
        cur,
        o.source,
        o.compiled,
        digest=o.digest,
        accept_valid=o.part.accept_valid,
        replace=o.part.replace,
        actor=actor,
        report=o.report,
        partial=o.partial,
        defer_aggregates=o.part.defer_aggregates,
    )


def _duplicate_result(o: _Opened, duplicate: int | None) -> LoadResult:
    kind, path = o.part.spec.kind, o.part.path
    message = f"{path.name} was already loaded (load {duplicate}): nothing to do"
    return LoadResult(kind, path, duplicate, 0, 0, True, 0, None, message)


def _result(o: _Opened, outcome: Outcome) -> LoadResult:
    spec, path = o.part.spec, o.part.path
    return LoadResult(
        kind=spec.kind,
        file=path,
        load_id=outcome.load_id,
        rows_loaded=outcome.loaded,
        rows_rejected=outcome.rejected,
        duplicate=False,
        replaced_rows=outcome.facts.replaced,
        rejects_file=o.rejects_file if outcome.rejected else None,
        message=message(spec, path, outcome, o.rejects_file, o.part.replace),
        overlapping_rows=outcome.facts.overlap,
    )
