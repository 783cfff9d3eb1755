"""Feature pages: script time to open each analytics page, warm and cold cache.

    python bench/feature_page_latency.py [--db data/labelradar.duckdb] [--runs 10]

Drives the real app (app/main.py) headless with streamlit's AppTest, signed in as the demo
admin (all labels), on a store whose batch jobs have run (`labelradar refresh`). For each
page: `cold` clears the query caches before every run (every read hits DuckDB, the online
budget scoring runs), `warm` reruns with the caches filled. The pages never fit a model, so
both figures are reads + drawing; the ratio shows what the cache buys.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

PAGES = {
    "Fan types": "../pages/fans.py",
    "Similar artists": "../pages/similar.py",
    "Alerts": "../pages/alerts.py",
    "Territory budgets": "../pages/budget.py",
}


def _run(at) -> float:
    start = time.perf_counter()
    at.run()
    if at.exception:
        raise RuntimeError(f"the page raised: {at.exception[0].value}")
    return time.perf_counter() - start


def p95(values: list[float]) -> float:
    data = sorted(values)
    return data[min(len(data) - 1, round(0.95 * (len(data) - 1)))]


def main() -> int:
    from data.store import default_db_path
    from data.synth import DEMO_PASSWORDS

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", type=Path, default=default_db_path())
    ap.add_argument("--runs", type=int, default=10)
    args = ap.parse_args()
    os.environ["LABELRADAR_DB"] = str(args.db.resolve())
    from streamlit.testing.v1 import AppTest

    from app import services

    at = AppTest.from_file(str(ROOT / "app" / "main.py"), default_timeout=120)
    at.run()
    fields = {t.label: t for t in at.text_input}
    fields["Username"].input("admin")
    fields["Password"].input(DEMO_PASSWORDS["admin"])
    next(b for b in at.button if b.label == "Sign in").click()
    at.run()
    print(f"store {args.db}, {args.runs} runs per figure (ms)")
    print(
        f"{'page':<20}{'cold p50':>10}{'cold p95':>10}{'warm p50':>10}{'warm p95':>10}{'ratio':>8}"
    )
    for title, path in PAGES.items():
        at.switch_page(path)
        _run(at)  # first open: fills the caches
        cold, warm = [], []
        for _ in range(args.runs):
            services.clear_caches()
            cold.append(_run(at))
        for _ in range(args.runs):
            warm.append(_run(at))
        c50, w50 = statistics.median(cold) * 1000, statistics.median(warm) * 1000
        print(
            f"{title:<20}{c50:>10.0f}{p95(cold) * 1000:>10.0f}{w50:>10.0f}"
            f"{p95(warm) * 1000:>10.0f}{c50 / w50:>7.1f}x"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
