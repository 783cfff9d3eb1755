"""Batch reads and writes of the fans job (unscoped: the job models the whole catalogue).

Pages and the CLI read the results through data/queries/fans.py, which applies a scope."""

# Sums of streams fit BIGINT for any store the ingest bounds allow (docs/spec-bounds.md).

from __future__ import annotations

import datetime as dt

import pandas as pd
from duckdb import DuckDBPyConnection

# The table of each result frame of the fitted model (analytics.fans.FansModel.frames()).
RESULT_TABLES = {
    "profiles": "fan_profiles",
    "profile_pmf": "fan_profile_pmf",
    "thresholds": "fan_thresholds",
    "k_scores": "fan_k_scores",
    "mix": "fan_mix",
    "assignments": "fan_assignments",
    "breakdowns": "fan_breakdowns",
    "targets": "fan_targets",
}


def read_pairs(cur: DuckDBPyConnection, date_from: dt.date | None) -> pd.DataFrame:
    """artist_id, label, listener_id, streams (total over the window), age_band, gender,
    country: one row per listener of an artist's tracks on one catalog label.

    Only listener-level rows (those with a listener id) count. An artist with tracks on two
    labels gets a separate total per label, so each label's results come from its own tracks. A listener's demographics
    are those of the rows carrying most of its streams across the whole catalogue (a DSP
    may report a listener with a changed age band or country over time)."""
    window = "AND t.date >= ?" if date_from is not None else ""
    params = [date_from, date_from] if date_from is not None else []
    return cur.execute(
        f"""
        WITH facts AS (
            SELECT t.listener_id, c.artist_id, c.label, t.age_band, t.gender, t.country, t.streams
            FROM trend_facts t JOIN catalog c USING (isrc)
            WHERE t.listener_id IS NOT NULL {window}
        ),
        pairs AS (
            SELECT artist_id, label, listener_id, sum(streams)::BIGINT AS streams
            FROM facts GROUP BY artist_id, label, listener_id
        ),
        who AS (
            SELECT t.listener_id,
                   arg_max(t.age_band::VARCHAR, t.streams) AS age_band,
                   arg_max(t.gender::VARCHAR, t.streams) AS gender,
                   arg_max(t.country, t.streams) AS country
            FROM trend_facts t WHERE t.listener_id IS NOT NULL {window}
            GROUP BY t.listener_id
        )
        SELECT p.artist_id, p.label, p.listener_id, p.streams, w.age_band, w.gender, w.country
        FROM pairs p JOIN who w USING (listener_id)
        WHERE p.streams > 0
        ORDER BY p.artist_id, p.label, p.listener_id
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
    """Replace every result table with the given frames, keyed as in RESULT_TABLES (inside
    the job's transaction); a missing or empty frame leaves its table empty."""
    for key, table in RESULT_TABLES.items():
        cur.execute(f"DELETE FROM {table}")
        df = frames.get(key)
        if df is None or df.empty:
            continue
        name = f"__fans_{table}"
        cur.register(name, df)
        try:
            cols = ", ".join(df.columns)
            cur.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM {name}")
        finally:
            cur.unregister(name)
