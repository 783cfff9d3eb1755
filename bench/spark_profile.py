"""Where a Spark refresh's time goes: per step, the Spark statements, jobs and their seconds.

    PYTHONPATH=. python bench/spark_profile.py --db store.duckdb [--steps aggregates fans ...]

Runs the refresh steps on Spark local[2] in this process on a copy of the store (the store
itself is never written) and times every seam the engine has: session start, the lake
export, each SQL read (Spark planning + execution + Arrow transfer to the driver), each
per-group map, the copy of small tables into the lake, and the DuckDB write-back. The
number of Spark jobs per step comes from Spark's status tracker (one job group per step).
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import functools
import json
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

TIMES: dict[str, list[float]] = collections.defaultdict(list)
STATEMENTS: list[tuple[float, str]] = []  # (seconds, statement) of each Spark read


@contextlib.contextmanager
def timed(name: str) -> Iterator[None]:
    t = time.perf_counter()
    try:
        yield
    finally:
        TIMES[name].append(time.perf_counter() - t)


def _wrap(owner: Any, attr: str, name: str) -> None:
    fn: Callable = getattr(owner, attr)

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with timed(name):
            return fn(*args, **kwargs)

    setattr(owner, attr, wrapper)


def _wrap_statements(owner: Any, attr: str) -> None:
    fn: Callable = getattr(owner, attr)

    @functools.wraps(fn)
    def wrapper(self: Any, sql: Any, *args: Any, **kwargs: Any) -> Any:
        t = time.perf_counter()
        try:
            return fn(self, sql, *args, **kwargs)
        finally:
            STATEMENTS.append((time.perf_counter() - t, " ".join(str(sql).split())[-110:]))

    setattr(owner, attr, wrapper)


def instrument() -> None:
    from data.engine import spark, spark_store

    _wrap_statements(spark.SparkEngine, "arrow")

    _wrap(spark.SparkEngine, "export_facts", "lake export (DuckDB COPY)")
    _wrap(spark.SparkEngine, "_ensure_view", "views: copy small tables to the lake")
    _wrap(spark.SparkEngine, "arrow", "SQL reads on Spark (to Arrow)")
    _wrap(spark.SparkEngine, "map_groups", "per-group maps (mapInPandas)")
    _wrap(spark_store.SparkCursor, "execute", "cursor.execute (all statements)")
    from pyspark.sql.readwriter import DataFrameWriter

    _wrap(DataFrameWriter, "parquet", "derived tables: compute + write Parquet")
    _wrap_statements(DataFrameWriter, "parquet")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", type=Path, required=True)
    ap.add_argument("--steps", nargs="+", default=["aggregates"])
    ap.add_argument(
        "--sql-conf", nargs="*", default=[], metavar="KEY=VALUE", help="runtime SQL settings"
    )
    args = ap.parse_args()
    from app.jobs import run_jobs
    from data.engine import spark, spark_aggregates
    from data.engine.spark_store import SparkStore
    from data.store import open_store

    instrument()
    work = Path(tempfile.mkdtemp(prefix="spark_profile_"))
    try:
        copy = work / "store.duckdb"
        from data.backup import copy_store

        copy_store(args.db, copy)
        with timed("session start (JVM)"):
            session = spark.session()
        sc = session.sparkContext
        for pair in args.sql_conf:
            key, value = pair.split("=", 1)
            session.conf.set(key, value)
        report: dict[str, Any] = {"steps": {}}
        with open_store(copy) as store:
            engine = spark.SparkEngine(store, work / "lake")
            for step in args.steps:
                sc.setJobGroup(step, step)
                before = {k: (len(v), sum(v)) for k, v in TIMES.items()}
                t = time.perf_counter()
                if step == "aggregates":
                    spark_aggregates.rebuild(store, engine)
                else:
                    run_jobs(SparkStore(store, engine), [step])
                seconds = time.perf_counter() - t
                jobs = len(sc.statusTracker().getJobIdsForGroup(step))
                seams = {
                    k: {
                        "calls": len(v) - before.get(k, (0, 0))[0],
                        "seconds": round(sum(v) - before.get(k, (0, 0))[1], 2),
                    }
                    for k, v in TIMES.items()
                    if len(v) > before.get(k, (0, 0))[0]
                }
                report["steps"][step] = {"seconds": round(seconds, 2), "spark_jobs": jobs} | {
                    "seams": seams
                }
                print(f"{step}: {seconds:.1f} s, {jobs} Spark jobs", flush=True)
                for k, v in seams.items():
                    print(f"   {k:42s} {v['calls']:5d} calls {v['seconds']:8.1f} s", flush=True)
        print("slowest Spark statements (reads to Arrow; derived writes by path):")
        for secs, text in sorted(STATEMENTS, reverse=True)[:12]:
            print(f"   {secs:7.1f} s  {text}")
        report["session_start_s"] = round(TIMES["session start (JVM)"][0], 2)
        print(json.dumps(report, indent=1))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
