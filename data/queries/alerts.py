"""Scoped reads of the alerts feature's persisted results.

Every public function is registered with `@scoped` from data.queries. A track's alerts and
band are scoped by the track's catalog label. An artist's are computed per label (its
tracks on that label only) and each row names that label: they are scoped by the row's own
label, never by "the artist has some track in scope", so an artist whose tracks sit on two
labels shows each label only its own unit.
"""

from __future__ import annotations

import pandas as pd

from data.queries import Filters, joins_state, read_df, scoped, where
from data.scope import Scope
from data.store import Store

KINDS = ("spike", "drop", "growth", "decline", "release")
STATUS_FILTERS = ("open", "acknowledged", "dismissed")

# One row per alert with the label it is scoped by: the track's catalog label for a track
# alert (none when the track left the catalog), the alert's own label for an artist alert.
_SCOPED_ALERTS = (
    "(SELECT a.* EXCLUDE (label), t.track_title, "
    "CASE WHEN a.isrc IS NULL THEN a.label ELSE t.label END AS label "
    "FROM alerts a LEFT JOIN catalog t ON t.isrc = a.isrc)"
)
# The artist's name on that label (the name of any of its rows if the unit left the catalog).
_NAMES = (
    "(SELECT artist_id, label, any_value(artist_name) AS artist_name FROM catalog GROUP BY ALL)"
)
_ANY_NAME = "(SELECT artist_id, any_value(artist_name) AS artist_name FROM catalog GROUP BY ALL)"


def _alert_filters(filters: Filters | None) -> Filters:
    """Labels, artists and dates apply (dates to the change's start); countries do not."""
    f = filters or Filters()
    return Filters(
        labels=f.labels, artist_ids=f.artist_ids, date_from=f.date_from, date_to=f.date_to
    )


@scoped
@joins_state
def alerts_feed(
    store: Store,
    scope: Scope,
    filters: Filters | None = None,
    kind: str | None = None,
    status: str | None = None,
) -> pd.DataFrame:
    """The alerts on tracks and artist units in scope, one row per alert, newest change
    first, then most significant; `label` is the label the alert belongs to.

    kind: one of KINDS or None; status: 'open' (no status yet), 'acknowledged', 'dismissed'
    or None (all)."""
    flt = _alert_filters(filters)
    cond, params = where(scope, flt, catalog_alias="x", fact_alias="x", date_col="event_date")
    extra = ""
    if kind is not None:
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {', '.join(KINDS)}")
        extra += " AND x.kind = ?"
        params.append(kind)
    if status is not None:
        if status not in STATUS_FILTERS:
            raise ValueError(f"status must be one of {', '.join(STATUS_FILTERS)}")
        extra += " AND s.status IS NULL" if status == "open" else " AND s.status = ?"
        if status != "open":
            params.append(status)
    return read_df(
        store,
        f"SELECT x.alert_key, x.subject, x.isrc, x.track_title, x.artist_id, "
        f"coalesce(n.artist_name, m.artist_name, x.artist_id) AS artist_name, "
        f"x.label, x.kind, x.event_date, x.detected_on, x.probability, "
        f"x.observed, x.expected, x.excess, x.cause, x.cause_dimension, x.cause_value, "
        f"x.attribution::VARCHAR AS attribution, x.growth::VARCHAR AS growth, x.opportunity, "
        f"x.goal, x.reason, coalesce(s.status, 'open') AS status, s.changed_by, s.changed_at, "
        f"em.event_id "
        f"FROM {_SCOPED_ALERTS} x "
        f"LEFT JOIN {_NAMES} n ON n.artist_id = x.artist_id AND n.label = x.label "
        f"LEFT JOIN {_ANY_NAME} m ON m.artist_id = x.artist_id "
        f"LEFT JOIN alert_status s ON s.alert_key = x.alert_key "
        f"LEFT JOIN alert_event_members em ON em.alert_key = x.alert_key "
        f"WHERE {cond}{extra} "
        f"ORDER BY x.event_date DESC, x.probability DESC, x.alert_key",
        params,
        state=("alert_status",),
    )


# An event's status over the user's alerts in it: open while any is open; dismissed when
# all are; else acknowledged.
_EVENT_STATUS = (
    "CASE WHEN bool_or(s.status IS NULL) THEN 'open' "
    "WHEN bool_and(s.status = 'dismissed') THEN 'dismissed' ELSE 'acknowledged' END"
)


