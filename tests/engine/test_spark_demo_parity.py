"""Spark engine parity on the demo-size store (issue 16's acceptance: tiny AND demo stores).

The SYNTHETIC demo world (`labelradar demo`'s default size, seed 0: ~12 M trend rows) is built
once, copied twice, and each copy is refreshed by one engine over the steps the acceptance
names (test_spark_parity.STEPS). Every result-bearing table must then be equal: floats within
1e-6, everything else exactly, rows as multisets (data/engine/compare.quick_report: DuckDB
compares the tables, pandas only looks at one that differs).

Minutes of work on 2 cores (most of it Spark's aggregates over 12 M rows): marked `spark`, so
only `make test-spark` runs it (CI runs that once after `make test`). Timings: bench/RESULTS.md,
"Spark refresh".
"""

from __future__ import annotations

from pathlib import Path

import pytest

from app.cli import main as cli_main
from data.backup import copy_store
from data.engine.compare import quick_report
from tests.engine.test_spark_parity import STEPS

pytestmark = pytest.mark.spark


@pytest.mark.timeout(3600)  # Spark local[2] over 12 M rows: ~10 minutes on two idle cores
def test_spark_refresh_matches_duckdb_refresh_on_the_demo_store(
    tmp_path: Path, spark_session
) -> None:
    from data.synth import build_demo_store

    built = tmp_path / "demo.duckdb"
    summary = build_demo_store(built, size="demo", seed=0, out_dir=tmp_path / "files")
    duck, spark = tmp_path / "duck.duckdb", tmp_path / "spark.duckdb"
    copy_store(built, duck)
    copy_store(built, spark)
    only = [a for step in STEPS for a in ("--only", step)]
    assert cli_main(["refresh", "--db", str(duck), "--quiet", *only]) == 0
    lake = tmp_path / "lake"
    argv = ["refresh", "--db", str(spark), "--engine", "spark", "--lake", str(lake), "--quiet"]
    assert cli_main([*argv, *only]) == 0

    report = quick_report(duck, spark, tol=1e-6)
    tables = {table: rows for table, rows, _ in report}
    # the demo size, not the tiny one, and every step wrote its results
    assert summary.trend_rows > 10_000_000
    for table in ("agg_daily", "fan_mix", "similar_neighbors", "alerts", "budget_groups"):
        assert tables.get(table, 0) > 0, f"{table} is empty"
    assert [d for _, _, diffs in report for d in diffs] == []
