"""Batch reads and writes of the forecast job (unscoped: the job models every track)."""

# Sums of streams fit BIGINT for any store the ingest bounds allow (docs/spec-bounds.md).

from __future__ import annotations

import duckdb
import pandas as pd

from data.results import replace_table
from data.store import Store
from data.vocab import ACTIVE_SOURCES, sql_list

RESULT_TABLES = ("forecast_series", "forecast_daily")


def daily_streams(store: Store) -> pd.DataFrame:
    """isrc, date, streams, active: every track's streams per day (all countries, DSPs)."""
    return (
        store.cursor()
        .execute(
            "SELECT isrc, date, sum(streams)::DOUBLE AS streams, "
            f"sum(streams) FILTER (WHERE source IN {sql_list(ACTIVE_SOURCES)})::DOUBLE "
            "AS active FROM agg_daily GROUP BY isrc, date"
        )
        .df()
        .fillna({"active": 0.0})
    )


def tracks(store: Store) -> pd.DataFrame:
    """isrc, artist_id, label, genre of every catalogue track."""
    return (
        store.cursor()
        .execute("SELECT isrc, artist_id, label, coalesce(genre, 'unknown') AS genre FROM catalog")
        .df()
    )


def replace_results(
    cur: duckdb.DuckDBPyConnection, run_id: int, series: pd.DataFrame, daily: pd.DataFrame
) -> None:
    """Replace both result tables (call inside the job's transaction)."""
    for table, frame in (("forecast_series", series), ("forecast_daily", daily)):
        replace_table(cur, table, frame, run_id)
