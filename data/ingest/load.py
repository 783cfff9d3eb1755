"""One load: hash, read, check and write a file in a single transaction (see __init__)."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from data import aggregates, audit, rollups
from data.ingest.diagnose import ERROR_MARK, diagnose
from data.ingest.errors import LoadResult, fail, plural
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
    path = Path(path)
    report = Progress(progress)
    if not path.is_file():
        raise fail(path, "file not found", headline="file not found")
    report(f"hashing {path.name}", 0.0)
    raw_digest = sha256(path)
    cur = store.cursor()
    report(f"reading {path.name}", 0.05)
    source = open_source(cur, path)
    digest = content_sha256(path, source.compression)  # = raw_digest unless gzip
    check_columns(source, spec, ignore_extra=ignore_extra)
    compiled = compile_spec(spec, source.columns(), today=today or dt.date.today())
    rejects_file = path.with_name(path.name + ".rejects.csv")
    # The rejects file is written under another name and renamed after COMMIT.
    partial = path.with_name(f".{path.name}.rejects.{os.getpid()}.partial")

    with store.write_lock, _quiet(cur):
        duplicate = _find_duplicate(cur, spec.kind, digest)
        if duplicate is None and raw_digest != digest:  # a gzip file loaded before: its bytes
            duplicate = _find_duplicate(cur, spec.kind, raw_digest)
        if duplicate is not None:
            report("done", 1.0)
            message = f"{path.name} was already loaded (load {duplicate}): nothing to do"
            return LoadResult(spec.kind, path, duplicate, 0, 0, True, 0, None, message)
        cur.execute("BEGIN TRANSACTION")
        try:
            outcome = _write(
                cur,
                source,
                compiled,
                digest=digest,
                accept_valid=accept_valid,
                replace=replace,
                actor=actor,
                report=report,
                partial=partial,
                defer_aggregates=defer_aggregates,
            )
            # Audited before COMMIT: a load never exists without its entry (the entry of a
            # load whose COMMIT then fails says so by pointing at no row of `loads`).
            audit.record(store, **outcome.audit)
            report("committing", 0.95)
            cur.execute("COMMIT")
            store.commits += 1
        except duckdb.Error as exc:
            _rollback(cur)
            partial.unlink(missing_ok=True)
            if isinstance(exc, duckdb.InterruptException):
                raise
            raise diagnose(cur, source, compiled, exc) from exc
        except BaseException:  # KeyboardInterrupt included: the store stays as it was
            _rollback(cur)
            partial.unlink(missing_ok=True)
            raise
    if outcome.rejected:
        os.replace(partial, rejects_file)
    report("done", 1.0)
    return LoadResult(
        kind=spec.kind,
        file=path,
        load_id=outcome.load_id,
        rows_loaded=outcome.loaded,
        rows_rejected=outcome.rejected,
        duplicate=False,
        replaced_rows=outcome.facts.replaced,
        rejects_file=rejects_file if outcome.rejected else None,
        message=_message(spec, path, outcome, rejects_file, replace),
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
