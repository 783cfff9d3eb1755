"""Batch reads and writes of the campaigns job (unscoped: the job models every campaign)."""

from __future__ import annotations

import duckdb
import pandas as pd

from analytics.campaigns.groups import CampaignGroup
from data.results import replace_table

RESULT_TABLES = ("campaign_lift", "campaign_lift_daily")


def campaigns(cur: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """campaign_id, isrc, country, platform, start_date, end_date, spend_usd, label_id,
    artist_id, genre: every campaign on a catalogue track."""
    return cur.execute(
        "SELECT m.campaign_id, m.isrc, m.country, m.platform::VARCHAR AS platform, "
        "m.start_date, m.end_date, m.spend_usd::DOUBLE AS spend_usd, c.label AS label_id, "
        "c.artist_id, coalesce(c.genre, 'unknown') AS genre FROM campaigns m "
        "JOIN catalog c USING (isrc) ORDER BY m.campaign_id"
    ).df()


def series(
    cur: duckdb.DuckDBPyConnection,
    groups: list[CampaignGroup],
    artist_of: dict[str, str],
    lookback_days: int,
) -> pd.DataFrame:
    """group_id, date, target, ctrl_track, ctrl_peer over each group's span: the track in the
    campaign's country, the same track in countries no campaign of it ever targeted, and the
    artist's other tracks in the country that no campaign there targeted."""
    cols = ["group_id", "date", "target", "ctrl_track", "ctrl_peer"]
    if not groups:
        return pd.DataFrame(columns=cols)
    spans = pd.DataFrame(
        {
            "group_id": [g.group_id for g in groups],
            "isrc": [g.isrc for g in groups],
            "country": [g.country for g in groups],
            "artist_id": [artist_of.get(g.isrc, "") for g in groups],
            "span_start": [g.span_start(lookback_days) for g in groups],
            "span_end": [g.end for g in groups],
        }
    )
    cur.register("_lift_spans", spans)
    try:
        own = cur.execute(
            """WITH touched AS (SELECT DISTINCT isrc, country FROM campaigns)
            SELECT s.group_id, a.date,
                   coalesce(sum(a.streams) FILTER (WHERE a.country = s.country), 0)::DOUBLE
                       AS target,
                   coalesce(sum(a.streams) FILTER (WHERE a.country <> s.country
                       AND t.isrc IS NULL), 0)::DOUBLE AS ctrl_track
            FROM _lift_spans s JOIN agg_daily a ON a.isrc = s.isrc
                 AND a.date BETWEEN s.span_start AND s.span_end
            LEFT JOIN touched t ON t.isrc = a.isrc AND t.country = a.country
            GROUP BY s.group_id, a.date"""
        ).df()
        peer = cur.execute(
            """WITH touched AS (SELECT DISTINCT isrc, country FROM campaigns)
            SELECT s.group_id, a.date, sum(a.streams)::DOUBLE AS ctrl_peer
            FROM _lift_spans s JOIN catalog k ON k.artist_id = s.artist_id AND k.isrc <> s.isrc
            JOIN agg_daily a ON a.isrc = k.isrc AND a.country = s.country
                 AND a.date BETWEEN s.span_start AND s.span_end
            LEFT JOIN touched t ON t.isrc = a.isrc AND t.country = a.country
            WHERE t.isrc IS NULL GROUP BY s.group_id, a.date"""
        ).df()
    finally:
        cur.unregister("_lift_spans")
    out = own.merge(peer, on=["group_id", "date"], how="outer").fillna(0.0)
    out["date"] = pd.to_datetime(out["date"])
    return out[cols].sort_values(["group_id", "date"], ignore_index=True)


def replace_results(
    cur: duckdb.DuckDBPyConnection, run_id: int, lift: pd.DataFrame, daily: pd.DataFrame
) -> None:
    """Replace both result tables (call inside the job's transaction)."""
    replace_table(cur, "campaign_lift", lift, run_id)
    replace_table(cur, "campaign_lift_daily", daily, run_id)
