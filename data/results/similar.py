"""Batch reads and writes of the similar-artists job (unscoped: the job models every artist).

The unit is an artist on one label: both reads group by artist_id and the track's catalog
label, so an artist whose tracks sit on two labels gives two units, each from its own
tracks. Kept as set-oriented SQL so the same steps map onto a distributed engine: one
grouped read of the facts' listener-level rows, one of the daily aggregate, and bulk replaces
of the result tables from DataFrames.
"""

# Sums of streams fit BIGINT for any store the ingest bounds allow (docs/spec-bounds.md).

from __future__ import annotations

import duckdb
import pandas as pd

from data.aggregates import countries_only
from data.results import replace_table
from data.store import Store

RESULT_TABLES = ("similar_artists", "similar_neighbors", "similar_potential")


def listener_streams(store: Store) -> pd.DataFrame:
    """artist_id, label, listener_id, streams: each listener's streams of each artist's
    tracks on each label (all months; the facts' country rows)."""
    return (
        store.cursor()
        .execute(
            "SELECT c.artist_id, c.label, l.listener_id, sum(l.streams)::DOUBLE AS streams "
            "FROM trend_facts l JOIN catalog c USING (isrc) "
            f"WHERE l.listener_id IS NOT NULL AND {countries_only('l.')} "
            "GROUP BY c.artist_id, c.label, l.listener_id"
        )
        .df()
    )


def country_streams(store: Store) -> pd.DataFrame:
    """artist_id, label, country, streams: all streams (not only listener-level rows) of
    each artist's tracks on each label."""
    return (
        store.cursor()
        .execute(
            "SELECT c.artist_id, c.label, a.country, sum(a.streams)::DOUBLE AS streams "
            "FROM agg_daily a JOIN catalog c USING (isrc) "
            "GROUP BY c.artist_id, c.label, a.country"
        )
        .df()
    )


def replace_results(
    cur: duckdb.DuckDBPyConnection,
    run_id: int,
    artists: pd.DataFrame,
    neighbors: pd.DataFrame,
    potential: pd.DataFrame,
) -> None:
    """Replace the three result tables (call inside the job's transaction)."""
    frames = {
        "similar_artists": artists,
        "similar_neighbors": neighbors,
        "similar_potential": potential,
    }
    for table, frame in frames.items():
        replace_table(cur, table, frame, run_id)
