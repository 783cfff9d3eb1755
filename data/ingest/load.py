"""One load: hash, read, check and write a file in a single transaction (see __init__)."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from data import aggregates, audit, rollups
from data.ingest.diagnose import ERROR_MARK, diagnose
from data.ingest.errors import IngestError, LoadResult, fail, plural
from data.ingest.rejects import copy_rejects, write_rejects
from data.ingest.source import (
    Source,
    bad_sql,
    check_columns,
    content_sha256,
    insert_sql,
    open_source,
    relation,
    sha256,
)
from data.ingest.specs import MAX_TREND_ROWS
from data.ingest.validation import CompiledSpec, FileSpec, compile_spec, sql_string
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


@dataclass
class _Facts:
    lo: dt.date | None = None
    hi: dt.date | None = None
    dsps: list[str] | None = None
    replaced: int = 0
    superseded: list[int] | None = None
    # rows whose cell (every column but streams) an earlier load holds too, and those loads
    overlap: int = 0
    overlap_loads: list[int] | None = None


@dataclass
class _Outcome:
    load_id: int
    loaded: int
    rejected: int
    added: int  # rows the target table grew by (upserts: the new keys)
    facts: _Facts
    audit: dict[str, Any]  # the audit entry, for the state database


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
    outcomes: list[_Outcome | None] = []
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


def _write_part(cur: duckdb.DuckDBPyConnection, o: _Opened, actor: str) -> _Outcome:
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


def _result(o: _Opened, outcome: _Outcome) -> LoadResult:
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
        message=_message(spec, path, outcome, o.rejects_file, o.part.replace),
        overlapping_rows=outcome.facts.overlap,
    )


def _write(
    cur: duckdb.DuckDBPyConnection,
    source: Source,
    compiled: CompiledSpec,
    *,
    digest: str,
    accept_valid: bool,
    replace: bool,
    actor: str,
    report: Progress,
    partial: Path,
    defer_aggregates: bool = False,
) -> _Outcome:
    """Everything a load writes, inside the caller's transaction."""
    spec, path = compiled.spec, source.path
    load_id = int(cur.execute("SELECT nextval('load_id_seq')").fetchone()[0])
    before = int(cur.execute(f"SELECT count(*) FROM {spec.table}").fetchone()[0])
    rejected, max_bad = 0, -1
    if accept_valid:
        report(f"validating {path.name}", 0.1)
        rejected, max_bad = write_rejects(cur, source, compiled)
        where = f"NOT {bad_sql(compiled)}"
    else:
        # One pass: check and write together; the first invalid row (or a failing cast)
        # aborts the statement, and _diagnose then says what is wrong.
        bad = bad_sql(compiled, strict=True)
        where = f"CASE WHEN {bad} THEN error({sql_string(ERROR_MARK)}) ELSE true END"
    report(f"validating and writing {path.name}", 0.2)
    from_sql, params = relation(source, compiled, numbered=False)
    loaded = int(cur.execute(insert_sql(compiled, from_sql, where, load_id), params).fetchone()[0])

    facts = _Facts()
    if spec.kind == "trend":
        facts = _trend_facts(cur, load_id, loaded, replace=replace)
    elif spec.kind == "catalog":
        # The rollups carry each track's label and artist: keep them the catalog's.
        rollups.sync_catalog(cur)
    after = int(cur.execute(f"SELECT count(*) FROM {spec.table}").fetchone()[0])
    if spec.kind == "trend" and after > MAX_TREND_ROWS:
        # The bound that keeps every sum of streams within BIGINT (data/ingest/specs.py).
        raise fail(
            path,
            f"the store would hold {after:,} trend rows, more than its bound of "
            f"{MAX_TREND_ROWS:,} (see docs/spec-bounds.md)",
            headline="the store is full",
        )
    added = after - before
    mode = "replace" if replace else ("accept_valid" if accept_valid else "strict")
    cur.execute(
        "INSERT INTO loads (load_id, kind, file_name, content_hash, rows_loaded, rows_rejected, "
        "dsps, date_min, date_max, mode, loaded_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            load_id,
            spec.kind,
            path.name,
            digest,
            loaded,
            rejected,
            facts.dsps,
            facts.lo,
            facts.hi,
            mode,
            actor,
        ],
    )
    if facts.lo is not None:
        # Replaced rows share the new file's DSPs and lie within its dates: one refresh
        # of those partitions covers both.
        if defer_aggregates:
            aggregates.queue(cur, load_id, facts.lo, facts.hi, facts.dsps)
        else:
            report("refreshing aggregates", 0.7)
            aggregates.refresh(cur, facts.lo, facts.hi, facts.dsps)
    summary: dict[str, Any] = {
        "file": path.name,
        "content_hash": digest,
        "rows_loaded": loaded,
        "rows_rejected": rejected,
        "mode": mode,
    }
    if spec.kind == "trend":
        summary.update(dsps=facts.dsps, date_min=facts.lo, date_max=facts.hi)
        if facts.overlap:
            summary.update(overlapping_rows=facts.overlap, overlapping_loads=facts.overlap_loads)
    else:
        summary.update(rows_new=added, rows_updated=loaded - added)
    entry = dict(
        actor=actor,
        action=f"ingest.{spec.kind}",
        entity="load",
        entity_id=str(load_id),
        before=(
            {"replaced_rows": facts.replaced, "superseded_loads": facts.superseded}
            if replace
            else None
        ),
        after=summary,
    )
    if rejected:
        report("writing the rejects file", 0.9)
        copy_rejects(cur, source, partial, max_bad, loaded + rejected)
    cur.execute("DROP TABLE IF EXISTS __lr_rejects")
    return _Outcome(load_id, loaded, rejected, added, facts, entry)


