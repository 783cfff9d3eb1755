"""What one load writes, inside the transaction load.py opens: the rows, the trend facts
(dates, DSPs, replaced and overlapping rows), the `loads` row, the aggregate refresh or
its queue, the rejects file, and the message and audit entry that say what happened."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from data import aggregates, rollups
from data.ingest.diagnose import ERROR_MARK
from data.ingest.errors import fail, plural
from data.ingest.rejects import copy_rejects, write_rejects
from data.ingest.source import Source, bad_sql, insert_sql, relation
from data.ingest.specs import MAX_TREND_ROWS
from data.ingest.validation import CompiledSpec, FileSpec, sql_string
from data.progress import Progress


@dataclass
class Facts:
    lo: dt.date | None = None
    hi: dt.date | None = None
    dsps: list[str] | None = None
    replaced: int = 0
    superseded: list[int] | None = None
    # rows whose cell (every column but streams) an earlier load holds too, and those loads
    overlap: int = 0
    overlap_loads: list[int] | None = None


@dataclass
class Outcome:
    load_id: int
    loaded: int
    rejected: int
    added: int  # rows the target table grew by (upserts: the new keys)
    facts: Facts
    audit: dict[str, Any]  # the audit entry, for the state database


def write(
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
) -> Outcome:
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

    facts = Facts()
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
    return Outcome(load_id, loaded, rejected, added, facts, entry)


def _trend_facts(
    cur: duckdb.DuckDBPyConnection, load_id: int, loaded: int, *, replace: bool
) -> Facts:
    """The new load's dates and DSPs; with `replace`, swap out the earlier rows they cover."""
    facts = Facts(dsps=[], superseded=[])
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


def _overlap(cur: duckdb.DuckDBPyConnection, load_id: int, facts: Facts) -> tuple[int, list[int]]:
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


def message(spec: FileSpec, path: Path, outcome: Outcome, rejects_file: Path, replace: bool) -> str:
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