@scoped
@joins_state
def events_feed(
    store: Store,
    scope: Scope,
    filters: Filters | None = None,
    kind: str | None = None,
    status: str | None = None,
) -> pd.DataFrame:
    """Grouped alert events, built from the user's alerts only: one row per event with at
    least one alert in scope, newest first, then the most alerts.

    `effect` is the event's largest spike or drop its own way (NULL without one: a release,
    a trend; see analytics.alerts.events). A catalogue-wide event spans labels: its alerts,
    tracks, artists, move, cause and kind (that of its largest move) count the user's alerts
    only, and its `why` is None (the saved sentence counts every label; app.alerts.view
    words it from these columns).
    Labels and artists filter the event's alerts; dates the event's first day; kind the
    event's kind; status the event's status over the user's alerts ('open', 'acknowledged',
    'dismissed'; None: all)."""
    f = filters or Filters()
    cond, params = where(
        scope, Filters(labels=f.labels, artist_ids=f.artist_ids), catalog_alias="x"
    )
    for op, day in ((">=", f.date_from), ("<=", f.date_to)):
        if day is not None:
            cond += f" AND e.date {op} ?"
            params.append(day)
    outer, tail = [], []
    if kind is not None:
        outer.append("kind = ?")
        tail.append(kind)
    if status is not None:
        if status not in STATUS_FILTERS:
            raise ValueError(f"status must be one of {', '.join(STATUS_FILTERS)}")
        outer.append("status = ?")
        tail.append(status)
    wide = "e.scope IN ('catalogue', 'entries')"
    # The move shown: the event's largest spike or drop its own way (analytics.alerts.events)
    up = "kind IN ('spike', 'growth', 'release')"
    return read_df(
        store,
        f"SELECT * EXCLUDE (up_move, down_move), "
        f"CASE WHEN {up} THEN up_move ELSE down_move END AS effect "
        f"FROM (SELECT e.event_id, e.scope, e.subject, e.artist_id, e.label, e.date, "
        f"CASE WHEN {wide} THEN arg_max(x.kind, m.size) ELSE any_value(e.kind) END AS kind, "
        f"list_sort(list_distinct(list(x.isrc))) AS tracks, count(*) AS alerts, "
        f"count(DISTINCT x.artist_id) AS artists, max(x.probability) AS probability, "
        f"arg_max(m.move, m.size) FILTER (WHERE x.kind = 'spike') AS up_move, "
        f"arg_max(m.move, m.size) FILTER (WHERE x.kind = 'drop') AS down_move, "
        f"arg_max(x.cause, m.size) AS cause, "
        f"CASE WHEN {wide} THEN NULL ELSE any_value(e.why) END AS why, "
        f"{_EVENT_STATUS} AS status "
        f"FROM alert_events e JOIN alert_event_members em USING (event_id) "
        f"JOIN {_SCOPED_ALERTS} x ON x.alert_key = em.alert_key "
        f"CROSS JOIN LATERAL (SELECT (x.observed + 1) / (x.expected + 1) - 1 AS move, "
        f"abs(ln((x.observed + 1) / (x.expected + 1))) AS size) m "
        f"LEFT JOIN alert_status s ON s.alert_key = x.alert_key "
        f"WHERE {cond} "
        f"GROUP BY e.event_id, e.scope, e.subject, e.artist_id, e.label, e.date) "
        + (f"WHERE {' AND '.join(outer)} " if outer else "")
        + "ORDER BY date DESC, alerts DESC, probability DESC, event_id",
        [*params, *tail],
        state=("alert_status",),
    )


@scoped
def alert_band_track(store: Store, scope: Scope, isrc: str) -> pd.DataFrame:
    """Observed detection series with its one-step forecast band and the 28-day forecast
    (is_forecast) of a track in scope (by the track's catalog label)."""
    cond, params = where(scope, None)
    return read_df(
        store,
        f"SELECT b.date, c.label, b.observed, b.expected, b.lo80, b.hi80, b.lo95, b.hi95, "
        f"b.is_forecast FROM alert_bands b JOIN catalog c ON c.isrc = b.subject_id "
        f"WHERE b.subject = 'track' AND b.subject_id = ? AND {cond} ORDER BY b.date",
        [isrc, *params],
    )


@scoped
def alert_band_artist(
    store: Store, scope: Scope, artist_id: str, label: str | None = None
) -> pd.DataFrame:
    """The same for an artist's daily total on one label (its tracks on that label only).

    label None: every unit of the artist in scope, told apart by the `label` column (one
    row per unit and day)."""
    cond, params = where(scope, Filters(labels=(label,) if label else ()), catalog_alias="b")
    return read_df(
        store,
        f"SELECT b.date, b.label, b.observed, b.expected, b.lo80, b.hi80, b.lo95, b.hi95, "
        f"b.is_forecast FROM alert_bands b "
        f"WHERE b.subject = 'artist' AND b.subject_id = ? AND {cond} ORDER BY b.label, b.date",
        [artist_id, *params],
    )
