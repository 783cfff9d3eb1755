"""Grouped alert events: co-occurring alerts shown as one row of the feed.

A label manager reads "the artist jumped on Friday, with 112 of its tracks", not 113 rows.
Alerts are grouped in four passes:

0. New entries: the `release` alerts of one day (tracks coming out, or entering a chart:
   on chart data a track's first listed day is its release) of artists with no other
   alert that day, when they span at least `entries_min_artists` artists, are one "New
   entries" event listing the tracks: a new-release Friday, albums and singles, is one
   row, not one per artist. The entered tracks' alerts of the next `release_window_days`
   (a track climbing or settling in its first week) are part of it, as an album's first
   week is part of its release event. An artist whose release comes with other moves that
   day (its older tracks jumping), or who releases alone on a day, keeps its own release
   event (pass 3).
1. Catalogue-wide move: on one day, many artists (at least `catalogue_min_artists` and
   `catalogue_min_share` of the artists with streams that day) move in the same direction. All those
   alerts are one event whose subject is "Catalogue": a market-wide day (a holiday, a
   platform change), not news about any one artist.
   Its kind is that of its largest move.
2. Artist event: the remaining alerts of one artist unit (artist on one label) on the same
   day, and alerts of the same kind one day apart (a track can cross the threshold a day
   after its artist), are one event. The artist-level alert and its tracks' alerts on that
   day are one event. So are the alerts of the tracks of one release (same unit, same
   release date) within `release_window_days` of the release: an album's first week
   (release-day jumps, then the tracks settling) is one story.
3. Release: an artist event whose tracks all came out together (one release date, the
   event starting within `release_window_days` of it), or that holds a `release` alert,
   is named after the release.

Kinds are treated generically: a kind this module does not know is "up" or "down" by the
sign of observed minus expected. Event ids are derived from the event's content (subject,
kind or direction, date), so a re-run over the same alerts gives the same ids.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analytics.alerts.event_text import entry_summary, why
from analytics.alerts.event_wide import catalogue_keys, entry_keys

UP_KINDS = frozenset({"spike", "growth", "release"})
OTHER_WAY = ("spike", "drop")  # the kinds whose observed / expected is a move
DOWN_KINDS = frozenset({"drop", "decline"})
CATALOGUE = "Catalogue"
ENTRIES = "New entries"
WIDE_SCOPES = ("catalogue", "entries")  # events that span artists and labels

ALERT_COLUMNS = (
    "alert_key",
    "subject",
    "isrc",
    "artist_id",
    "label",
    "kind",
    "event_date",
    "probability",
    "observed",
    "expected",
    "cause",
)
EVENT_COLUMNS = [
    "event_id",
    "scope",  # catalogue | entries | artist | release
    "subject",  # "Catalogue", "New entries", the artist's name, or the release's name
    "artist_id",  # None for a catalogue-wide or new-entries event
    "label",  # the artist unit's label; None for a catalogue-wide or new-entries event
    "date",
    "kind",
    "tracks",  # sorted ISRCs of the event's track alerts
    "alerts",
    "artists",
    "effect",  # its largest spike's or drop's move the event's way (0.31 = +31 %), or NaN
    "cause",  # the cause of that alert
    "why",
]


@dataclass(frozen=True)
class GroupConfig:
    kind_gap_days: int = 1  # same-kind alerts this many days apart join one event
    catalogue_min_artists: int = 5
    catalogue_min_share: float = 0.02  # of the day's artists with streams, same direction
    release_window_days: int = 7  # an event this soon after its tracks' release date
    # an artist's moves in one direction this close are one story (a release week: the
    # release, then its tracks jumping over the next days)
    direction_gap_days: int = 2
    entries_min_artists: int = 2  # release alerts of this many artists on a day: one event
    # An artist's follow-up moves within this many days of a story's first day are that
    # story (a spike and the fall back, a drop and its continuation); 0 turns stories off.
    story_days: int = 14


def event_id(*parts: object) -> str:
    """A stable id from an event's content (the same subject, kind and day: the same id)."""
    text = "|".join("" if p is None else str(p) for p in parts)
    return "ev_" + hashlib.sha1(text.encode()).hexdigest()[:16]


