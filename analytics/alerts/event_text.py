"""An alert event in one sentence a label manager can act on (the feed's `why` column)."""

from __future__ import annotations

from typing import NamedTuple

import pandas as pd

VERBS = {
    "spike": "jumped",
    "drop": "fell",
    "growth": "started a sustained rise",
    "decline": "started a sustained fall",
    "release": "came out",
}


NAMED_RELEASES = 3  # a new-entries sentence names at most this many releases


class EntrySummary(NamedTuple):
    """A new-entries event's releases of several tracks (artist name, entering tracks;
    most tracks first) and its alerts after the entry day (the tracks' first week)."""

    releases: tuple[tuple[str, int], ...]
    later: int
    artists: int = 0  # artists with a track entering (0: not known)


def entry_summary(artists: pd.Series, isrcs: pd.Series, days: pd.Series) -> EntrySummary:
    """Of a new-entries event's alerts (artist name, ISRC or null, day), per alert."""
    days = pd.to_datetime(days)
    first = (days == days.min()) & isrcs.notna()
    per = isrcs[first].groupby(artists[first]).nunique()
    per = per[per >= 2].rename_axis("artist").reset_index(name="n")
    per = per.sort_values(["n", "artist"], ascending=[False, True])
    releases = tuple((str(a), int(n)) for a, n in zip(per.artist, per.n, strict=True))
    entering = int(artists[first].nunique())
    return EntrySummary(releases, int((days > days.min()).sum()), entering)


def _releases(releases: tuple[tuple[str, int], ...]) -> str:
    """ ", 13 of them by A, 2 by B and 2 more releases": an album among the day's singles
    is named, so the row does not hide it."""
    if not releases:
        return ""
    (top, n), *others = releases[:NAMED_RELEASES]
    parts = [f"{n} of them by {top}", *(f"{k} by {a}" for a, k in others)]
    if len(releases) > NAMED_RELEASES:
        parts.append(_n(len(releases) - NAMED_RELEASES, "more release"))
    said = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    return ", " + said


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def why(
    scope: str,
    kind: str,
    alerts: int,
    tracks: int,
    artists: int,
    move: float | None,
    cause: str | None,
    has_artist_alert: bool = False,
    release_date: object = None,
    entry: EntrySummary | None = None,
) -> str:
    """The event in one sentence a label manager can act on (`entry`: a new-entries event's
    largest release and later alerts, see entry_summary)."""
    verb = VERBS.get(kind, "moved")
    # No move without a spike or drop the event's way (NaN; events.py): a release has no
    # "before" (its first day against a forecast of about nothing read +12,300 %), and a
    # growth's or decline's day sits on its own trend.
    size = "" if move is None or move != move else f" (largest move {move:+.0%})"
    because = f": {cause}" if isinstance(cause, str) and cause else ""
    if scope == "entries":
        entry = entry or EntrySummary((), 0)
        # the artists whose tracks entered (an artist total alone is no entering track)
        artists = entry.artists or artists
        lead = _releases(entry.releases)
        week = f", with {_n(entry.later, 'alert')} of their first week" if entry.later else ""
        return (
            f"{_n(tracks, 'track')} by {_n(artists, 'artist')} came out or entered the chart "
            f"on this day{lead}: the day's new entries, listed in the event{week}."
        )
    if scope == "catalogue":
        return (
            f"{_n(artists, 'artist')} ({_n(tracks, 'track')}) {verb} on the same day{size}: a "
            "catalogue-wide move, more likely a market-wide or platform cause than news "
            "about one artist."
        )
    whole = "the artist total" if has_artist_alert else ""
    if scope == "release":
        if not tracks:
            return f"A new release {verb}{size}{because}."
        out = f"{_n(tracks, 'track')} of the release of {release_date} {verb}"
        # "together" only of several: one track "came out together" with nothing
        if tracks > 1:
            out += " together"
        elif whole:
            out += ", and the artist total with it"
        return f"{out}{size}{because}."
    if alerts == 1 or (tracks <= 1 and not whole):  # one alert, or one track's story
        what = whole or "one track"
        return f"{what[0].upper()}{what[1:]} {verb}{size}{because}."
    parts = [p for p in (whole, _n(tracks, "track") if tracks else "") if p]
    who = " and ".join(parts)
    return f"{who[0].upper()}{who[1:]} {verb} together{size}{because}."
