"""What the health job reads and persists: coverage per (DSP, day) and the issues found.

`flagged_cells` is what the alerts job reads to leave data artifacts out of detection."""

from __future__ import annotations

import duckdb
import pandas as pd

from data.store import Store
from data.vocab import WORLDWIDE


def coverage(cur: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """dsp, date, tracks, countries (the worldwide territory is no country), streams: what
    each feed delivered each day it delivered anything."""
    return cur.execute(
        "SELECT dsp, date, count(DISTINCT isrc) AS tracks, "
        f"count(DISTINCT country) FILTER (WHERE country <> '{WORLDWIDE}') AS countries, "
        "sum(streams)::BIGINT AS streams FROM trend_facts GROUP BY ALL ORDER BY ALL"
    ).df()


def load_cells(cur: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """load_id, dsp, date, rows, fingerprint, loaded_at, file_name: one row per load and
    day. The fingerprint is an order-free hash of the rows' values (not their load), so two
    loads of the same rows have the same one."""
    return cur.execute(
        "SELECT t.load_id, t.dsp, t.date, count(*) AS rows, "
        "sum(hash(t.isrc, t.country, t.region, t.age_band, t.gender, t.subscription, "
        "t.device, t.os, t.source, t.playlist_id, t.listener_id, t.streams))::HUGEINT::VARCHAR "
        "AS fingerprint, l.loaded_at, l.file_name "
        "FROM trend_facts t JOIN loads l USING (load_id) GROUP BY ALL ORDER BY ALL"
    ).df()


def replace_results(
    cur: duckdb.DuckDBPyConnection, issues: pd.DataFrame, cov: pd.DataFrame
) -> None:
    """Swap in the new results (inside the job's transaction)."""
    cur.execute("DELETE FROM health_issues")
    cur.execute("DELETE FROM health_coverage")
    if not issues.empty:
        cur.register("new_issues", issues)
        cur.execute("INSERT INTO health_issues SELECT dsp, date, kind, detail FROM new_issues")
        cur.unregister("new_issues")
    if not cov.empty:
        cur.register("new_coverage", cov)
        cur.execute(
            "INSERT INTO health_coverage SELECT dsp, date, tracks, countries, streams, "
            "expected_tracks, expected_countries FROM new_coverage"
        )
        cur.unregister("new_coverage")


def all_issues(store: Store) -> pd.DataFrame:
    """Every persisted issue (operator read), oldest day first."""
    return (
        store.cursor()
        .execute("SELECT dsp, date, kind, detail FROM health_issues ORDER BY date, dsp, kind")
        .df()
    )
