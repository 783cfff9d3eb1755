"""What the alerts job persists and reads: its input reads (unscoped: the job sees the whole
catalogue), the result writes, and the operator read of every alert.

Pages read the results through data/queries/alerts.py; alert statuses (acknowledged,
dismissed) are workflow state, in data/workflow/alerts.py.
"""

# Sums of streams fit BIGINT for any store the ingest bounds allow (docs/spec-bounds.md).

from __future__ import annotations

import datetime as dt

import duckdb
import numpy as np
import pandas as pd

from data.aggregates import countries_only
from data.store import Store


def has_trend_data(store: Store) -> bool:
    """True when the store has any daily streams to detect changes in."""
    return bool(store.cursor().execute("SELECT count(*) FROM agg_daily").fetchone()[0])


# The (track, day) cells data health flagged (see daily_streams): `hit`.
_FLAGGED_CELLS = (
    "WITH flagged AS (SELECT DISTINCT dsp, date FROM health_issues), "
    "fed AS (SELECT DISTINCT a.dsp, c.artist_id FROM agg_daily a "
    " JOIN catalog c USING (isrc) WHERE a.dsp IN (SELECT dsp FROM flagged)), "
    "hit AS (SELECT DISTINCT c.isrc, f.date FROM flagged f JOIN fed USING (dsp) "
    " JOIN catalog c USING (artist_id))"
)


def daily_streams(
    cur: duckdb.DuckDBPyConnection,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The job's daily inputs: streams per catalog track and day (isrc, date, streams),
    identified listeners' same-day replays (isrc, date, repeat: streams beyond one per
    listener) and the catalog (isrc, artist_id, label, censored): the model sums an
    artist's tracks per catalog label, one unit per (artist_id, label). `censored` marks
    chart-imported tracks (placeholder ISRCs): a chart lists a track only on its days in
    the top N, so the artist total is chain-linked over them instead of summed."""
    # Only catalog tracks: every result row is scoped by a label (the ingest already
    # refuses trend rows for an ISRC the catalog does not name).
    # Data health: a (dsp, day) the health job flagged (missing, partial, duplicated or late
    # delivery) is an artifact, not a market event. That day reads as missing (not as a drop
    # or spike) for every track of every artist that feed carries: an artist's total must
    # not mix complete and incomplete tracks.
    totals = cur.execute(
        f"{_FLAGGED_CELLS} SELECT a.isrc, a.date, sum(a.streams)::DOUBLE AS streams "
        "FROM agg_daily a ANTI JOIN hit h ON h.isrc = a.isrc AND h.date = a.date "
        "WHERE a.isrc IN (SELECT isrc FROM catalog) GROUP BY ALL"
    ).df()
    repeats = cur.execute(
        "SELECT isrc, date, (sum(streams) - count(DISTINCT listener_id))::DOUBLE AS repeat "
        "FROM trend_facts WHERE listener_id IS NOT NULL GROUP BY ALL"
    ).df()
    catalog = cur.execute(
        "SELECT isrc, artist_id, label, coalesce(isrc_placeholder, false) AS censored "
        "FROM catalog ORDER BY isrc"
    ).df()
    return totals, repeats, catalog


def chart_country_streams(cur: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Streams per chart-imported track, country and day (isrc, country, date, streams),
    the cells data health flagged left out as in daily_streams: a track listed on several
    countries' charts is chain-linked over them (analytics.alerts.series.chain_countries)."""
    return cur.execute(
        f"{_FLAGGED_CELLS} SELECT a.isrc, a.country, a.date, sum(a.streams)::DOUBLE AS streams "
        "FROM agg_daily a ANTI JOIN hit h ON h.isrc = a.isrc AND h.date = a.date "
        "WHERE a.isrc IN (SELECT isrc FROM catalog WHERE isrc_placeholder) GROUP BY ALL"
    ).df()


# A chart day lists at least this many tracks when the file is the whole chart (a top 200);
# a label's own extract lists a few, whose lowest is not the chart's cutoff.
FULL_CHART = 100


