"""Batch reads and writes of the recommend job (unscoped: the job models every track)."""

from __future__ import annotations

import duckdb
import pandas as pd

from data.aggregates import COUNTRIES_ONLY
from data.results import replace_table
from data.store import Store

RESULT_TABLES = (
    "recommend_metrics",
    "recommend_adopters",
    "recommend_segments",
    "recommend_promote",
    "recommend_listener_tracks",
)


def monthly_plays(store: Store) -> pd.DataFrame:
    """listener_id, isrc, month, streams: listener-level streams per month (all DSPs, the
    facts' country rows)."""
    return (
        store.cursor()
        .execute(
            "SELECT listener_id, isrc, date_trunc('month', date)::DATE AS month, "
            "sum(streams)::DOUBLE AS streams FROM trend_facts "
            f"WHERE listener_id IS NOT NULL AND {COUNTRIES_ONLY} "
            "GROUP BY listener_id, isrc, month ORDER BY listener_id, isrc, month"
        )
        .df()
    )


def listeners(store: Store) -> pd.DataFrame:
    """listener_id, country, age_band, gender: each listener's segment as delivered (the
    most frequent one should a DSP report a listener in more than one)."""
    return (
        store.cursor()
        .execute(
            "SELECT listener_id, mode(country) AS country, mode(age_band)::VARCHAR AS age_band, "
            "mode(gender)::VARCHAR AS gender FROM trend_facts WHERE listener_id IS NOT NULL "
            "GROUP BY listener_id ORDER BY listener_id"
        )
        .df()
    )


def tracks(store: Store) -> pd.DataFrame:
    """isrc, artist_id, label of every catalogue track."""
    return store.cursor().execute("SELECT isrc, artist_id, label FROM catalog ORDER BY isrc").df()


def replace_results(cur: duckdb.DuckDBPyConnection, run_id: int, frames: dict) -> None:
    """Replace every result table (call inside the job's transaction)."""
    for table in RESULT_TABLES:
        replace_table(cur, table, frames[table], run_id)
