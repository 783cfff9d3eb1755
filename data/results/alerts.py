"""Batch reads and writes of the alerts feature, and the status writes from the page.

Batch reads are unscoped (the job sees the whole catalogue); page reads go through
data/queries_alerts.py. Status writes check the acting user's role and labels here.
"""

# Sums of streams fit BIGINT for any store the ingest bounds allow (docs/spec-bounds.md).

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd

from data import audit
from data.scope import Scope
from data.store import Store

STATUSES = ("acknowledged", "dismissed")
# Who may change an alert's status: managers and admins act on alerts; viewers read them.
STATUS_ROLES = ("manager", "admin")


@dataclass
class Series:
    """Daily series on one day axis: ids [N], dates [T], counts [N, T] (NaN = no row)."""

    ids: np.ndarray
    dates: pd.DatetimeIndex
    counts: np.ndarray
    total: np.ndarray  # all streams (for charts); counts is the detection series


def daily_series(cur: duckdb.DuckDBPyConnection) -> tuple[Series, pd.DataFrame]:
    """Per-track detection series and the catalog (isrc, artist_id, label).

    Detection series = streams, except that an identified listener's streams of a track on
    one day count once: one person replaying a track 20 times is not an audience change,
    and these binges are the heaviest tail of low-volume tracks' daily counts."""
    tot = cur.execute(
        "SELECT isrc, date, sum(streams)::DOUBLE AS streams FROM agg_daily GROUP BY ALL"
    ).df()
    rep = cur.execute(
        "SELECT isrc, date, (sum(streams) - count(DISTINCT listener_id))::DOUBLE AS repeat "
        "FROM trend_facts WHERE listener_id IS NOT NULL GROUP BY ALL"
    ).df()
    catalog = cur.execute("SELECT isrc, artist_id, label FROM catalog ORDER BY isrc").df()
    if tot.empty:
        empty = Series(np.array([]), pd.DatetimeIndex([]), np.zeros((0, 0)), np.zeros((0, 0)))
        return empty, catalog
    tot["date"] = pd.to_datetime(tot.date)
    piv = tot.pivot(index="isrc", columns="date", values="streams")
    dates = pd.date_range(piv.columns.min(), piv.columns.max(), freq="D")
    piv = piv.reindex(columns=dates)
    total = piv.to_numpy(dtype=float)
    counts = total.copy()
    if not rep.empty:
        rep["date"] = pd.to_datetime(rep.date)
        r = rep.pivot(index="isrc", columns="date", values="repeat")
        r = r.reindex(index=piv.index, columns=dates).fillna(0.0).to_numpy()
        counts = total - r
    return Series(piv.index.to_numpy(), dates, counts, total), catalog


def artist_series(tracks: Series, catalog: pd.DataFrame) -> Series:
    """Sum of an artist's tracks per day (a day with no row for any track is missing)."""
    artist_of = catalog.set_index("isrc").artist_id.reindex(tracks.ids).to_numpy()
    ids = np.unique(artist_of[pd.notna(artist_of)])
    counts = np.full((len(ids), tracks.counts.shape[1]), np.nan)
    total = counts.copy()
    for k, a in enumerate(ids):
        rows = artist_of == a
        seen = ~np.isnan(tracks.counts[rows]).all(axis=0)
        counts[k] = np.where(seen, np.nansum(tracks.counts[rows], axis=0), np.nan)
        total[k] = np.where(seen, np.nansum(tracks.total[rows], axis=0), np.nan)
    return Series(ids, tracks.dates, counts, total)


def window_rows(
    cur: duckdb.DuckDBPyConnection, windows: pd.DataFrame
) -> tuple[pd.DataFrame, pd.Series]:
    """Streams inside each alert's windows by dsp, source and playlist, tagged with its key.

    windows: key, isrc, lo, onset, hi (one row per track of the subject); rows before
    `onset` are the pre-change window (during = false). Returns the rows (key, during, dsp,
    source, playlist_id, streams) and the number of pre-change days with data per key."""
    cols = ["key", "isrc", "during", "dsp", "source", "playlist_id", "streams"]
    if windows.empty:
        return pd.DataFrame(columns=cols), pd.Series(dtype=float)
    cur.register("alert_windows", windows)
    try:
        df = cur.execute(
            "SELECT w.key, t.isrc, t.date >= w.onset AS during, t.dsp, "
            "t.source::VARCHAR AS source, t.playlist_id, sum(t.streams)::DOUBLE AS streams "
            "FROM trend_facts t "
            "JOIN alert_windows w ON t.isrc = w.isrc AND t.date BETWEEN w.lo AND w.hi "
            "GROUP BY ALL ORDER BY ALL"
        ).df()
        days = cur.execute(
            "SELECT w.key, count(DISTINCT a.date) AS days FROM agg_daily a "
            "JOIN alert_windows w ON a.isrc = w.isrc AND a.date >= w.lo AND a.date < w.onset "
            "GROUP BY w.key"
        ).df()
    finally:
        cur.unregister("alert_windows")
    return df, days.set_index("key").days.astype(float)


def window_listeners(cur: duckdb.DuckDBPyConnection, windows: pd.DataFrame) -> pd.DataFrame:
    """Identified listener rows (key, listener_id, date, source) inside each window."""
    if windows.empty:
        return pd.DataFrame(columns=["key", "listener_id", "date", "source"])
    cur.register("alert_windows", windows)
    try:
        df = cur.execute(
            "SELECT w.key, t.listener_id, t.date, t.source::VARCHAR AS source "
            "FROM trend_facts t JOIN alert_windows w ON t.isrc = w.isrc "
            "AND t.date BETWEEN w.lo AND w.hi WHERE t.listener_id IS NOT NULL "
            "ORDER BY ALL"  # a fixed order: parallel scans return rows in any order
        ).df()
    finally:
        cur.unregister("alert_windows")
    df["date"] = pd.to_datetime(df.date)
    return df


