"""Chart import and data health on the real Spotify daily charts (2017).

    python bench/health_realdata.py [--realdata ../shared/realdata]

Imports spotify_daily_us_2017/us_data.csv (region us) into a temporary store alone, then
both chart sets as `labelradar demo --real` does, and prints the import times and every
data-health issue found. The files are read where they lie, never copied.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from app.health import job as health_job
from data import realdemo
from data.ingest.charts import import_files
from data.results import health as health_results
from data.store import open_store


def _quiet(stage: str, fraction: float) -> None:
    return None


def _report(name: str, db: Path) -> None:
    with open_store(db) as store:
        started = time.perf_counter()
        summary = health_job.run(store, _quiet)
        seconds = time.perf_counter() - started
        issues = health_results.all_issues(store)
    print(f"\n{name}: health in {seconds:.2f} s, {summary}")
    for r in issues.itertuples():
        print(f"  {str(r.date)[:10]}  {r.dsp}  {r.kind:<12} {r.detail}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--realdata", type=Path, default=realdemo.DEFAULT_ROOT)
    args = parser.parse_args()
    missing = realdemo.missing_files(args.realdata)
    if missing:
        print(f"real data absent ({missing[0]}): nothing measured")
        return
    with tempfile.TemporaryDirectory() as tmp:
        us = Path(tmp) / "us.duckdb"
        with open_store(us) as store:
            started = time.perf_counter()
            results = import_files(
                store,
                [args.realdata / "spotify_daily_us_2017" / "us_data.csv"],
                label="US top 200",
                region="us",
                accept_valid=True,
                rejects_dir=Path(tmp),
            )
            r = results[0]
            print(
                f"US import: {r.rows_loaded:,} rows loaded, {r.rows_rejected} rejected, "
                f"{time.perf_counter() - started:.2f} s"
            )
        _report("US top 200 alone", us)
        both = Path(tmp) / "real.duckdb"
        started = time.perf_counter()
        built = realdemo.build_real_store(both, args.realdata)
        print(
            f"\ndemo --real: {built.tracks} tracks, {built.trend_rows:,} rows in "
            f"{time.perf_counter() - started:.2f} s"
        )
        _report("both chart sets (one spotify feed)", both)


if __name__ == "__main__":
    main()
