"""Refresh on DuckDB and on Spark local[2], in the same run, on stores of growing size.

    PYTHONPATH=. python bench/spark_refresh.py --rows 1000000 10000000 62000000
    PYTHONPATH=. python bench/spark_refresh.py --rows 200000            # a quick run
    PYTHONPATH=. python bench/spark_refresh.py --db demo.duckdb --steps all --parity

--db refreshes copies of an existing store instead (e.g. a demo store); --parity then
compares the two refreshed copies table by table (data/engine/compare.py, floats within
1e-6) and prints every difference. --steps all runs the aggregates and every job.

For each size: a SYNTHETIC valid trend report (bench/ingest_throughput.py's generator, 20,000
tracks, 500,000 listeners, 90 days) is loaded into a fresh store, the store is copied once
per engine, and `labelradar refresh --engine E` runs on each copy in a child process. Reported:
wall time, seconds per million fact rows, the CPU seconds and the peak RSS of the child's
whole process tree (Spark's JVM included), sampled every 0.2 s from /proc. On a shared machine
the CPU seconds are the sizing figure (rows per CPU-second): wall time grows with the other
processes' load, CPU time much less. --steps picks the refresh steps
(`--only` names; default: aggregates, the step whose cost grows with the facts). The Spark
time includes exporting the facts to the Parquet lake and starting the JVM.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from bench import ingest_throughput as it

ROOT = Path(__file__).resolve().parents[1]


def _tree_usage(pid: int) -> tuple[int, float]:
    """(RSS in KiB, CPU seconds) of `pid` and all its descendants, from /proc. CPU counts
    user + system time, with that of descendants already reaped."""
    children: dict[int, list[int]] = {}
    usage: dict[int, tuple[int, float]] = {}
    tick = os.sysconf("SC_CLK_TCK")
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            with open(f"/proc/{entry}/status") as f:
                kb = next((int(x.split()[1]) for x in f if x.startswith("VmRSS:")), 0)
        except (OSError, ValueError, IndexError):
            continue
        ppid, cpu = int(fields[1]), sum(int(x) for x in fields[11:15]) / tick
        children.setdefault(ppid, []).append(int(entry))
        usage[int(entry)] = (kb, cpu)
    rss, cpu, todo = 0, 0.0, [pid]
    while todo:
        p = todo.pop()
        kb, seconds = usage.get(p, (0, 0.0))
        rss, cpu = rss + kb, cpu + seconds
        todo += children.get(p, [])
    return rss, cpu


def build_store(rows: int, out: Path) -> Path:
    """A store holding the benchmark catalog and a trend report of `rows` rows."""
    from data import ingest
    from data.store import open_store

    db = out / f"store_{rows}.duckdb"
    if db.exists():
        return db
    out.mkdir(parents=True, exist_ok=True)
    catalog, trend = out / "catalog.csv", out / f"trend_{rows}.parquet"
    it.write_catalog(catalog)
    if not trend.exists():
        it.generate_trend(trend, rows)
    tmp = db.with_suffix(".building")
    tmp.unlink(missing_ok=True)
    with open_store(tmp) as store:
        ingest.load_catalog(store, catalog)
        ingest.load_trend_report(store, trend)
    tmp.rename(db)
    return db


def refresh(db: Path, engine: str, steps: list[str]) -> dict:
    """Run `labelradar refresh` on a copy of `db` in a child; time and peak tree RSS."""
    from data.backup import copy_store

    copy = copy_store(db, db.with_name(f"{db.stem}.{engine}.duckdb"))
    shutil.rmtree(copy.with_name(copy.name + ".lake"), ignore_errors=True)
    cmd = [sys.executable, "-m", "app", "refresh", "--db", str(copy), "--engine", engine]
    if steps != ["all"]:
        cmd += [a for s in steps for a in ("--only", s)]
    cmd += ["--json"]
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    started = time.perf_counter()
    child = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    peak, cpu = 0, 0.0
    while child.poll() is None:
        rss, seconds = _tree_usage(child.pid)
        peak, cpu = max(peak, rss), max(cpu, seconds)
        time.sleep(0.2)
    seconds = time.perf_counter() - started
    out = child.stdout.read().decode() if child.stdout else ""
    if child.returncode != 0:
        raise SystemExit(f"{engine} refresh failed ({child.returncode}): {out[-400:]}")
    return {
        "engine": engine,
        "seconds": seconds,
        "cpu_seconds": cpu,
        "peak_rss_mb": peak / 1024,
        "copy": copy,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, nargs="+", default=[1_000_000, 10_000_000, 62_000_000])
    ap.add_argument("--steps", nargs="+", default=["aggregates"])
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "spark_refresh")
    ap.add_argument("--db", type=Path, help="refresh copies of this store instead")
    ap.add_argument("--parity", action="store_true", help="compare the two refreshed stores")
    args = ap.parse_args()
    results = []
    for rows in [None] if args.db else args.rows:
        t = time.perf_counter()
        db = args.db if rows is None else build_store(rows, args.out)
        if rows is None:
            rows = _fact_rows(db)
        print(f"{rows:,} rows: store ready in {time.perf_counter() - t:.0f} s", flush=True)
        for engine in ("duckdb", "spark"):
            r = refresh(db, engine, args.steps) | {"rows": rows}
            r["s_per_million"] = r["seconds"] / (rows / 1e6)
            r["rows_per_core_s"] = rows / (r["seconds"] * 2)  # local[2] / DuckDB on 2 cores
            # CPU seconds do not grow with other processes' load as wall time does
            r["rows_per_cpu_s"] = rows / max(r["cpu_seconds"], 1e-9)
            results.append(r)
            print(
                f"  {engine:6s} {r['seconds']:8.1f} s  {r['s_per_million']:7.2f} s/M rows  "
                f"{r['rows_per_core_s']:10,.0f} rows/core-s (wall)  "
                f"CPU {r['cpu_seconds']:8.1f} s  {r['rows_per_cpu_s']:10,.0f} rows/CPU-s  "
                f"peak RSS {r['peak_rss_mb']:7.0f} MB  load {os.getloadavg()[0]:.1f}",
                flush=True,
            )
        duck, spark = results[-2], results[-1]
        print(f"  spark / duckdb time: {spark['seconds'] / duck['seconds']:.2f}x", flush=True)
        if args.parity:
            from data.engine.compare import quick_report

            report = quick_report(duck["copy"], spark["copy"], tol=1e-6)
            diffs = [d for _, _, ds in report for d in ds]
            print(f"  parity: {len(diffs)} differences over {len(report)} tables", flush=True)
            for table, n, ds in report:
                verdict = "same" if not ds else "; ".join(d.what[:300] for d in ds)
                print(f"    {table:28s} {n:>12,} rows  {verdict}", flush=True)
    print(json.dumps({"steps": args.steps, "results": results}, indent=1, default=str))


def _fact_rows(db: Path) -> int:
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        return int(con.execute("SELECT count(*) FROM trend_facts").fetchone()[0])
    finally:
        con.close()


if __name__ == "__main__":
    main()
