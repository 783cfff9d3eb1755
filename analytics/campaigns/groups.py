"""Campaigns on one series (track x country) whose windows overlap are estimated together:
one window covering all of them, so no streams are counted twice."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd


@dataclass(frozen=True)
class CampaignGroup:
    """One estimation window on one series: a single campaign, or overlapping ones."""

    group_id: int
    isrc: str
    country: str
    campaign_ids: tuple[str, ...]
    starts: tuple[dt.date, ...]
    ends: tuple[dt.date, ...]
    spends: tuple[float, ...]

    @property
    def start(self) -> dt.date:
        return min(self.starts)

    @property
    def end(self) -> dt.date:
        return max(self.ends)

    @property
    def overlap(self) -> bool:
        return len(self.campaign_ids) > 1

    def span_start(self, lookback_days: int) -> dt.date:
        """First day read: the pre-period's look-back, and before it a placebo window of the
        same length with its own look-back (the placebo calibration)."""
        length = (self.end - self.start).days + 1
        return self.start - dt.timedelta(days=lookback_days + length)


def _day(value: object) -> dt.date:
    return pd.Timestamp(value).date()


def group_campaigns(campaigns: pd.DataFrame) -> list[CampaignGroup]:
    """Campaigns (campaign_id, isrc, country, start_date, end_date, spend_usd) grouped into
    estimation windows: per series, campaigns chained by overlapping days share a group."""
    groups: list[CampaignGroup] = []
    if campaigns.empty:
        return groups
    ordered = campaigns.assign(
        s_day=campaigns["start_date"].map(_day), e_day=campaigns["end_date"].map(_day)
    ).sort_values(["isrc", "country", "s_day", "campaign_id"])
    for (isrc, country), rows in ordered.groupby(["isrc", "country"], sort=False):
        current: list[tuple[str, dt.date, dt.date, float]] = []
        for r in rows.itertuples(index=False):
            item = (str(r.campaign_id), r.s_day, r.e_day, float(r.spend_usd))
            if current and r.s_day > max(c[2] for c in current):
                groups.append(_group(len(groups), isrc, country, current))
                current = []
            current.append(item)
        groups.append(_group(len(groups), isrc, country, current))
    return groups


def _group(
    gid: int, isrc: str, country: str, items: list[tuple[str, dt.date, dt.date, float]]
) -> CampaignGroup:
    ids, starts, ends, spends = zip(*items, strict=True)
    return CampaignGroup(gid, str(isrc), str(country), ids, starts, ends, spends)
