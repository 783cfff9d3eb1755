"""View model of the Alerts page's grouped feed: events, their alerts, event statuses."""

from __future__ import annotations

import pandas as pd

from analytics.alerts.event_text import entry_summary, why
from app import services
from app.safe_text import isolate
from data.queries import Filters
from data.queries import alerts as alerts_queries
from data.scope import Scope
from data.workflow import alerts as alert_status

# An event's buttons: (label, widget key, status it sets or "reopen", status at which the
# button does nothing).
EVENT_BUTTONS = (
    ("Acknowledge event", "alerts_event_ack", "acknowledged", "acknowledged"),
    ("Dismiss event", "alerts_event_dismiss", "dismissed", "dismissed"),
    ("Reopen event", "alerts_event_reopen", "reopen", "open"),
)


def events(scope: Scope, flt: Filters, kind: str | None, status: str | None) -> pd.DataFrame:
    """One row per event with alerts in scope, newest first, then the most alerts; `why`
    worded for every row (a catalogue-wide one from the user's alerts only) and `name`:
    the subject, plus " · Label" for an artist the feed holds under two labels."""
    df = services.query(alerts_queries.events_feed, scope, flt, kind=kind, status=status)
    if df.empty:
        return df.assign(name=pd.Series(dtype=str))
    worded = [
        w
        if isinstance(w, str)
        else why(r.scope, r.kind, int(r.alerts), len(r.tracks), int(r.artists), r.effect, r.cause)
        for w, r in zip(df.why, df.itertuples(), strict=True)
    ]
    units = df[df.artist_id.notna()].groupby("artist_id").label.transform("nunique")
    split = units.reindex(df.index).fillna(1) > 1
    name = df.subject.where(~split, df.subject + " · " + df.label.astype(str))
    return df.assign(why=worded, name=name)


def with_entries_worded(events: pd.DataFrame, alerts: pd.DataFrame) -> pd.DataFrame:
    """New-entries rows worded from the user's alerts in them (`alerts`: feed rows with
    event_id): the largest release among the day's entries is named, and the alerts of the
    entered tracks' first week counted, from the user's labels only."""
    rows = events.scope == "entries"
    if not rows.any():
        return events
    mine = alerts[alerts.event_id.isin(events.event_id[rows])]
    summaries = {
        eid: entry_summary(g.artist_name, g.isrc, g.event_date)
        for eid, g in mine.groupby("event_id")
    }
    worded = [
        why(
            r.scope,
            r.kind,
            int(r.alerts),
            len(r.tracks),
            int(r.artists),
            r.effect,
            r.cause,
            entry=summaries.get(r.event_id),
        )
        if r.scope == "entries"
        else r.why
        for r in events.itertuples()
    ]
    return events.assign(why=worded)


def events_table(df: pd.DataFrame) -> pd.DataFrame:
    """The downloadable events: one row per event, plain columns."""
    return pd.DataFrame(
        {
            "Date": pd.to_datetime(df.date).dt.date,
            "Kind": df.kind,
            "Subject": df.name,
            "Alerts": df.alerts,
            "Tracks": df.tracks.map(len),
            # NaN (shown "–"): no spike or drop the event's way (a release, a trend)
            "Largest move (%)": (df.effect * 100).round(1),
            "Why": df.why,
            "Status": df.status,
            "Track ISRCs": df.tracks.map(" ".join),
            "event_id": df.event_id,
        }
    )


def event_title(row: pd.Series) -> str:
    n = int(row.alerts)
    name = isolate(row["name"])
    return f"{row.date:%d %b %Y} · {row.kind} · {name} — {n} alert{'s' * (n != 1)}"


def of_event(alerts: pd.DataFrame, event_id: str) -> pd.DataFrame:
    """The feed rows (alerts) of one event."""
    return alerts[alerts.event_id == event_id]


def set_event_status(scope: Scope, event_id: str, action: str) -> str | None:
    """Apply an event button; returns an error message for the user, or None."""
    try:
        alert_status.set_event_status(
            services.store(), scope, event_id, None if action == "reopen" else action
        )
    except alert_status.StatusError as exc:
        return str(exc)
    services.clear_caches()
    return None
