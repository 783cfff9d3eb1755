"""Page latency: script time of the Catalog page for a filter change, warm and cold cache.

    python bench/page_latency.py [--db data/labelradar.duckdb] [--runs 30] [--write]

Drives the real app (app/main.py) headless with streamlit's AppTest: signs in, then changes
the sidebar filters run after run, cycling through a fixed set of filter states. Each timed
figure is one full script run (entry point + sidebar + Catalog page), as AppTest.run().

- warm: every filter state has been shown once before, so st.cache_data answers.
- cold: the query caches are cleared before each run (the Store stays open), so every
  query hits DuckDB.

Target (foundation issue): p95 < 300 ms warm on the demo store. --write puts the figures in
the "## Page latency" section of bench/RESULTS.md (other sections are kept).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import statistics
import sys
import time
from pathlib import Path

from data.queries import catalog as catalog_queries

ROOT = Path(__file__).resolve().parents[1]

RESULTS = ROOT / "bench" / "RESULTS.md"
SECTION = "## Page latency"


def percentile(values: list[float], q: float) -> float:
    """Linear-interpolated percentile (q in 0..100)."""
    data = sorted(values)
    if len(data) == 1:
        return data[0]
    pos = (len(data) - 1) * q / 100
    lo = int(pos)
    hi = min(lo + 1, len(data) - 1)
    return data[lo] + (data[hi] - data[lo]) * (pos - lo)


def _filter_states(data_min: dt.date, data_max: dt.date, countries: list[str], artists: list[str]):
    """Distinct, realistic filter changes: windows, countries, an artist."""
    day = dt.timedelta(days=1)
    w90 = (max(data_min, data_max - 89 * day), data_max)
    w30 = (max(data_min, data_max - 29 * day), data_max)
    w60 = (max(data_min, data_max - 119 * day), max(data_min, data_max - 60 * day))
    return [
        {"dates": w90, "countries": [], "artists": []},
        {"dates": w90, "countries": countries[:1], "artists": []},
        {"dates": w30, "countries": countries[:3], "artists": []},
        {"dates": w60, "countries": [], "artists": artists[:1]},
        {"dates": w30, "countries": [], "artists": []},
        {"dates": w90, "countries": countries[1:4], "artists": artists[1:2]},
    ]


def _apply(at, state: dict) -> None:
    at.date_input(key="flt_dates").set_value(state["dates"])
    at.multiselect(key="flt_countries").set_value(state["countries"])
    at.multiselect(key="flt_artists").set_value(state["artists"])


def _timed_run(at) -> float:
    start = time.perf_counter()
    at.run()
    elapsed = time.perf_counter() - start
    if at.exception:
        raise RuntimeError(f"the page raised: {at.exception[0].value}")
    return elapsed


def filter_change_times(at, runs: int) -> tuple[list[float], list[float], int]:
    """Catalog script times (s) for `runs` filter changes with warm caches, then `runs` with
    the caches cleared before each; and how many filter states were cycled. `at` is a
    signed-in AppTest on the Catalog."""
    from app import services

    scope = at.session_state["lr_scope"]
    data_min, data_max = services.query(catalog_queries.data_range, scope)
    countries = list(services.query(catalog_queries.countries, scope)["country"])
    artists = list(services.query(catalog_queries.artists, scope)["artist_id"])
    states = _filter_states(data_min, data_max, countries, artists)

    # Warm every state, twice: the drill-down keeps its selected track across filter
    # changes, so the second pass meets the same (filters, track) pairs as the timed runs.
    for state in states + states:
        _apply(at, state)
        _timed_run(at)

    warm = []
    for i in range(runs):
        _apply(at, states[(i + 1) % len(states)])  # always a change from the previous run
        warm.append(_timed_run(at))

    cold = []
    for i in range(runs):
        _apply(at, states[(i + 1) % len(states)])
        services.clear_caches()
        cold.append(_timed_run(at))
    return warm, cold, len(states)


def signed_in_app(db: Path, user: str, password: str, timeout: int = 120):
    """The real app headless (AppTest) on `db` with `user`'s sign-in submitted; the next
    run lands on Today."""
    os.environ["LABELRADAR_DB"] = str(db)
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app" / "main.py"), default_timeout=timeout)
    at.run()
    fields = {t.label: t for t in at.text_input}
    fields["Username"].input(user)
    fields["Password"].input(password)
    next(b for b in at.button if b.label == "Sign in").click()
    return at


def measure(db: Path, user: str, password: str, runs: int) -> dict:
    from app import services

    at = signed_in_app(db, user, password)
    at.run()
    at.switch_page("../pages/catalog.py").run()  # sign-in lands on Today
    if not at.metric:
        raise SystemExit(f"could not sign in as {user!r} or the Catalog shows no data")

    scope = at.session_state["lr_scope"]
    warm, cold, n_states = filter_change_times(at, runs)

    store = services.store()
    facts = store.cursor().execute("SELECT count(*) FROM agg_daily").fetchone()[0]
    tracks = store.cursor().execute("SELECT count(*) FROM catalog").fetchone()[0]
    return {
        "warm": warm,
        "cold": cold,
        "states": n_states,
        "agg_daily_rows": facts,
        "tracks": tracks,
        "labels": len(scope.labels),
        "demo": store.is_demo,
        "size": store.get_meta("demo_size"),
        "seed": store.get_meta("demo_seed"),
    }


def summarise(result: dict) -> dict[str, float]:
    warm, cold = result["warm"], result["cold"]
    out = {
        "warm_p50": statistics.median(warm) * 1000,
        "warm_p95": percentile(warm, 95) * 1000,
        "cold_p50": statistics.median(cold) * 1000,
        "cold_p95": percentile(cold, 95) * 1000,
    }
    out["ratio_p50"] = out["cold_p50"] / out["warm_p50"]
    out["ratio_p95"] = out["cold_p95"] / out["warm_p95"]
    return out


def report(result: dict, stats: dict[str, float], command: str, runs: int) -> str:
    verdict = "meets" if stats["warm_p95"] < 300 else "MISSES"
    return "\n".join(
        [
            SECTION,
            "",
            f"Catalog page script time for a filter change, {runs} runs each, admin (all "
            f"{result['labels']} labels), cycling through {result['states']} filter states "
            "(date windows, countries, artists). Each figure is one full AppTest run of "
            "app/main.py (entry point, sidebar, Catalog page).",
            "",
            f"Store: {'demo (synthetic)' if result['demo'] else 'not synthetic'}"
            f"{' size ' + result['size'] if result['size'] else ''}"
            f"{', seed ' + result['seed'] if result['seed'] else ''}, {result['tracks']:,} "
            f"tracks, {result['agg_daily_rows']:,} agg_daily rows. Machine: "
            f"{os.cpu_count()} CPUs, Python {platform.python_version()}. "
            f"Measured {dt.date.today().isoformat()}.",
            "",
            "| cache | p50 (ms) | p95 (ms) |",
            "|---|---:|---:|",
            f"| warm (st.cache_data hits) | {stats['warm_p50']:.0f} | {stats['warm_p95']:.0f} |",
            f"| cold (caches cleared before each run) | {stats['cold_p50']:.0f} | "
            f"{stats['cold_p95']:.0f} |",
            "",
            f"Cold / warm: {stats['ratio_p50']:.1f}x at p50, {stats['ratio_p95']:.1f}x at p95. "
            f"Target p95 < 300 ms warm: {verdict}.",
            "",
            "Command (the store is the demo store `labelradar demo` builds; `--db` points at it "
            "when it is not at the default path):",
            "",
            "```",
            command,
            "```",
            "",
        ]
    )


def write_section(text: str) -> None:
    """Replace the '## Page latency' section of RESULTS.md (or append it); keep the rest."""
    old = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "# Benchmark results\n"
    lines = old.splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines) if line.strip() == SECTION), None)
    if start is None:
        new = old.rstrip("\n") + "\n\n" + text
    else:
        end = next(
            (i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines)
        )
        tail = "".join(lines[end:])
        new = "".join(lines[:start]) + text + ("\n" + tail if tail else "")
    RESULTS.write_text(new, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    from data.store import default_db_path

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--db",
        type=Path,
        default=None,
        help="store (default: LABELRADAR_DB "
        "or data/labelradar.duckdb; build it with `labelradar demo`)",
    )
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--user", default="admin")
    parser.add_argument(
        "--password", default=None, help="default: the demo admin password of a synthetic store"
    )
    parser.add_argument("--write", action="store_true", help="update bench/RESULTS.md")
    args = parser.parse_args(argv)

    db = (args.db or default_db_path()).resolve()
    if not db.exists():
        print(f"no store at {db}: build the demo store with `labelradar demo`", file=sys.stderr)
        return 2
    password = args.password
    if password is None:
        from data.synth import DEMO_PASSWORDS

        password = DEMO_PASSWORDS.get(args.user)
        if password is None:
            print(f"give --password for {args.user!r}", file=sys.stderr)
            return 2

    result = measure(db, args.user, password, args.runs)
    stats = summarise(result)
    command = "python bench/page_latency.py " + " ".join(
        a for a in (argv if argv is not None else sys.argv[1:]) if a != "--write"
    )
    text = report(result, stats, command.strip(), args.runs)
    print(text)
    if args.write:
        write_section(text)
        print(f"wrote the '{SECTION[3:]}' section of {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
