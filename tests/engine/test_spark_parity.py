"""Spark engine parity: `refresh --engine spark` and the DuckDB refresh give the same store.

Runs Spark local[2] through the one session-wide SparkSession (tests/conftest.py). The data is
the SYNTHETIC tiny demo store (conftest's `demo_db`), copied twice from the same state.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from app.cli import main as cli_main
from data.engine import local_map_groups
from data.engine.compare import compare_stores, compare_table
from data.engine.spark import map_groups

pytestmark = pytest.mark.spark


def test_compare_table_tolerates_float_noise_and_row_order() -> None:
    a = pd.DataFrame({"k": ["x", "y"], "v": [1.0, 2.0]})
    b = pd.DataFrame({"k": ["y", "x"], "v": [2.0 + 1e-9, 1.0]})
    assert compare_table(a, b, "t", 1e-6) == []
    c = pd.DataFrame({"k": ["y", "x"], "v": [2.001, 1.0]})
    (diff,) = compare_table(a, c, "t", 1e-6)
    assert diff.what.startswith("v: 1 rows differ")


def test_map_groups_on_spark_matches_in_process(spark_session) -> None:
    frame = pd.DataFrame({"g": [2, 1, 2, 1, 3], "x": [1.0, 2.0, 3.0, 4.0, 5.0]})

    def fit(part: pd.DataFrame) -> tuple[int, float]:
        return len(part), float(part["x"].sum())

    assert map_groups(frame, ["g"], fit) == local_map_groups(frame, ["g"], fit)


# The steps the acceptance names (aggregates, fan mixes, neighbours, alerts, budget scores)
# and health, which alerts read; every table they write is compared. All jobs on a larger
# store: bench/spark_refresh.py --parity.
STEPS = ["aggregates", "fans", "similar", "health", "alerts", "budget"]


@pytest.mark.timeout(1800)  # Spark local[2] on a busy 2-core runner: minutes, not seconds
def test_spark_refresh_matches_duckdb_refresh(demo_db: Path, tmp_path: Path, spark_session) -> None:
    duck, spark = tmp_path / "duck.duckdb", tmp_path / "spark.duckdb"
    shutil.copyfile(demo_db, duck)
    shutil.copyfile(demo_db, spark)
    only = [a for step in STEPS for a in ("--only", step)]
    assert cli_main(["refresh", "--db", str(duck), "--quiet", *only]) == 0
    lake = tmp_path / "lake"
    argv = ["refresh", "--db", str(spark), "--engine", "spark", "--lake", str(lake), "--quiet"]
    assert cli_main([*argv, *only]) == 0
    # the facts were read from the Parquet lake, partitioned by date and DSP
    days = [p for p in (lake / "trend_facts").iterdir() if p.name.startswith("date=")]
    assert days and all(any(q.name.startswith("dsp=") for q in d.iterdir()) for d in days)
    assert compare_stores(duck, spark, tol=1e-6) == []
