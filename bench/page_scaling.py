"""Page scaling: cold and warm script time of every page on several stores, in one run.

    python bench/page_scaling.py --store tiny=/tmp/t.duckdb --store demo=/tmp/d.duckdb \
        --store large=/tmp/l.duckdb [--runs 20] [--write]

Each store is measured in its own child process (one app, one Store, one cache each): the
app (app/main.py) is driven headless with streamlit's AppTest, signed in as the demo admin
(all labels). Per page: `cold` clears the query caches before each run (every read hits
DuckDB; the Store and DuckDB's buffers stay open, as in a running server), `warm` reruns on
filled caches. A figure is one full script run (entry point, sidebar, page): an upper bound
of the time to the page's first chart or table. Then the Catalog filter change of
bench/page_latency.py (cycling date windows, countries, artists), cold and warm.

It prints the rollups' sizes against the facts, the scaling ratio (time per 10x data,
from the smallest to the largest store), the load average and every acceptance figure of
the rollups work with MET / NOT MET:

- largest store, cold: every page within 1 s p95; a Catalog filter change within 500 ms p95;
- from the store named `demo` to the one named `large`: cold Catalog time grows <= 1.5x
  (median filter-change time; the p95 ratio is printed next to it).

Latencies on a shared machine are noisy: re-measure on a quiet one before relying on them.
--write puts the report in the "## Page latency" section of bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from app.features import FEATURES
from bench.page_latency import percentile

ROOT = Path(__file__).resolve().parents[1]

# Every registered page, so a new feature is measured without editing this list.
PAGES = {f.title: f"../pages/{f.page_file}" for f in FEATURES}
PAGE_P95_MS = 1000.0
FILTER_P95_MS = 500.0
SCALING_MAX = 1.5
SIZE_TABLES = (
    "trend_facts",
    "agg_daily",
    "roll_track_source",
    "roll_track_day",
    "roll_track_date",
    "roll_track_month",
    "roll_track_month_total",
    "roll_artist_day",
    "roll_label_day",
    "roll_listener_month",
    "roll_worldwide_day",
)


def _stats(values: list[float]) -> dict[str, float]:
    return {"p50": statistics.median(values) * 1000, "p95": percentile(values, 95) * 1000}


# -- child: one store ---------------------------------------------------------------------
def _sizes(path: Path) -> tuple[dict[str, int], float]:
    """Row counts of the facts, agg_daily and the rollups; seconds the open took (a first
    read-write open migrates an older store, which builds the rollups)."""
    from data.store import open_store

    start = time.perf_counter()
    with open_store(path) as store:
        opened = time.perf_counter() - start
        cur = store.cursor()
        return {t: cur.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in SIZE_TABLES}, (
            opened
        )


def measure_store(path: Path, runs: int, filter_runs: int) -> dict:
    from bench.page_latency import _timed_run, filter_change_times, signed_in_app
    from data.synth import DEMO_PASSWORDS

    sizes, open_s = _sizes(path)
    at = signed_in_app(path, "admin", DEMO_PASSWORDS["admin"], timeout=300)
    from app import services

    services.clear_caches()
    first = _timed_run(at)  # sign-in lands on Today: the very first, cold, paint
    pages = {}
    for title, page in PAGES.items():
        at.switch_page(page)
        services.clear_caches()
        opened = _timed_run(at)
        cold = []
        for _ in range(runs):
            services.clear_caches()
            cold.append(_timed_run(at))
        warm = [_timed_run(at) for _ in range(runs)]
        pages[title] = {"first": opened * 1000, "cold": _stats(cold), "warm": _stats(warm)}

    at.switch_page(PAGES["Catalog"])
    at.run()
    warm, cold, _ = filter_change_times(at, filter_runs)
    return {
        "sizes": sizes,
        "open_s": open_s,
        "first_catalog_ms": first * 1000,
        "pages": pages,
        "filter": {"cold": _stats(cold), "warm": _stats(warm)},
    }


# -- parent: every store, the report ----------------------------------------------------------
def _per_10x(t_small: float, t_large: float, n_small: int, n_large: int) -> float:
    """Time factor per 10x rows, from two (rows, time) points: 10 ** slope on log-log."""
    if n_large <= n_small or t_small <= 0:
        return float("nan")
    return 10 ** (math.log10(t_large / t_small) / math.log10(n_large / n_small))


def _verdict(ok: bool) -> str:
    return "MET" if ok else "NOT MET"


def report(results: dict[str, dict], command: str, load: tuple[float, float]) -> str:
    names = list(results)
    lines = [
        "## Page latency",
        "",
        "Every page's script time (AppTest, full run of app/main.py: an upper bound of the time "
        "to its first chart or table), admin = all labels, stores SYNTHETIC (`labelradar demo "
        "--size ...`). Cold = query caches cleared before each run (every read hits DuckDB); "
        "warm = cached. Filter change = the Catalog cycling date windows, countries and "
        f"artists (bench/page_latency.py's states). Load average during the run: "
        f"{load[0]:.1f} at start, {load[1]:.1f} at end, on {os.cpu_count()} CPUs (a shared "
        "machine: re-measure on a quiet one).",
        "",
        "Rows per table (rollups against the facts):",
        "",
        "| table | " + " | ".join(names) + " |",
        "|---|" + "---:|" * len(names),
    ]
    facts = {n: results[n]["sizes"]["trend_facts"] for n in names}
    for table in SIZE_TABLES:
        cells = []
        for n in names:
            rows = results[n]["sizes"][table]
            cells.append(f"{rows:,} ({100 * rows / max(facts[n], 1):.0f} %)")
        lines.append(f"| {table} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "Script time per page, ms (first open after sign-in / cold p50 / cold p95 / warm p95):",
        "",
        "| page | " + " | ".join(names) + " |",
        "|---|" + "---:|" * len(names),
    ]
    for page in PAGES:
        cells = []
        for n in names:
            p = results[n]["pages"][page]
            cells.append(
                f"{p['first']:.0f} / {p['cold']['p50']:.0f} / {p['cold']['p95']:.0f} / "
                f"{p['warm']['p95']:.0f}"
            )
        lines.append(f"| {page} | " + " | ".join(cells) + " |")
    cells = [
        f"{r['filter']['cold']['p50']:.0f} / {r['filter']['cold']['p95']:.0f} / "
        f"{r['filter']['warm']['p95']:.0f}"
        for r in results.values()
    ]
    lines += [
        "| **Catalog filter change** (cold p50 / cold p95 / warm p95) | "
        + " | ".join(cells)
        + " |",
        "| first Catalog paint after sign-in | "
        + " | ".join(f"{r['first_catalog_ms']:.0f}" for r in results.values())
        + " |",
        "",
    ]
    small, big = names[0], names[-1]
    per10 = _per_10x(
        results[small]["filter"]["cold"]["p50"],
        results[big]["filter"]["cold"]["p50"],
        facts[small],
        facts[big],
    )
    lines.append(
        f"Scaling, cold Catalog filter change (median), {small} -> {big} "
        f"({facts[big] / max(facts[small], 1):.0f}x rows): x{per10:.2f} per 10x data."
    )
    worst_page, worst = max(
        ((p, results[big]["pages"][p]["cold"]["p95"]) for p in PAGES), key=lambda x: x[1]
    )
    filt = results[big]["filter"]["cold"]["p95"]
    lines += [
        "",
        "Acceptance:",
        "",
        f"- {big}, cold, every page within {PAGE_P95_MS:.0f} ms p95: "
        f"{_verdict(worst <= PAGE_P95_MS)} (slowest: {worst_page}, {worst:.0f} ms)",
        f"- {big}, cold, Catalog filter change within {FILTER_P95_MS:.0f} ms p95: "
        f"{_verdict(filt <= FILTER_P95_MS)} ({filt:.0f} ms)",
    ]
    if "demo" in results and "large" in results:
        d, lg = results["demo"]["filter"]["cold"], results["large"]["filter"]["cold"]
        growth = lg["p50"] / d["p50"]
        lines.append(
            f"- demo -> large ({facts['large'] / facts['demo']:.1f}x rows), cold Catalog "
            f"time grows <= {SCALING_MAX}x: {_verdict(growth <= SCALING_MAX)} "
            f"({growth:.2f}x at the median, {lg['p95'] / d['p95']:.2f}x at p95)"
        )
    lines += ["", "Command:", "", "```", command, "```", ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--store", action="append", default=[], help="NAME=PATH, smallest first")
    ap.add_argument("--runs", type=int, default=20, help="runs per page and cache state")
    ap.add_argument("--filter-runs", type=int, default=30, help="Catalog filter changes")
    ap.add_argument("--write", action="store_true", help="update bench/RESULTS.md")
    ap.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        print(json.dumps(measure_store(args.child.resolve(), args.runs, args.filter_runs)))
        return 0
    if not args.store:
        ap.error("give at least one --store NAME=PATH")
    load_start = os.getloadavg()[0]
    results = {}
    for spec in args.store:
        name, _, path = spec.partition("=")
        if not Path(path).exists():
            print(f"no store at {path}: build it with `labelradar demo --size {name}`")
            return 2
        print(f"measuring {name} ({path}) ...", file=sys.stderr, flush=True)
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        out = subprocess.run(
            [
                sys.executable,
                __file__,
                "--child",
                path,
                "--runs",
                str(args.runs),
                "--filter-runs",
                str(args.filter_runs),
            ],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if out.returncode != 0:
            print(out.stderr[-3000:], file=sys.stderr)
            return 1
        results[name] = json.loads(out.stdout.strip().splitlines()[-1])
    command = "PYTHONPATH=$PWD python bench/page_scaling.py " + " ".join(
        a for a in (argv if argv is not None else sys.argv[1:]) if a != "--write"
    )
    text = report(results, command, (load_start, os.getloadavg()[0]))
    print(text)
    if args.write:
        from bench.page_latency import write_section

        write_section(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
