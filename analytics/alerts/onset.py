"""A track's rapid change dated on the slice of streams that made it.

On a track's total, the day a moderate step starts is the best split of noisy days: the
slice that changed (one playlist taking the track) is mixed with everything else, and a
+20 % step can split 2 or 3 days off. When the attribution names a playlist that carries
most of the change, that playlist's own streams show the same step several times larger
against their noise (a playlist sends no streams before it takes the track), so its first
day is where the playlist's level changes: the day it started (or stopped) sending
streams, as its curator would date it. Only playlists: a source (search, radio) runs
under every track all the time, and its split is no sharper for a pulse that fades (a
viral moment) than the total's tail day, which is exact.

Only the date moves, and only when the slice shows a clear step: within SEARCH_DAYS of
the total's date (as far as the total's split can be off: steps.EARLY_DAYS), never after
the day the alert was decided (a date the data had not shown then is not known).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analytics.alerts.steps import EARLY_DAYS

SEARCH_DAYS = EARLY_DAYS
SIDE_DAYS = 7  # days each side of a candidate split whose levels are compared
MIN_T = 4.0  # the slice's step must stand out this clearly (two-sample t) to move a date
# A playlist that carries this share of the track's streams in the window is the total
# again (a track that lives on one playlist): nothing sharper to date on.
MAX_SHARE = 0.8
RAPID = ("spike", "drop")


def slice_windows(alerts: pd.DataFrame) -> pd.DataFrame:
    """The days to read per track alert that can be redated (a spike or drop its attribution
    puts on a playlist): key, isrc, playlist_id, lo, hi (dates). alerts: alert_key,
    subject, isrc, kind, event_date, detected_on, cause_dimension, cause_value."""
    a = alerts[
        (alerts.subject == "track")
        & alerts.kind.isin(RAPID)
        & (alerts.cause_dimension == "playlist_id")
        & alerts.cause_value.notna()
    ]
    onset = pd.to_datetime(a.event_date).reset_index(drop=True)
    decided = pd.to_datetime(a.detected_on).reset_index(drop=True)
    hi = onset + pd.Timedelta(days=SEARCH_DAYS + SIDE_DAYS - 1)
    hi = hi.where(hi <= decided, decided)
    return pd.DataFrame(
        {
            "key": a.alert_key.to_numpy(),
            "isrc": a.isrc.to_numpy(),
            "playlist_id": a.cause_value.astype(str).to_numpy(),
            "lo": (onset - pd.Timedelta(days=SEARCH_DAYS + SIDE_DAYS)).dt.date.to_numpy(),
            "hi": hi.dt.date.to_numpy(),
        }
    )


def slice_onset(
    days: pd.DatetimeIndex,
    streams: np.ndarray,
    onset: pd.Timestamp,
    decided: pd.Timestamp,
    up: bool,
) -> pd.Timestamp | None:
    """The first day of the slice's step the change's way, searched within SEARCH_DAYS of
    `onset` and not after `decided`; None when no split stands out (t < MIN_T).

    days: the days the track has data (ascending); streams: the slice's streams on them
    (0 where the slice sent none)."""
    y = np.log1p(np.asarray(streams, dtype=float))
    best, best_t = None, MIN_T
    for c in range(len(days)):
        day = days[c]
        if abs((day - onset).days) > SEARCH_DAYS or day > decided:
            continue
        before = y[(days < day) & (days >= day - pd.Timedelta(days=SIDE_DAYS))]
        after = y[(days >= day) & (days < day + pd.Timedelta(days=SIDE_DAYS)) & (days <= decided)]
        if len(before) < 3 or len(after) < 2:
            continue
        move = after.mean() - before.mean()
        resid = np.concatenate([before - before.mean(), after - after.mean()])
        var = resid @ resid / max(len(resid) - 2, 1)
        se = np.sqrt(max(var, 1e-12) * (1 / len(before) + 1 / len(after)))
        t = (move if up else -move) / se
        # ties go to the day nearer the total's date
        if t > best_t or (t == best_t and best is not None and _nearer(day, best, onset)):
            best, best_t = day, t
    return best


def _nearer(day: pd.Timestamp, other: pd.Timestamp, onset: pd.Timestamp) -> bool:
    return abs((day - onset).days) < abs((other - onset).days)


def redate(alerts: pd.DataFrame, slices: pd.DataFrame) -> pd.DataFrame:
    """The alerts with each playlist spike / drop dated on its playlist's step
    (slice_onset), and its observed streams read on the new day; other alerts unchanged. A
    playlist holding MAX_SHARE or more of the track's streams on those days keeps the
    total's date.

    slices: key, date, streams, observed: per day the track has data, the playlist's
    streams (0 when it sent none) and the track's (the detection series' value)."""
    if slices.empty:
        return alerts
    out = alerts.copy()
    by_key = {k: g.sort_values("date") for k, g in slices.groupby("key")}
    for i, a in zip(out.index, out.itertuples(), strict=True):
        g = by_key.get(a.alert_key)
        if g is None or g.streams.sum() >= MAX_SHARE * g.observed.sum():
            continue
        onset = pd.Timestamp(a.event_date)
        days = pd.DatetimeIndex(g.date)
        day = slice_onset(
            days, g.streams.to_numpy(), onset, pd.Timestamp(a.detected_on), up=a.kind == "spike"
        )
        if day is None or day == onset:
            continue
        out.loc[i, "event_date"] = day.date()
        out.loc[i, "observed"] = float(g.observed.to_numpy()[days.get_loc(day)])
    return out