def direction(kind: str, observed: float, expected: float) -> str:
    if kind in UP_KINDS:
        return "up"
    if kind in DOWN_KINDS:
        return "down"
    return "up" if observed >= expected else "down"


def effect(observed: pd.Series, expected: pd.Series) -> pd.Series:
    """Relative move of an alert's day over its forecast (+0.31 = 31 % above)."""
    return (observed + 1.0) / (expected + 1.0) - 1.0


class _Union:
    """Union-find over row positions."""

    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def join(self, i: int, j: int) -> None:
        a, b = self.find(i), self.find(j)
        if a != b:
            self.parent[max(a, b)] = min(a, b)


def _prepare(alerts: pd.DataFrame) -> pd.DataFrame:
    a = alerts[list(ALERT_COLUMNS)].copy()
    a["event_date"] = pd.to_datetime(a.event_date).dt.normalize()
    a["effect"] = effect(a.observed.astype(float), a.expected.astype(float))
    a["size"] = np.log1p(a.effect.clip(lower=-0.999999)).abs()
    a["direction"] = [
        direction(k, o, e) for k, o, e in zip(a.kind, a.observed, a.expected, strict=True)
    ]
    a["is_artist"] = a.isrc.isna()
    return a.reset_index(drop=True)


def _release_keys(a: pd.DataFrame, catalog: pd.DataFrame, config: GroupConfig) -> pd.Series:
    """Per track alert: its release (unit and release date) when the alert starts within
    release_window_days of the track's release, else None."""
    released = pd.to_datetime(catalog.release_date.reindex(a.isrc.to_numpy())).to_numpy()
    age = (a.event_date.to_numpy() - released).astype("timedelta64[D]").astype(float)
    fresh = a.isrc.notna().to_numpy() & (age >= 0) & (age <= config.release_window_days)
    key = a.artist_id.astype(str) + "\x00" + a.label.astype(str) + "\x00"
    key = key + pd.Series(released, index=a.index).dt.strftime("%Y-%m-%d")
    return key.where(fresh)


def _join_runs(
    uf: _Union, a: pd.DataFrame, unit: pd.Series, col: str, days: int, launch: np.ndarray
) -> None:
    """Join alerts of one unit with the same `col` value at most `days` days apart; a run
    does not reach into a later launch day (see _artist_groups)."""
    order = a.assign(unit=unit).sort_values(["unit", col, "event_date"]).index.to_numpy()
    same = (unit[order].to_numpy()[1:] == unit[order].to_numpy()[:-1]) & (
        a[col][order].to_numpy()[1:] == a[col][order].to_numpy()[:-1]
    )
    gap = np.diff(a.event_date[order].to_numpy()).astype("timedelta64[D]").astype(int)
    into_launch = launch[order[1:]] & (gap > 0)
    for k in np.flatnonzero(same & (gap <= days) & ~into_launch):
        uf.join(order[k], order[k + 1])


def _artist_groups(a: pd.DataFrame, catalog: pd.DataFrame, config: GroupConfig) -> np.ndarray:
    """Component number per alert within artist units: same day, same kind within
    kind_gap_days, or tracks of one release in its first release_window_days."""
    uf = _Union(len(a))
    unit = a.artist_id.astype(str) + "\x00" + a.label.astype(str)
    # A launch day: the unit has a `release` alert that day (a new release, or entering a
    # chart). It is news of its own: the days just before it (an earlier release's week,
    # a run of moves) are not joined into it, so its row is dated on it.
    day_key = unit + "\x00" + a.event_date.dt.strftime("%Y-%m-%d")
    launch = day_key.isin(set(day_key[a.kind == "release"])).to_numpy()
    releases = _release_keys(a, catalog, config)
    released = releases.str[-10:]
    own = a.event_date.dt.strftime("%Y-%m-%d") == released
    releases = releases.where(~launch | own)  # an earlier release's track on a launch day
    for _, idx in a[releases.notna()].groupby(releases.dropna()).indices.items():
        pos = a.index[releases.notna()].to_numpy()[idx]
        for j in pos[1:]:
            uf.join(pos[0], j)
    for _, idx in a.groupby([unit, a.event_date]).indices.items():
        for j in idx[1:]:
            uf.join(idx[0], j)
    for col, days in (("kind", config.kind_gap_days), ("direction", config.direction_gap_days)):
        _join_runs(uf, a, unit, col, days, launch)
    comp = np.array([uf.find(i) for i in range(len(a))])
    if config.story_days > 0:
        _join_stories(uf, a, unit, comp, releases.notna(), config.story_days)
        comp = np.array([uf.find(i) for i in range(len(a))])
    return comp


