"""Features of the global model, computed for every (series, origin day) at once.

Everything is relative to the series' own recent level (log of the 7-day mean), so one
model serves a track of 50 streams a day and one of 5 million: the target is the log ratio
of a future day's streams to that level.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analytics.forecast.ets import Smoothed, smooth
from analytics.forecast.panel import Panel

# Order of the model's input columns; the last three are categorical codes.
COLUMNS = (
    "horizon",
    "log_horizon",
    "dow",
    "age",
    "log_level",
    "recent_vs_month",
    "last_vs_week",
    "week_on_week",
    "known_days_28",
    "active_share",
    "share_of_artist",
    "artist_level",
    "ets_vs_level",
    "own_weekday",
    "artist",
    "genre",
    "label",
)
CATEGORICAL = ("artist", "genre", "label")


@dataclass(frozen=True)
class OriginStats:
    """Per (series, day) statistics of what was known on that day; (n_series, n_days)."""

    level: np.ndarray  # the anchor every target is relative to (log1p streams, see below)
    month: np.ndarray  # log1p of the 28-day mean
    last: np.ndarray  # log1p of the day itself
    known28: np.ndarray  # known days among the last 28
    active_share: np.ndarray  # active / all streams over the last 28 days
    age: np.ndarray  # days since the series' first known day (0 on that day)
    codes: np.ndarray  # (n_series, 3) artist, genre, label codes
    week: np.ndarray  # log1p of the 7-day mean of known days
    ets: Smoothed  # damped-trend smoothing of `week`: the per-series statistical forecast
    weekday: np.ndarray  # the day's weekday effect in the series' own last 4 weeks (log)


ANCHORS = ("week", "last")


def origin_stats(panel: Panel, anchor: str = "week") -> OriginStats:
    """`anchor` "week": the level is the 7-day mean of known days; "last": the last known
    day within the week, carried forward over unknown (censored) days, as exponential
    smoothing carries its level."""
    if anchor not in ANCHORS:
        raise ValueError(f"unknown anchor {anchor!r}: choose one of {', '.join(ANCHORS)}")
    y = pd.DataFrame(panel.streams.T)
    a = pd.DataFrame(panel.active.T)
    m7 = y.rolling(7, min_periods=1).mean().to_numpy().T
    m28 = y.rolling(28, min_periods=1).mean().to_numpy().T
    s28 = y.rolling(28, min_periods=1).sum().to_numpy().T
    a28 = a.rolling(28, min_periods=1).sum().to_numpy().T
    known = (~np.isnan(panel.streams)).astype(float)
    known28 = pd.DataFrame(known.T).rolling(28, min_periods=1).sum().to_numpy().T
    first = np.where(known.any(axis=1), known.argmax(axis=1), panel.streams.shape[1])
    age = np.arange(panel.streams.shape[1])[None, :] - first[:, None]
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(s28 > 0, a28 / s28, np.nan)
    codes = np.column_stack(
        [pd.factorize(panel.series[c])[0] for c in ("artist_id", "genre", "label")]
    )
    week = np.log1p(m7)
    level = week
    # Each series' own weekday pattern (a track's weekend share depends on its countries and
    # listeners): the mean log streams of this weekday over 4 weeks against the 28 days'.
    logy = pd.DataFrame(np.log1p(panel.streams).T)
    count = sum((~logy.shift(7 * j).isna()).astype(float) for j in range(4))
    same_day = sum(logy.shift(7 * j).fillna(0.0) for j in range(4)) / count.replace(0.0, np.nan)
    weekday = (same_day - logy.rolling(28, min_periods=1).mean()).to_numpy().T
    if anchor == "last":
        carried = pd.DataFrame(np.log1p(panel.streams).T).ffill(limit=6).to_numpy().T
        level = np.where(np.isnan(week), np.nan, carried)
    return OriginStats(
        level,
        np.log1p(m28),
        np.log1p(panel.streams),
        known28,
        share,
        age,
        codes,
        week,
        smooth(week),
        weekday,
    )


def design(
    panel: Panel, st: OriginStats, rows: np.ndarray, origins: np.ndarray, horizons: np.ndarray
) -> np.ndarray:
    """The model matrix for (series row, origin day, horizon) triples (1-D arrays)."""
    r, t, h = rows, origins, horizons
    level = st.level[r, t]
    prev = st.level[r, np.maximum(t - 7, 0)]
    art = panel.artist_row[r]
    target_day = panel.dates[0].day_of_week + t + h
    cols = [
        h,
        np.log(h),
        target_day % 7,
        st.age[r, t],
        level,
        st.level[r, t] - st.month[r, t],
        st.last[r, t] - st.week[r, t],
        np.where(st.age[r, t] >= 7, level - prev, np.nan),
        st.known28[r, t],
        st.active_share[r, t],
        level - st.level[art, t],
        st.level[art, t],
        st.ets.forecast(r, t, h) - level,
        # the target's weekday as last seen: the latest origin-or-earlier day that shares it
        st.weekday[r, np.maximum(t - (-h) % 7, 0)],
        st.codes[r, 0],
        st.codes[r, 1],
        st.codes[r, 2],
    ]
    return np.column_stack([np.asarray(c, dtype=float) for c in cols])
