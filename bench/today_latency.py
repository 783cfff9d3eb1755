"""Today page latency: script time of the landing page, warm and cold, against ranking on
page load (the obvious alternative the batch job replaces).

    python bench/today_latency.py [--db data/labelradar.duckdb] [--runs 30]

Drives the real app (app/main.py) headless with streamlit's AppTest, signed in as the demo
admin (all labels), on a store whose batch jobs have run (`labelradar refresh`). Sign-in
lands on Today. Each figure is one full script run (entry point, sidebar, Today page):

- warm: reruns with the query caches filled (what a manager sees after the first paint);
- cold: the query caches cleared before each run (every read hits DuckDB).

The alternative, measured in the same process: reading the other jobs' results and ranking
them (app.today.job.read_inputs + analytics.today.fit), the work the page would do on every
load without the batch job. Target: p95 < 500 ms warm on the demo store.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

from page_latency import _timed_run, percentile, signed_in_app

ROOT = Path(__file__).resolve().parents[1]
TARGET_MS = 500.0


def measure(db: Path, runs: int) -> dict[str, list[float]]:
    from data.synth import DEMO_PASSWORDS

    at = signed_in_app(db, "admin", DEMO_PASSWORDS["admin"], timeout=300)
    from analytics import today as today_model
    from app import services
    from app.today.job import read_inputs

    at.run()
    if [t.value for t in at.title] != ["Today"]:
        raise SystemExit("sign-in did not land on Today (has `labelradar refresh` run?)")
    _timed_run(at)  # fill the caches
    warm = [_timed_run(at) for _ in range(runs)]
    cold = []
    for _ in range(runs):
        services.clear_caches()
        cold.append(_timed_run(at))
    on_load = []
    for _ in range(max(3, runs // 5)):
        start = time.perf_counter()
        inputs, _ = read_inputs(services.store())
        today_model.fit(inputs)
        on_load.append(time.perf_counter() - start)
    return {"warm": warm, "cold": cold, "rank on load": on_load}


def main() -> int:
    from data.store import default_db_path

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--db", type=Path, default=None)
    ap.add_argument("--runs", type=int, default=30)
    args = ap.parse_args()
    db = (args.db or default_db_path()).resolve()
    if not db.exists():
        print(f"no store at {db}: build it with `labelradar demo` and refresh", file=sys.stderr)
        return 2
    times = measure(db, args.runs)
    print(f"Today page on {db.name}, {args.runs} runs, {os.cpu_count()} CPUs")
    print("| what | runs | p50 (ms) | p95 (ms) |")
    print("|---|---:|---:|---:|")
    stats = {}
    for name, values in times.items():
        p50, p95 = statistics.median(values) * 1000, percentile(values, 95) * 1000
        stats[name] = (p50, p95)
        print(f"| {name} | {len(values)} | {p50:.0f} | {p95:.0f} |")
    warm95 = stats["warm"][1]
    print(f"ranking on load / warm page at p50: {stats['rank on load'][0] / stats['warm'][0]:.1f}x")
    verdict = "MET" if warm95 < TARGET_MS else "NOT MET"
    print(f"warm p95 {warm95:.0f} ms (target < {TARGET_MS:.0f} ms): {verdict}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
