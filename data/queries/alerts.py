"""Scoped reads of the alerts feature's persisted results.

Every public function is registered with `@scoped` from data.queries. Alerts are about an
artist (and maybe one of its tracks): they are returned only when the catalog puts that
artist (and track) in one of the user's labels; the result tables themselves carry no
label, so every query joins the catalog.
"""

from __future__ import annotations

import pandas as pd

from data.queries import Filters, read_df, scoped, where
from data.scope import Scope
from data.store import Store

KINDS = ("spike", "drop", "growth", "decline")
STATUS_FILTERS = ("open", "acknowledged", "dismissed")

# An artist's label(s) from the catalog: artist alerts are scoped through it.
_ARTISTS = (
    "(SELECT artist_id, label, any_value(artist_name) AS artist_name FROM catalog "
    "GROUP BY artist_id, label)"
)


def _alert_filters(filters: Filters | None) -> Filters:
    """Labels, artists and dates apply (dates to the change's start); countries do not."""
    f = filters or Filters()
    return Filters(
        labels=f.labels, artist_ids=f.artist_ids, date_from=f.date_from, date_to=f.date_to
    )


@scoped
def alerts_feed(
    store: Store,
    scope: Scope,
    filters: Filters | None = None,
    kind: str | None = None,
    status: str | None = None,
) -> pd.DataFrame:
    """The alerts on artists/tracks in scope, newest change first, then most significant.

    kind: one of KINDS or None; status: 'open' (no status yet), 'acknowledged', 'dismissed'
    or None (all)."""
    cond, params = where(scope, _alert_filters(filters), fact_alias="a", date_col="event_date")
    extra = ""
    if kind is not None:
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {', '.join(KINDS)}")
        extra += " AND a.kind = ?"
        params.append(kind)
    if status is not None:
        if status not in STATUS_FILTERS:
            raise ValueError(f"status must be one of {', '.join(STATUS_FILTERS)}")
        extra += " AND s.status IS NULL" if status == "open" else " AND s.status = ?"
        if status != "open":
            params.append(status)
    return read_df(
        store,
        f"SELECT a.alert_key, a.subject, a.isrc, t.track_title, a.artist_id, c.artist_name, "
        f"c.label, a.kind, a.event_date, a.detected_on, a.probability, a.observed, "
        f"a.expected, a.excess, a.cause, a.cause_dimension, a.cause_value, "
        f"a.attribution::VARCHAR AS attribution, a.growth::VARCHAR AS growth, a.opportunity, "
        f"a.goal, a.reason, coalesce(s.status, 'open') AS status, s.changed_by, s.changed_at "
        f"FROM alerts a JOIN {_ARTISTS} c ON c.artist_id = a.artist_id "
        f"LEFT JOIN catalog t ON t.isrc = a.isrc "
        f"LEFT JOIN alert_status s ON s.alert_key = a.alert_key "
        f"WHERE {cond} AND (a.isrc IS NULL OR t.isrc IS NOT NULL){extra} "
        f"ORDER BY a.event_date DESC, a.probability DESC, a.alert_key",
        params,
    )


def _band(store: Store, scope: Scope, subject: str, subject_id: str, join: str) -> pd.DataFrame:
    cond, params = where(scope, None)
    return read_df(
        store,
        f"SELECT b.date, b.observed, b.expected, b.lo80, b.hi80, b.lo95, b.hi95, "
        f"b.is_forecast FROM alert_bands b JOIN {join} "
        f"WHERE b.subject = ? AND b.subject_id = ? AND {cond} ORDER BY b.date",
        [subject, subject_id, *params],
    )


@scoped
def alert_band_track(store: Store, scope: Scope, isrc: str) -> pd.DataFrame:
    """Observed detection series with its one-step forecast band and the 28-day forecast
    (is_forecast) of a track in scope."""
    return _band(store, scope, "track", isrc, "catalog c ON c.isrc = b.subject_id")


@scoped
def alert_band_artist(store: Store, scope: Scope, artist_id: str) -> pd.DataFrame:
    """The same for an artist's daily total."""
    return _band(store, scope, "artist", artist_id, f"{_ARTISTS} c ON c.artist_id = b.subject_id")
