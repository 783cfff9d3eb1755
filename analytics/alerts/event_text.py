"""An alert event in one sentence a label manager can act on (the feed's `why` column)."""

from __future__ import annotations

VERBS = {
    "spike": "jumped",
    "drop": "fell",
    "growth": "started a sustained rise",
    "decline": "started a sustained fall",
    "release": "came out",
}


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
) -> str:
    """The event in one sentence a label manager can act on."""
    verb = VERBS.get(kind, "moved")
    # No move without a spike or drop the event's way (NaN; events.py): a release has no
    # "before" (its first day against a forecast of about nothing read +12,300 %), and a
    # growth's or decline's day sits on its own trend.
    size = "" if move is None or move != move else f" (largest move {move:+.0%})"
    because = f": {cause}" if isinstance(cause, str) and cause else ""
    if scope == "entries":
        return (
            f"{_n(tracks, 'track')} by {_n(artists, 'artist')} came out or entered the chart "
            "on this day: the day's new entries, listed in the event."
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
