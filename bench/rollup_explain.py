"""Profile of the Catalog reads: each on its rollup against the same read on agg_daily.

    python bench/rollup_explain.py --db /tmp/large.duckdb [--runs 5] [--plans]

For a 90-day window of the admin (all labels) and of one label, runs every Catalog query
twice: as the page runs it now (data/queries/catalog.py, through data/rollups.py) and as it
ran before, on agg_daily (or trend_facts) joined to the catalog. Prints the best-of-N time of
each, their ratio, and from DuckDB's EXPLAIN ANALYZE the rows the table scans produced (what
the zone maps and filters let through). --plans prints the full plan of the rollup reads.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import time
from pathlib import Path

from data.queries import Filters, where
from data.queries import catalog as q
from data.scope import Scope
from data.store import open_store
from data.vocab import ACTIVE_SOURCES, sql_list

_ACTIVE = sql_list(ACTIVE_SOURCES)


def _old_sql(name: str) -> str:
    """The reads as they were on agg_daily / trend_facts ({cond} on alias a, catalog c)."""
    return {
        "stream_totals": "SELECT sum(a.streams), sum(a.streams) FILTER (WHERE a.source IN "
        f"{_ACTIVE}), count(DISTINCT a.isrc), count(DISTINCT c.artist_id), "
        "count(DISTINCT a.country), count(DISTINCT a.date) FROM agg_daily a "
        "JOIN catalog c ON c.isrc = a.isrc WHERE {cond}",
        "listener_totals": "SELECT count(DISTINCT a.listener_id), sum(a.streams) FROM "
        "trend_facts a JOIN catalog c ON c.isrc = a.isrc WHERE a.listener_id IS NOT NULL "
        "AND {cond}",
        "streams_daily": "SELECT a.date, a.dsp, sum(a.streams) FROM agg_daily a JOIN catalog c "
        "ON c.isrc = a.isrc WHERE {cond} GROUP BY ALL",
        "streams_by_country": "SELECT a.country, sum(a.streams), count(DISTINCT a.isrc) FROM "
        "agg_daily a JOIN catalog c ON c.isrc = a.isrc WHERE {cond} GROUP BY a.country",
        "top_tracks": "SELECT a.isrc, a.country, sum(a.streams) FROM agg_daily a JOIN catalog c "
        "ON c.isrc = a.isrc WHERE {cond} GROUP BY ALL",
    }[name]


def _scan_rows(con, sql: str, params: list) -> int:
    """Rows the table scans of the plan produced (EXPLAIN ANALYZE, JSON profile)."""
    con.execute("PRAGMA enable_profiling = 'json'")
    plan = json.loads(con.execute("EXPLAIN ANALYZE " + sql, params).fetchall()[0][1])
    con.execute("PRAGMA disable_profiling")

    def walk(node: dict) -> int:
        own = node.get("intermediate_rows", 0) if "SCAN" in node.get("type", "") else 0
        return own + sum(walk(child) for child in node.get("children", []))

    return sum(walk(op) for op in plan["operator"])


def _best(fn, runs: int) -> float:
    best = float("inf")
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best * 1000


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--db", type=Path, required=True)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--plans", action="store_true")
    args = ap.parse_args()
    with open_store(args.db) as store:
        con = store.cursor()
        labels = sorted(r[0] for r in con.execute("SELECT DISTINCT label FROM catalog").fetchall())
        hi = con.execute("SELECT max(date) FROM agg_daily").fetchone()[0]
        flt = Filters(date_from=hi - dt.timedelta(days=89), date_to=hi)
        print(
            f"{args.db}: 90 days to {hi}, best of {args.runs} (ms); scan rows from EXPLAIN ANALYZE"
        )
        print(
            f"{'query':<20}{'scope':<8}{'rollup ms':>10}{'agg ms':>9}{'ratio':>7}"
            f"{'rollup rows':>13}{'agg rows':>12}"
        )
        for who, scope in (
            ("all", Scope("admin", "admin", frozenset(labels))),
            ("1 label", Scope("v", "viewer", frozenset(labels[:1]))),
        ):
            cond, params = where(scope, flt, fact_alias="a")
            for name in (
                "stream_totals",
                "listener_totals",
                "streams_daily",
                "streams_by_country",
                "top_tracks",
            ):
                fn = getattr(q, name)
                new_ms = _best(lambda fn=fn, s=scope: fn(store, s, flt), args.runs)
                old = _old_sql(name).format(cond=cond)
                old_ms = _best(lambda o=old, p=params: con.execute(o, p).fetchall(), args.runs)
                new_rows = _new_scan_rows(con, name, scope, flt, args.plans)
                old_rows = _scan_rows(con, old, params)
                print(
                    f"{name:<20}{who:<8}{new_ms:>10.0f}{old_ms:>9.0f}{old_ms / new_ms:>6.1f}x"
                    f"{new_rows:>13,}{old_rows:>12,}"
                )
    return 0


def _new_scan_rows(con, name: str, scope: Scope, flt: Filters, show: bool) -> int:
    """Scan rows of the rollup read: the query's SQL captured from read_df."""
    import data.queries as dq

    captured: list[tuple[str, list]] = []
    real = dq.read_df

    def capture(store, sql, params):
        captured.append((sql, params))
        return real(store, sql, params)

    for module in (dq, q):
        module.read_df = capture
    try:
        getattr(q, name)(_StoreShim(con), scope, flt)
    finally:
        for module in (dq, q):
            module.read_df = real
    sql, params = captured[-1]
    if show:
        con.execute("PRAGMA enable_profiling = 'json'")
        print(json.dumps(con.execute("EXPLAIN ANALYZE " + sql, params).fetchall()[0][1])[:4000])
        con.execute("PRAGMA disable_profiling")
    return _scan_rows(con, sql, params)


class _StoreShim:
    def __init__(self, con):
        self._con = con

    def cursor(self):
        return self._con


if __name__ == "__main__":
    raise SystemExit(main())
