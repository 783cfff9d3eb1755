"""The passes of alert grouping whose events span artists (events.py, passes 0 and 1): a
day's new entries with their first week, and catalogue-wide moves. Each gives, per alert,
the key of the event it belongs to, or None."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from analytics.alerts.events import GroupConfig


def catalogue_keys(a: pd.DataFrame, active: pd.Series, config: GroupConfig) -> pd.Series:
    """Per alert: the catalogue event key it belongs to, or None. `active`: per alert, the
    number of the catalogue's artists with streams on its day."""
    share = np.ceil(config.catalogue_min_share * active.to_numpy(dtype=float))
    need = np.maximum(config.catalogue_min_artists, share)
    counts = a.groupby(["event_date", "direction"]).artist_id.transform("nunique")
    key = a.event_date.dt.strftime("%Y-%m-%d") + "|" + a.direction
    return key.where(counts >= need)


def entry_keys(a: pd.DataFrame, config: GroupConfig) -> pd.Series:
    """Per alert: its day's new-entries key when it is a `release` alert of an artist unit
    with no other kind of alert that day (one new track or an album), and that day's such
    alerts span at least entries_min_artists artists; or when it is a later alert of a
    track that entered that way, within release_window_days of its entry (its release
    week); else None."""
    day = a.event_date.dt.strftime("%Y-%m-%d")
    unit = a.artist_id.astype(str) + "\x00" + a.label.astype(str) + "\x00" + day
    other = a.kind != "release"
    release = ~other & ~unit.isin(set(unit[other]))  # no more news of the artist that day
    artists = a[release].groupby(day[release]).artist_id.nunique()
    many = day.map(artists).fillna(0) >= config.entries_min_artists
    key = day.where(release & many)
    # An entered track's alerts of the days after, and those of an artist total that
    # entered with it (its own `release` alert in the row): the first week's moves
    # (climbing after entering, settling) are the entry's story, as an album's are its
    # release event's. Each joins the latest entry of its track (artist total) before it.
    owner = a.isrc.where(a.isrc.notna(), a.artist_id.astype(str) + "\x00" + a.label.astype(str))
    entered = key.notna()
    entries = pd.DataFrame({"owner": owner[entered], "since": a.event_date[entered]})
    later = pd.DataFrame({"owner": owner, "date": a.event_date, "pos": np.arange(len(a))})
    later = later[~entered.to_numpy()].sort_values("date")
    found = pd.merge_asof(
        later,
        entries.sort_values("since"),
        left_on="date",
        right_on="since",
        by="owner",
        allow_exact_matches=False,
    )
    age = (found.date - found.since).dt.days
    week = found[age <= config.release_window_days]
    key.iloc[week.pos.to_numpy()] = week.since.dt.strftime("%Y-%m-%d").to_numpy()
    return key