def _join_stories(
    uf: _Union, a: pd.DataFrame, unit: pd.Series, comp: np.ndarray, fresh: pd.Series, days: int
) -> None:
    """Join an artist unit's later events into the story the unit's earlier event opened:
    one that starts within `days` of the story's first day and moves less than the story's
    opening move (the fall back after a spike, a drop's continuation) is part of it. A
    release (a `release` alert or its tracks' first week) always opens its own story, and so
    does a move larger than the opener's: news in its own right keeps its own row and day."""
    g = (
        a.assign(comp=comp, unit=unit, news=(a.kind == "release") | fresh)
        .groupby("comp")
        .agg(
            unit=("unit", "first"),
            start=("event_date", "min"),
            size=("size", "max"),
            news=("news", "any"),
        )
        .sort_values(["unit", "start"])
    )
    opener, opened, top, current = None, None, 0.0, None
    for c, r in zip(g.index, g.itertuples(), strict=True):
        new_unit = r.unit != current
        current = r.unit
        late = opened is None or (r.start - opened).days > days
        if new_unit or late or r.news or r.size > top:
            opener, opened, top = c, r.start, r.size
            continue
        uf.join(int(opener), int(c))


def _first_per_group(a: pd.DataFrame, by: list[str], ascending: list[bool]) -> pd.DataFrame:
    """One alert per group `g`: the first in this order (ties: the alert key)."""
    ranked = a.sort_values(["g", *by, "alert_key"], ascending=[True, *ascending, True])
    return ranked.drop_duplicates("g").set_index("g")


def _release_dates(a: pd.DataFrame, catalog: pd.DataFrame, config: GroupConfig) -> pd.Series:
    """Per group: the release date when the event is one release coming out (its tracks
    share one release date and it starts within release_window_days of it, or it holds a
    `release` alert), else NaT."""
    released = pd.to_datetime(catalog.release_date.reindex(a.isrc.to_numpy())).to_numpy()
    r = a.assign(released=released, is_release=a.kind == "release").groupby("g")
    one = r.released.nunique() == 1
    first, start = r.released.min(), r.event_date.min()
    age = (start - first).dt.days
    fresh = one & (age >= 0) & (age <= config.release_window_days)
    return first.where(fresh, start.where(r.is_release.any()))