def chart_floors(cur: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Per chart-imported track and listed day (isrc, date, floor): the least streams it can
    have there, the sum of the cutoffs (lowest listed streams) of the charts (dsp, country,
    day) that list it, over the charts delivered whole (>= FULL_CHART tracks that day).
    A track listed only where the cutoff is unknown has no row."""
    return cur.execute(
        "WITH listed AS (SELECT a.dsp, a.country, a.date, a.isrc, sum(a.streams) AS s "
        " FROM agg_daily a JOIN catalog c USING (isrc) "
        " WHERE coalesce(c.isrc_placeholder, false) GROUP BY ALL), "
        "cut AS (SELECT dsp, country, date, min(s) AS cut FROM listed GROUP BY ALL "
        f" HAVING count(*) >= {FULL_CHART}) "
        "SELECT l.isrc, l.date, sum(cut.cut)::DOUBLE AS floor FROM listed l "
        "JOIN cut USING (dsp, country, date) GROUP BY ALL"
    ).df()


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
            # worldwide chart rows repeat the countries' streams (data/aggregates.py)
            f"WHERE {countries_only('t.')} "
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


def slice_days(cur: duckdb.DuckDBPyConnection, windows: pd.DataFrame) -> pd.DataFrame:
    """Per alert key and day, the streams its cause playlist sent the track in [lo, hi]:
    key, date, streams; days the playlist sent nothing have no row.

    windows: key, isrc, playlist_id, lo, hi."""
    if windows.empty:
        return pd.DataFrame(columns=["key", "date", "streams"])
    cur.register("slice_windows", windows)
    try:
        df = cur.execute(
            "SELECT w.key, t.date, sum(t.streams)::DOUBLE AS streams FROM trend_facts t "
            "JOIN slice_windows w ON t.isrc = w.isrc AND t.date BETWEEN w.lo AND w.hi "
            f"AND t.playlist_id = w.playlist_id WHERE {countries_only('t.')} "
            "GROUP BY ALL ORDER BY ALL"
        ).df()
    finally:
        cur.unregister("slice_windows")
    df["date"] = pd.to_datetime(df.date)
    return df


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


def listener_tracks(cur: duckdb.DuckDBPyConnection) -> list[str]:
    """The tracks with identified listener rows (in a country), in isrc order."""
    return [
        r[0]
        for r in cur.execute(
            "SELECT DISTINCT isrc FROM trend_facts WHERE listener_id IS NOT NULL "
            f"AND {countries_only()} ORDER BY isrc"
        ).fetchall()
    ]


def sample_listeners(
    cur: duckdb.DuckDBPyConnection, lo: dt.date, hi: dt.date, tracks: int, seed: int = 0
) -> pd.DataFrame:
    """Identified listener rows (key = isrc) of up to `tracks` tracks in [lo, hi]."""
    ids = listener_tracks(cur)
    if not ids:
        return pd.DataFrame(columns=["key", "listener_id", "date", "source"])
    rng = np.random.default_rng(seed)
    chosen = sorted(rng.choice(ids, size=min(tracks, len(ids)), replace=False))
    windows = pd.DataFrame({"key": chosen, "isrc": chosen, "lo": lo, "hi": hi})
    return window_listeners(cur, windows)


class JobReads:
    """The reads the alerts model makes once it knows what it needs (see
    analytics.alerts.Reads): the benchmark sample and the alerts' windows."""

    def __init__(self, cur: duckdb.DuckDBPyConnection) -> None:
        self.cur = cur

    def benchmark_listeners(self, lo: dt.date, hi: dt.date, tracks: int) -> pd.DataFrame:
        return sample_listeners(self.cur, lo, hi, tracks)

    def windows(
        self, windows: pd.DataFrame, growth_windows: pd.DataFrame
    ) -> tuple[pd.DataFrame, pd.Series, pd.DataFrame]:
        rows, before_days = window_rows(self.cur, windows)
        return rows, before_days, window_listeners(self.cur, growth_windows)

    def slices(self, windows: pd.DataFrame) -> pd.DataFrame:
        return slice_days(self.cur, windows)


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
        "INSERT OR IGNORE INTO alerts SELECT alert_key, subject, isrc, artist_id, label, kind, "
        "event_date, detected_on, probability, observed, expected, excess, cause, "
        "cause_dimension, cause_value, attribution::JSON, growth::JSON, opportunity, goal, "
        "reason FROM frame",
        alerts,
    )
    _insert(
        cur,
        "INSERT INTO alert_bands SELECT subject, subject_id, label, date, observed, expected, "
        "lo80, hi80, lo95, hi95, is_forecast FROM frame",
        bands,
    )
    _insert(
        cur,
        "INSERT INTO alert_filter_state SELECT subject, subject_id, label, through, obs_var, "
        "state, cov, start_date, seen, monitored, run, armed, last_spike, last_drop, steps "
        "FROM frame",
        state,
    )


