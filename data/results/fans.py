"""Batch reads and writes of the fans job (unscoped: the job models the whole catalogue).

Pages read the results through data/queries_fans.py, which applies the user's scope."""

# Sums of streams fit BIGINT for any store the ingest bounds allow (docs/spec-bounds.md).

from __future__ import annotations

import datetime as dt

import pandas as pd
from duckdb import DuckDBPyConnection

RESULT_TABLES = (
    "fan_profiles",
    "fan_profile_pmf",
    "fan_thresholds",
    "fan_k_scores",
    "fan_mix",
    "fan_assignments",
    "fan_breakdowns",
    "fan_targets",
)


def read_pairs(cur: DuckDBPyConnection, date_from: dt.date | None) -> pd.DataFrame:
    """artist_id, listener_id, streams (total over the window), age_band, gender, country.

    Only listener-level rows (those with a listener id) count. A listener's demographics
    are those of the rows carrying most of its streams across the whole catalogue (a DSP
    may report a listener with a changed age band or country over time)."""
    window = "AND t.date >= ?" if date_from is not None else ""
    params = [date_from, date_from] if date_from is not None else []
    return cur.execute(
        f"""
        WITH facts AS (
            SELECT t.listener_id, c.artist_id, t.age_band, t.gender, t.country, t.streams
            FROM trend_facts t JOIN catalog c USING (isrc)
            WHERE t.listener_id IS NOT NULL {window}
        ),
        pairs AS (
            SELECT artist_id, listener_id, sum(streams)::BIGINT AS streams
            FROM facts GROUP BY artist_id, listener_id
        ),
        who AS (
            SELECT t.listener_id,
                   arg_max(t.age_band::VARCHAR, t.streams) AS age_band,
                   arg_max(t.gender::VARCHAR, t.streams) AS gender,
                   arg_max(t.country, t.streams) AS country
            FROM trend_facts t WHERE t.listener_id IS NOT NULL {window}
            GROUP BY t.listener_id
        )
        SELECT p.artist_id, p.listener_id, p.streams, w.age_band, w.gender, w.country
        FROM pairs p JOIN who w USING (listener_id)
        WHERE p.streams > 0
        ORDER BY p.artist_id, p.listener_id
        """,
        params,
    ).df()


def window_start(cur: DuckDBPyConnection, window_days: int | None) -> dt.date | None:
    """First day of a window of `window_days` ending at the last day with facts."""
    if window_days is None:
        return None
    last = cur.execute("SELECT max(date) FROM trend_facts").fetchone()[0]
    return None if last is None else last - dt.timedelta(days=window_days - 1)


def write_results(cur: DuckDBPyConnection, frames: dict[str, pd.DataFrame]) -> None:
    """Replace every result table with the given frames (inside the job's transaction)."""
    for table in RESULT_TABLES:
        cur.execute(f"DELETE FROM {table}")
        df = frames.get(table)
        if df is None or df.empty:
            continue
        name = f"__fans_{table}"
        cur.register(name, df)
        try:
            cols = ", ".join(df.columns)
            cur.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM {name}")
        finally:
            cur.unregister(name)


# -- operator reads (the CLI: unscoped, like `info`) ------------------------------------------
def read_profiles(cur: DuckDBPyConnection) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(profiles, pmf, thresholds) of the persisted model."""
    profiles = cur.execute("SELECT * FROM fan_profiles ORDER BY profile_idx").df()
    pmf = cur.execute("SELECT * FROM fan_profile_pmf ORDER BY profile_idx, bin_idx").df()
    thresholds = cur.execute(
        "SELECT lower_name, upper_name, streams FROM fan_thresholds ORDER BY idx"
    ).df()
    return profiles, pmf, thresholds


def artist_name(cur: DuckDBPyConnection, artist_id: str) -> str | None:
    row = cur.execute(
        "SELECT any_value(artist_name) FROM catalog WHERE artist_id = ?", [artist_id]
    ).fetchone()
    return None if row is None else row[0]


def read_mix(cur: DuckDBPyConnection, artist_id: str) -> pd.DataFrame:
    return cur.execute(
        "SELECT profile, share, low, high, listeners FROM fan_mix WHERE artist_id = ? "
        "ORDER BY profile_idx",
        [artist_id],
    ).df()