def _events(a: pd.DataFrame, catalog: pd.DataFrame, config: GroupConfig) -> pd.DataFrame:
    """One row per group `g` of alerts (EVENT_COLUMNS), computed for all groups at once."""
    names = catalog.groupby(["artist_id", "label"]).artist_name.first().to_dict()
    # Named after its first day (a story's opening move, not its fall back a week later).
    a = a.assign(first_day=a.event_date == a.groupby("g").event_date.transform("min"))
    rep = _first_per_group(
        a, ["first_day", "is_artist", "size", "probability"], [False, False, False, False]
    )
    big = _first_per_group(a, ["size"], [False])
    # The move a row shows ("largest move"): its largest one-day or step move the event's
    # way. A growth or decline alert's day sits on the filter's own trend (its observed over
    # expected is noise of either sign: "started a sustained fall (largest move +1%)") and a
    # release has no level before it: neither is a move.
    moves = {k: _first_per_group(a[a.kind == k], ["size"], [False]).effect for k in OTHER_WAY}
    by = a.groupby("g")
    start = by.event_date.min()
    tracks = a[a.isrc.notna()].drop_duplicates(["g", "isrc"]).sort_values("isrc").groupby("g").isrc
    out = pd.DataFrame(
        {
            "date": start,
            "alerts": by.size(),
            "artists": by.artist_id.nunique(),
            "has_artist": by.is_artist.any(),
            "tracks": tracks.agg(list).reindex(start.index),
            "released": _release_dates(a, catalog, config),
            "wide": by.wide.first(),
            "entry": by.entry.first(),
        }
    )
    out["tracks"] = [t if isinstance(t, list) else [] for t in out.tracks]
    entries = a[a.entry.notna()]
    named = pd.Series(
        [names.get(k, k[0]) for k in zip(entries.artist_id, entries.label, strict=True)],
        index=entries.index,
        dtype=object,
    )
    summaries = {
        g: entry_summary(named[rows.index], rows.isrc, rows.event_date)
        for g, rows in entries.groupby("g")
    }
    rows = []
    rep, big = rep.reindex(out.index), big.reindex(out.index)
    for e, r, b in zip(out.itertuples(), rep.itertuples(), big.itertuples(), strict=True):
        day = e.date.strftime("%Y-%m-%d")
        released = None if pd.isna(e.released) else e.released.date()
        if isinstance(e.entry, str):
            scope, kind, subject = "entries", "release", ENTRIES
            eid = event_id("entries", day)
        elif isinstance(e.wide, str):
            scope, kind, subject = "catalogue", b.kind, CATALOGUE
            eid = event_id("catalogue", e.wide.split("|")[1], day)
        else:
            scope = "artist" if released is None else "release"
            kind, name = r.kind, names.get((r.artist_id, r.label), r.artist_id)
            subject = name if released is None else f"{name}: release of {released}"
            eid = event_id(scope, r.artist_id, r.label, kind, day)
        catalogue = scope in WIDE_SCOPES
        cause = b.cause if isinstance(b.cause, str) else None
        src = b if catalogue else r
        way = "spike" if direction(kind, src.observed, src.expected) == "up" else "drop"
        move = float(moves[way].get(e.Index, np.nan))
        rows.append(
            {
                "event_id": eid,
                "scope": scope,
                "subject": subject,
                "artist_id": None if catalogue else r.artist_id,
                "label": None if catalogue else r.label,
                "date": e.date.date(),
                "kind": kind,
                "tracks": e.tracks,
                "alerts": int(e.alerts),
                "artists": int(e.artists),
                "effect": move,
                "cause": cause,
                "why": why(
                    scope,
                    kind,
                    int(e.alerts),
                    len(e.tracks),
                    int(e.artists),
                    move,
                    cause,
                    bool(e.has_artist),
                    released,
                    summaries.get(e.Index),
                ),
            }
        )
    return pd.DataFrame(rows, columns=EVENT_COLUMNS).set_index(out.index)


def group_events(
    alerts: pd.DataFrame,
    catalog: pd.DataFrame,
    config: GroupConfig | None = None,
    active_artists: pd.Series | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Group alerts into events.

    alerts: ALERT_COLUMNS (isrc null for an artist-level alert); catalog: isrc, artist_id,
    artist_name, label, release_date. active_artists: the number of artists with streams
    per day (index: day), the base of a catalogue-wide move's share; None: every artist
    of the catalog (a chart lists a fifth of its year's artists on a day). Returns
    (events: EVENT_COLUMNS, newest first, then most alerts; members: event_id, alert_key),
    every alert in exactly one event."""
    config = config or GroupConfig()
    if alerts.empty:
        return pd.DataFrame(columns=EVENT_COLUMNS), pd.DataFrame(columns=["event_id", "alert_key"])
    a = _prepare(alerts)
    cat = catalog.set_index("isrc")
    a["entry"] = entry_keys(a, config)
    a["wide"] = None
    left = a.entry.isna()
    every = int(catalog.artist_id.nunique())
    on_day = a.event_date.map(active_artists) if active_artists is not None else None
    active = pd.Series(every, index=a.index) if on_day is None else on_day.fillna(every)
    a.loc[left, "wide"] = catalogue_keys(a[left], active[left], config)
    a["g"] = ("e|" + a.entry).fillna("c|" + a.wide)
    rest = a.wide.isna() & left
    if rest.any():
        comp = _artist_groups(a[rest].reset_index(drop=True), cat, config)
        a.loc[rest, "g"] = ["a|" + str(c) for c in comp]
    events = _events(a, cat, config)
    members = pd.DataFrame(
        {"event_id": events.event_id.reindex(a.g).to_numpy(), "alert_key": a.alert_key}
    )
    events = events.sort_values(
        ["date", "alerts", "event_id"], ascending=[False, False, True]
    ).reset_index(drop=True)
    return events, members