def _trend_facts(
    cur: duckdb.DuckDBPyConnection, load_id: int, loaded: int, *, replace: bool
) -> _Facts:
    """The new load's dates and DSPs; with `replace`, swap out the earlier rows they cover."""
    facts = _Facts(dsps=[], superseded=[])
    if loaded == 0:
        return facts
    facts.lo, facts.hi, dsps = cur.execute(
        "SELECT min(date), max(date), list(DISTINCT dsp ORDER BY dsp) "
        "FROM trend_facts WHERE load_id = ?",
        [load_id],
    ).fetchone()
    facts.dsps = list(dsps)
    if not replace:
        facts.overlap, facts.overlap_loads = _overlap(cur, load_id, facts)
        return facts
    cover = "load_id <> ? AND list_contains(?, dsp) AND date BETWEEN ? AND ?"
    args = [load_id, facts.dsps, facts.lo, facts.hi]
    earlier = [
        int(r[0])
        for r in cur.execute(
            f"SELECT DISTINCT load_id FROM trend_facts WHERE {cover} ORDER BY 1", args
        ).fetchall()
    ]
    facts.replaced = int(cur.execute(f"DELETE FROM trend_facts WHERE {cover}", args).fetchone()[0])
    if earlier:
        facts.superseded = [
            int(r[0])
            for r in cur.execute(
                "UPDATE loads SET superseded_by = ? WHERE list_contains(?, load_id) "
                "AND NOT EXISTS (SELECT 1 FROM trend_facts f WHERE f.load_id = loads.load_id) "
                "RETURNING load_id",
                [load_id, earlier],
            ).fetchall()
        ]
    return facts


# A trend row's cell: every column but its load and its streams.
_CELL = (
    "date", "dsp", "isrc", "country", "region", "age_band", "gender", "subscription", "device",
    "os", "source", "playlist_id", "listener_id",
)  # fmt: skip


def _overlap(cur: duckdb.DuckDBPyConnection, load_id: int, facts: _Facts) -> tuple[int, list[int]]:
    """Rows of the new load whose cell an earlier load already holds, and those loads. The
    spec lets files overlap (a DSP may deliver a day or a country per file), but the same
    cell twice is counted twice: most often a corrected re-delivery loaded without
    --replace, so the load says so. Only the new load's DSPs and dates are read."""
    same = " AND ".join(f"f.{c} IS NOT DISTINCT FROM n.{c}" for c in _CELL)
    earlier = (
        "(SELECT * FROM trend_facts WHERE load_id <> ? AND list_contains(?, dsp) "
        "AND date BETWEEN ? AND ?)"
    )
    new = "(SELECT * FROM trend_facts WHERE load_id = ?)"
    args = [load_id, facts.dsps, facts.lo, facts.hi]
    rows = int(
        cur.execute(
            f"SELECT count(*) FROM {new} n SEMI JOIN {earlier} f ON {same}", [load_id, *args]
        ).fetchone()[0]
    )
    if rows == 0:
        return 0, []
    loads = cur.execute(
        f"SELECT DISTINCT f.load_id FROM {earlier} f SEMI JOIN {new} n ON {same} ORDER BY 1",
        [*args, load_id],
    ).fetchall()
    return rows, [int(r[0]) for r in loads]


def _message(
    spec: FileSpec, path: Path, outcome: _Outcome, rejects_file: Path, replace: bool
) -> str:
    loaded, facts = outcome.loaded, outcome.facts
    if spec.kind == "trend":
        text = f"loaded {plural(loaded, 'row')} from {path.name}"
        if facts.lo is not None:
            text += f" ({facts.lo.isoformat()}..{facts.hi.isoformat()}, {', '.join(facts.dsps)})"
        if replace:
            text += f", replacing {plural(facts.replaced, 'earlier row')}"
        if facts.overlap:
            held = ", ".join(str(x) for x in facts.overlap_loads or [])
            text += (
                f". Warning: {plural(facts.overlap, 'row')} repeat cells that load {held} "
                "already holds (same DSP, day, track, country and listener group): both are "
                "counted. If this file corrects that delivery, remove this load (`labelradar "
                f"doctor --drop-load {outcome.load_id}`) and load the file again with --replace"
            )
    else:
        noun = "catalog row" if spec.kind == "catalog" else "campaign"
        text = (
            f"loaded {plural(loaded, noun)} from {path.name} "
            f"({outcome.added:,} new, {loaded - outcome.added:,} updated)"
        )
    if outcome.rejected:
        text += f"; rejected {plural(outcome.rejected, 'invalid row')}, see {rejects_file.name}"
    return text