def event_inputs(cur: duckdb.DuckDBPyConnection) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every saved alert (the earlier runs' too after an online run) and the catalog
    (isrc, artist_id, artist_name, label, release_date): what the events are grouped from."""
    alerts = cur.execute(
        "SELECT alert_key, subject, isrc, artist_id, label, kind, event_date, probability, "
        "observed, expected, cause FROM alerts ORDER BY alert_key"
    ).df()
    catalog = cur.execute(
        "SELECT isrc, artist_id, artist_name, label, release_date FROM catalog ORDER BY isrc"
    ).df()
    return alerts, catalog


def active_artists(cur: duckdb.DuckDBPyConnection) -> pd.Series:
    """Artists with streams per day (index: day): the base of a catalogue-wide move's share
    (a chart lists about a fifth of its year's artists on any one day)."""
    df = cur.execute(
        "SELECT date, count(DISTINCT artist_id) AS n FROM roll_artist_day GROUP BY date"
    ).df()
    return pd.Series(df.n.to_numpy(dtype=float), index=pd.to_datetime(df.date))


def replace_events(
    cur: duckdb.DuckDBPyConnection, events: pd.DataFrame, members: pd.DataFrame
) -> None:
    """Replace the grouped events (inside the job's transaction, after the alerts)."""
    cur.execute("DELETE FROM alert_event_members")
    cur.execute("DELETE FROM alert_events")
    _insert(
        cur,
        "INSERT INTO alert_events SELECT event_id, scope, subject, artist_id, label, date, "
        "kind, tracks::VARCHAR[], alerts, artists, effect, cause, why FROM frame",
        events,
    )
    _insert(cur, "INSERT INTO alert_event_members SELECT event_id, alert_key FROM frame", members)


def read_events(store: Store, since: dt.date | None = None) -> pd.DataFrame:
    """Every saved event (unscoped operator access, for the CLI), newest first, then the
    most alerts."""
    sql = "SELECT * FROM alert_events"
    params: list = []
    if since is not None:
        sql += " WHERE date >= ?"
        params.append(since)
    return store.cursor().execute(sql + " ORDER BY date DESC, alerts DESC, event_id", params).df()


def count_alerts(cur: duckdb.DuckDBPyConnection) -> int:
    """How many alerts are saved (after an online run: the earlier ones too)."""
    return int(cur.execute("SELECT count(*) FROM alerts").fetchone()[0])


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
    from data.state import joined

    return joined.read_df(
        store,
        sql + " ORDER BY a.event_date DESC, a.probability DESC, a.alert_key",
        params,
        ("alert_status",),
    )


def read_filter_state(store: Store) -> pd.DataFrame:
    """The saved filter state and detection context of every track and artist unit."""
    rows = store.cursor().execute("SELECT * FROM alert_filter_state").df()
    # The level-shift memory marks a day without an observation NaN. DuckDB stores a NaN in
    # a DOUBLE[] written from pandas as NULL and returns it masked, whose plain value is 0.0:
    # an observation of log(1 + 0), which an online run read as a collapse of the recent
    # days (spurious spikes on young tracks). Give the NaN back.
    rows["steps"] = [
        np.ma.filled(np.ma.asarray(v, dtype=float), np.nan)
        if isinstance(v, np.ndarray | list)
        else v
        for v in rows["steps"]  # (NULL: a row saved before the monitor, a full run)
    ]
    return rows
