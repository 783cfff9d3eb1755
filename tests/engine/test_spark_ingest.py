"""`ingest --engine spark`: the aggregates step of an ingest on Spark leaves the store the
DuckDB ingest leaves. SYNTHETIC data: the hand-made mini store (tests/conftest.py) and a trend
report of three new days, made from its last three days of one DSP."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest

from app.cli import main as cli_main
from data.backup import copy_store
from data.engine.compare import compare_stores

pytestmark = pytest.mark.spark

SHIFT = 3  # days: the report's days follow the store's last day


def _write_report(db: Path, path: Path) -> tuple[dt.date, int]:
    """The report (CSV) and (its first day, its streams)."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        (last,) = con.execute("SELECT max(date) FROM trend_facts").fetchone()
        rows = (
            f"SELECT date + {SHIFT} AS date, dsp, isrc, country, region, age_band, gender, "
            "subscription, device, os, source, playlist_id, listener_id, streams "
            f"FROM trend_facts WHERE dsp = 'spotify' AND date > DATE '{last}' - {SHIFT}"
        )
        con.execute(f"COPY ({rows}) TO '{path}' (HEADER)")
        (total,) = con.execute(f"SELECT sum(streams) FROM ({rows})").fetchone()
    finally:
        con.close()
    return last + dt.timedelta(days=1), int(total)


@pytest.mark.timeout(900)  # Spark local[2] on a busy 2-core runner
def test_spark_ingest_matches_duckdb_ingest(mini_db: Path, tmp_path: Path, spark_session) -> None:
    duck = copy_store(mini_db, tmp_path / "duck.duckdb")
    spark = copy_store(mini_db, tmp_path / "spark.duckdb")
    report = tmp_path / "spotify-report.csv"
    first_day, streams = _write_report(mini_db, report)
    assert cli_main(["ingest", str(report), "--db", str(duck), "--quiet"]) == 0
    lake = tmp_path / "lake"
    argv = ["ingest", str(report), "--db", str(spark), "--quiet", "--engine", "spark"]
    assert cli_main([*argv, "--lake", str(lake)]) == 0
    # the aggregates were computed from the lake's date x DSP partitions, new days included
    assert (lake / "trend_facts" / f"date={first_day}" / "dsp=spotify").is_dir()
    con = duckdb.connect(str(spark), read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM aggregate_backlog").fetchone()[0] == 0
        new = con.execute(
            "SELECT sum(streams) FROM agg_daily WHERE date >= ?", [first_day]
        ).fetchone()[0]
        assert new == streams  # the mini store has no worldwide rows: every row counts
    finally:
        con.close()
    assert compare_stores(duck, spark, tol=1e-6) == []
