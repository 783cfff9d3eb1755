"""What the rollups cost the ingest: the two `labelradar ingest` stages with and without them.

    python bench/rollup_cost.py [--rows 10000000] [--repeat 3]

The 10 M-row SYNTHETIC trend report of bench/ingest_throughput.py (Parquet, 20,000 tracks on
7 labels, 90 days, random demographics: the worst case for any aggregate, almost no two rows
share a group) is loaded into a fresh store holding the catalog, in a child process per run,
alternating two variants of the same code:

- `today`: the aggregates stage as before the rollups: data/rollups.py's refresh is skipped
  and the aggregates are the tables and statements of that time (`BEFORE_ROLLUPS` below:
  migration 029 narrowed two of them and 030 dropped them, so the variant creates them in
  their old shape in its store);
- `rollups`: the aggregates stage as `labelradar ingest` runs it now (agg_daily and the
  rollups; the jobs read the listener and demographic sums from the facts since 030).

Prints the median ingest rows/s and aggregates seconds (wall, and CPU of all threads: steadier
than wall time on a shared machine) of each, their ratios and the verdicts
(ingest throughput >= 90 % of today's; aggregates stage within today's time).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# The aggregates stage before the rollups (schema 028, data/aggregates.py of that time): what
# the `today` variant measures, kept here unchanged whatever the stage becomes.
_ACTIVE = "('search', 'collection', 'album', 'artist', 'user_playlist')"
_BEFORE_TABLES = (
    """CREATE OR REPLACE TABLE agg_listener_month (month DATE NOT NULL, dsp VARCHAR NOT NULL,
       listener_id VARCHAR NOT NULL USING COMPRESSION zstd, isrc VARCHAR NOT NULL,
       streams BIGINT NOT NULL, active_streams BIGINT NOT NULL, first_date DATE NOT NULL,
       last_date DATE NOT NULL)""",
    """CREATE OR REPLACE TABLE agg_group_week (week DATE NOT NULL, dsp VARCHAR NOT NULL,
       isrc VARCHAR NOT NULL, country VARCHAR NOT NULL, age_band age_band_t NOT NULL,
       gender gender_t NOT NULL, subscription subscription_t NOT NULL,
       device device_t NOT NULL, os os_t NOT NULL, source source_t NOT NULL,
       streams BIGINT NOT NULL)""",
)
BEFORE_ROLLUPS = (
    (
        "agg_daily",
        "date",
        "day",
        """INSERT INTO agg_daily
           SELECT date, isrc, country, dsp, source, sum(streams)
           FROM trend_facts WHERE country <> 'XW' AND {where}
           GROUP BY ALL""",
    ),
    (
        "agg_listener_month",
        "month",
        "month",
        f"""INSERT INTO agg_listener_month
           SELECT date_trunc('month', date)::DATE, dsp, listener_id, isrc, sum(streams),
                  sum(CASE WHEN source IN {_ACTIVE} THEN streams ELSE 0 END),
                  min(date), max(date)
           FROM trend_facts
           WHERE listener_id IS NOT NULL AND country <> 'XW' AND {{where}}
           GROUP BY ALL""",
    ),
    (
        "agg_group_week",
        "week",
        "week",
        """INSERT INTO agg_group_week
           SELECT date_trunc('week', date)::DATE, dsp, isrc, country, age_band, gender,
                  subscription, device, os, source, sum(streams)
           FROM trend_facts WHERE country <> 'XW' AND {where}
           GROUP BY ALL""",
    ),
)


def _files(out: Path, rows: int) -> tuple[Path, Path]:
    """The catalog CSV and the trend Parquet of bench/ingest_throughput.py (made once)."""

    from bench import ingest_throughput as it

    out.mkdir(parents=True, exist_ok=True)
    catalog, trend = out / "catalog.csv", out / f"trend_{rows}.parquet"
    it.write_catalog(catalog)
    if not trend.exists():
        it.generate_trend(trend, rows)
    return catalog, trend


def child(variant: str, catalog: Path, trend: Path, workdir: Path) -> dict:
    """Both stages in a fresh store; wall and CPU seconds (all threads) of each."""
    import resource

    from bench import ingest_throughput as it
    from data import aggregates, ingest, rollups

    def cpu() -> float:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return usage.ru_utime + usage.ru_stime

    store, db = it._fresh_store(workdir, f"cost_{variant}.duckdb", catalog)
    if variant == "today":  # the stage as it was: its tables, its statements, no rollups
        rollups.refresh = lambda *args, **kwargs: None
        aggregates._AGGREGATES = BEFORE_ROLLUPS
        with store.transaction() as cur:
            for ddl in _BEFORE_TABLES:
                cur.execute(ddl)
    t0, c0 = time.perf_counter(), cpu()
    result = ingest.load_trend_report(store, trend, today=it.TODAY, defer_aggregates=True)
    t1, c1 = time.perf_counter(), cpu()
    ingest.refresh_aggregates(store)
    t2, c2 = time.perf_counter(), cpu()
    store.close()
    db.unlink(missing_ok=True)
    return {
        "rows": result.rows_loaded,
        "ingest": t1 - t0,
        "aggregates": t2 - t1,
        "ingest_cpu": c1 - c0,
        "aggregates_cpu": c2 - c1,
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rows", type=int, default=10_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    ap.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        variant, *paths = args.child
        print(json.dumps(child(variant, *(Path(p) for p in paths))))
        return 0
    catalog, trend = _files(args.out, args.rows)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    runs: dict[str, list[dict]] = {"today": [], "rollups": []}
    load0 = os.getloadavg()[0]
    for _ in range(args.repeat):
        for variant in runs:  # alternate, so both meet the same machine load
            cmd = [sys.executable, __file__, "--child", variant, str(catalog), str(trend)]
            out = subprocess.run(
                [*cmd, str(args.out)], env=env, capture_output=True, text=True, check=True
            )
            runs[variant].append(json.loads(out.stdout.strip().splitlines()[-1]))
            r = runs[variant][-1]
            print(
                f"{variant:8s} ingest {r['ingest']:6.1f} s (cpu {r['ingest_cpu']:.1f})  "
                f"aggregates {r['aggregates']:6.1f} s (cpu {r['aggregates_cpu']:.1f})",
                flush=True,
            )
    med = {
        v: {
            k: statistics.median(r[k] for r in rs)
            for k in ("ingest", "aggregates", "ingest_cpu", "aggregates_cpu")
        }
        for v, rs in runs.items()
    }
    rows = runs["today"][0]["rows"]
    rate = {v: rows / m["ingest"] for v, m in med.items()}
    ingest_ratio = rate["rollups"] / rate["today"]
    agg_ratio = med["rollups"]["aggregates"] / med["today"]["aggregates"]
    cpu_ratio = med["rollups"]["aggregates_cpu"] / med["today"]["aggregates_cpu"]
    print(
        f"\n{rows:,} rows, {args.repeat} runs each (median), load average {load0:.1f} -> "
        f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs, {time.strftime('%Y-%m-%d')}"
    )
    for v, m in med.items():
        print(
            f"{v:8s} ingest {rate[v]:>12,.0f} rows/s  aggregates {m['aggregates']:.1f} s "
            f"(cpu {m['aggregates_cpu']:.1f} s)  "
            f"whole {rows / (m['ingest'] + m['aggregates']):,.0f} rows/s"
        )
    print(
        f"ingest throughput with rollups: {100 * ingest_ratio:.0f} % of today's "
        f"(>= 90 %: {'MET' if ingest_ratio >= 0.9 else 'NOT MET'})"
    )
    print(
        f"aggregates stage with rollups: {agg_ratio:.2f}x today's time, {cpu_ratio:.2f}x its "
        f"CPU time (within today's: {'MET' if agg_ratio <= 1.0 else 'NOT MET'})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