def sample_listeners(
    cur: duckdb.DuckDBPyConnection, lo: dt.date, hi: dt.date, tracks: int, seed: int = 0
) -> pd.DataFrame:
    """Identified listener rows (key = isrc) of up to `tracks` tracks in [lo, hi]."""
    ids = [
        r[0]
        for r in cur.execute(
            "SELECT DISTINCT isrc FROM agg_listener_month ORDER BY isrc"
        ).fetchall()
    ]
    if not ids:
        return pd.DataFrame(columns=["key", "listener_id", "date", "source"])
    rng = np.random.default_rng(seed)
    chosen = sorted(rng.choice(ids, size=min(tracks, len(ids)), replace=False))
    windows = pd.DataFrame({"key": chosen, "isrc": chosen, "lo": lo, "hi": hi})
    return window_listeners(cur, windows)


def replace_results(
    cur: duckdb.DuckDBPyConnection,
    alerts: pd.DataFrame,
    bands: pd.DataFrame,
    state: pd.DataFrame,
    *,
    append: bool = False,
) -> None:
    """Write the job's results (inside the job's transaction). Statuses are kept.

    A full run replaces everything; an online run (append=True) adds the new days' alerts
    and history bands and replaces the forecasts and the filter state."""
    if append:
        cur.execute("DELETE FROM alert_bands WHERE is_forecast")
    else:
        cur.execute("DELETE FROM alerts")
        cur.execute("DELETE FROM alert_bands")
    cur.execute("DELETE FROM alert_filter_state")
    _insert(
        cur,
        "INSERT OR IGNORE INTO alerts SELECT alert_key, subject, isrc, artist_id, kind, "
        "event_date, detected_on, probability, observed, expected, excess, cause, "
        "cause_dimension, cause_value, attribution::JSON, growth::JSON, opportunity, goal, "
        "reason FROM frame",
        alerts,
    )
    _insert(
        cur,
        "INSERT INTO alert_bands SELECT subject, subject_id, date, observed, expected, "
        "lo80, hi80, lo95, hi95, is_forecast FROM frame",
        bands,
    )
    _insert(
        cur,
        "INSERT INTO alert_filter_state SELECT subject, subject_id, through, obs_var, "
        "state, cov, start_date, seen, monitored, run, armed, last_spike, last_drop FROM frame",
        state,
    )


def _insert(cur: duckdb.DuckDBPyConnection, sql: str, frame: pd.DataFrame) -> None:
    """Run `sql` (which reads the view `frame`) over a DataFrame; nothing when it is empty."""
    if frame.empty:
        return
    cur.register("frame", frame)
    try:
        cur.execute(sql)
    finally:
        cur.unregister("frame")


def read_alerts(store: Store, since: dt.date | None = None) -> pd.DataFrame:
    """Every persisted alert (unscoped operator access, for the CLI), newest first."""
    sql = (
        "SELECT a.*, s.status, s.changed_by, s.changed_at FROM alerts a "
        "LEFT JOIN alert_status s USING (alert_key)"
    )
    params: list = []
    if since is not None:
        sql += " WHERE a.event_date >= ?"
        params.append(since)
    return (
        store.cursor()
        .execute(sql + " ORDER BY a.event_date DESC, a.probability DESC, a.alert_key", params)
        .df()
    )


def read_filter_state(store: Store) -> pd.DataFrame:
    """The saved filter state and detection context of every track and artist."""
    return store.cursor().execute("SELECT * FROM alert_filter_state").df()


class StatusError(Exception):
    """A status change the user may not make (message is shown to them)."""


def set_status(store: Store, scope: Scope, alert_key: str, status: str | None) -> None:
    """Acknowledge or dismiss an alert (status None clears it), as the scope's user.

    Only managers and admins may change statuses, and only for alerts on artists of their
    labels. The change and its previous value go to the audit log in the same transaction.
    """
    if status is not None and status not in STATUSES:
        raise StatusError(f"unknown status {status!r}: use one of {', '.join(STATUSES)}")
    if scope.role not in STATUS_ROLES:
        raise StatusError("only managers and admins can change an alert's status")
    with store.transaction() as cur:
        row = cur.execute(
            "SELECT a.artist_id, (SELECT any_value(label) FROM catalog c "
            "WHERE c.artist_id = a.artist_id) FROM alerts a WHERE a.alert_key = ?",
            [alert_key],
        ).fetchone()
        if row is None or row[1] is None or not scope.allows(row[1]):
            raise StatusError("no such alert in your labels")
        before = cur.execute(
            "SELECT status, changed_by, changed_at FROM alert_status WHERE alert_key = ?",
            [alert_key],
        ).fetchone()
        cur.execute("DELETE FROM alert_status WHERE alert_key = ?", [alert_key])
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        if status is not None:
            cur.execute(
                "INSERT INTO alert_status VALUES (?, ?, ?, ?)",
                [alert_key, status, scope.username, now],
            )
        audit.record(
            cur,
            actor=scope.username,
            action="alert_status",
            entity="alert",
            entity_id=alert_key,
            before=None if before is None else {"status": before[0], "by": before[1]},
            after=None if status is None else {"status": status, "by": scope.username},
        )


def to_json(value: object) -> str:
    return json.dumps(value, default=str)
