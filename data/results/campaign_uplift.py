"""Batch reads and writes of the campaign uplift step (unscoped: it models every campaign).

The read builds the step's units: each campaign's targeted territory over its window
('treated'), the same territory over an equally long period just before ('pre'), and the
same track over the same window in the territories where it streams most and no campaign
ran ('geo', and 'geo_pre' over the period before). Each unit's streams come back per age band x gender x subscription, over the
window and over the lag period before it (up to LAG_DAYS)."""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd

from data.store import Store

LAG_DAYS = 200
MIN_LAG_DAYS = 7
GEO_CONTROLS = 3


def campaigns(store: Store) -> pd.DataFrame:
    """Every campaign with its track's label, artist, genre and release date."""
    return (
        store.cursor()
        .execute(
            "SELECT m.campaign_id, m.isrc, m.country, m.start_date, m.end_date, "
            "m.spend_usd::DOUBLE AS spend_usd, c.label, c.artist_id, c.genre, c.release_date "
            "FROM campaigns m JOIN catalog c USING (isrc) ORDER BY m.campaign_id"
        )
        .df()
    )


def fan_mix(store: Store) -> pd.DataFrame:
    """artist_id, label, profile, share: the Fan types feature's mix per artist and label."""
    return (
        store.cursor()
        .execute("SELECT artist_id, label, profile, share FROM fan_mix ORDER BY ALL")
        .df()
    )


def _date_range(store: Store) -> tuple[dt.date, dt.date] | None:
    row = store.cursor().execute("SELECT min(date), max(date) FROM trend_facts").fetchall()[0]
    return None if row[0] is None else (row[0], row[1])


def _track_countries(store: Store, isrcs: list[str]) -> pd.DataFrame:
    cur = store.cursor()
    cur.register("_uplift_isrcs", pd.DataFrame({"isrc": isrcs}))
    try:
        return cur.execute(
            "SELECT isrc, country, sum(streams)::DOUBLE AS streams FROM trend_facts "
            "WHERE isrc IN (SELECT isrc FROM _uplift_isrcs) GROUP BY ALL ORDER BY streams DESC"
        ).df()
    finally:
        cur.unregister("_uplift_isrcs")


def units(store: Store, camps: pd.DataFrame) -> pd.DataFrame:
    """campaign_id, role, isrc, country, lag_start, w_start, w_end: treated and control units
    (controls never overlap a campaign on the same track and territory). 'geo_pre' units are
    the 'geo' territories over the 'pre' period: the peers of the 'pre' unit."""
    span = _date_range(store)
    if span is None or camps.empty:
        return pd.DataFrame()
    first = pd.Timestamp(span[0])
    c = camps.assign(start=pd.to_datetime(camps.start_date), end=pd.to_datetime(camps.end_date))
    busy = {k: list(zip(g.start, g.end, strict=True)) for k, g in c.groupby(["isrc", "country"])}
    volume = _track_countries(store, sorted(c.isrc.unique()))
    top = {i: list(g.country) for i, g in volume.groupby("isrc", sort=False)}
    rows = []

    def add(cid, role, isrc, country, w_start, w_end, check):
        lag_start = max(first, w_start - pd.Timedelta(days=LAG_DAYS))
        if (w_start - lag_start).days < MIN_LAG_DAYS:
            return False
        if check and any(s <= w_end and e >= lag_start for s, e in busy.get((isrc, country), [])):
            return False
        rows.append((cid, role, isrc, country, lag_start, w_start, w_end))
        return True

    for r in c.itertuples():
        length = pd.Timedelta(days=(r.end - r.start).days + 1)
        if not add(r.campaign_id, "treated", r.isrc, r.country, r.start, r.end, False):
            continue
        before = (r.start - length, r.start - pd.Timedelta(days=1))
        has_pre = add(r.campaign_id, "pre", r.isrc, r.country, *before, False)
        n_geo = 0
        for country in top.get(r.isrc, []):
            if n_geo >= GEO_CONTROLS:
                break
            if country != r.country and add(r.campaign_id, "geo", r.isrc, country, r.start, r.end,
                                            True):  # fmt: skip
                n_geo += 1
                if has_pre:
                    add(r.campaign_id, "geo_pre", r.isrc, country, *before, True)
    out = pd.DataFrame(
        rows, columns=["campaign_id", "role", "isrc", "country", "lag_start", "w_start", "w_end"]
    )
    # A pre-period unit is a control only if no campaign on the track and territory touches it
    # other than the one it precedes.
    keep = [
        role != "pre"
        or sum(s <= w1 and e >= l0 for s, e in busy.get((i, k), [])) == 0
        for role, i, k, l0, w1 in zip(out.role, out.isrc, out.country, out.lag_start, out.w_end,
                                      strict=True)
    ]  # fmt: skip
    return out[keep].reset_index(drop=True)


def cells(store: Store, unit_frame: pd.DataFrame) -> pd.DataFrame:
    """Per unit x age band x gender x subscription: lag (streams over the lag period), lag7
    (its last 7 days), y (streams over the window), lag_days and days."""
    if unit_frame.empty:
        return pd.DataFrame()
    cur = store.cursor()
    cur.register("_uplift_units", unit_frame.reset_index(names="unit"))
    try:
        return cur.execute(
            "SELECT u.unit, u.campaign_id, u.role, u.isrc, u.country, "
            "f.age_band::VARCHAR AS age_band, f.gender::VARCHAR AS gender, "
            "f.subscription::VARCHAR AS subscription, "
            "coalesce(sum(f.streams) FILTER (WHERE f.date < u.w_start), 0)::DOUBLE AS lag, "
            "coalesce(sum(f.streams) FILTER (WHERE f.date < u.w_start "
            "  AND f.date >= u.w_start - INTERVAL 7 DAY), 0)::DOUBLE AS lag7, "
            "coalesce(sum(f.streams) FILTER (WHERE f.date >= u.w_start), 0)::DOUBLE AS y, "
            "any_value(date_diff('day', u.lag_start, u.w_start))::DOUBLE AS lag_days, "
            "any_value(date_diff('day', u.w_start, u.w_end) + 1)::DOUBLE AS days "
            "FROM _uplift_units u JOIN trend_facts f ON f.isrc = u.isrc AND f.country = u.country "
            "AND f.date BETWEEN u.lag_start AND u.w_end GROUP BY ALL ORDER BY ALL"
        ).df()
    finally:
        cur.unregister("_uplift_units")


def replace(cur: duckdb.DuckDBPyConnection, frame: pd.DataFrame) -> None:
    """Replace campaign_uplift with `frame` (inside the step's transaction)."""
    cur.execute("DELETE FROM campaign_uplift")
    if frame.empty:
        return
    cols = [r[0] for r in cur.execute("SELECT * FROM campaign_uplift LIMIT 0").description]
    cur.register("_campaign_uplift_frame", frame[cols])
    try:
        cur.execute("INSERT INTO campaign_uplift SELECT * FROM _campaign_uplift_frame")
    finally:
        cur.unregister("_campaign_uplift_frame")
