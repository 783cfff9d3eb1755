"""Alert statuses: a manager or admin acknowledges or dismisses an alert or a grouped event
(or reopens it).

Every change checks the acting user's role and labels, runs in one transaction and goes to
the audit log with its previous value. Statuses live in the state database, keyed by
alert, so they survive the batch job rewriting the alerts (data/state/joined.py joins them).
"""

from __future__ import annotations

from data import audit
from data.scope import Scope
from data.state import utc_now
from data.store import Store

STATUSES = ("acknowledged", "dismissed")
# Who may change an alert's status: managers and admins act on alerts; viewers read them.
STATUS_ROLES = ("manager", "admin")


class StatusError(Exception):
    """A status change the user may not make (message is shown to them)."""


def set_status(store: Store, scope: Scope, alert_key: str, status: str | None) -> None:
    """Acknowledge or dismiss an alert (status None clears it), as the scope's user.

    Only managers and admins may change statuses, and only for alerts of their labels (a
    track's label, or the label of the artist unit the alert is about). The change and its
    previous value go to the audit log in the same transaction.
    """
    if status is not None and status not in STATUSES:
        raise StatusError(f"unknown status {status!r}: use one of {', '.join(STATUSES)}")
    if scope.role not in STATUS_ROLES:
        raise StatusError("only managers and admins can change an alert's status")
    # The alert's label (a track's catalog label, an artist unit's own label), from the
    # published analytics version; the status itself is workflow state.
    row = (
        store.cursor()
        .execute(
            "SELECT a.artist_id, CASE WHEN a.isrc IS NULL THEN a.label ELSE c.label END "
            "FROM alerts a LEFT JOIN catalog c ON c.isrc = a.isrc WHERE a.alert_key = ?",
            [alert_key],
        )
        .fetchone()
    )
    if row is None or row[1] is None or not scope.allows(row[1]):
        raise StatusError("no such alert in your labels")
    with store.state.transaction() as cur:
        before = cur.execute(
            "SELECT status, changed_by, changed_at FROM alert_status WHERE alert_key = ?",
            [alert_key],
        ).fetchone()
        cur.execute("DELETE FROM alert_status WHERE alert_key = ?", [alert_key])
        now = utc_now()
        if status is not None:
            cur.execute(
                "INSERT INTO alert_status VALUES (?, ?, ?, ?)",
                [alert_key, status, scope.username, now],
            )
        audit.record(
            cur,
            actor=scope.username,
            action="alert_status",
            entity="alert",
            entity_id=alert_key,
            before=None if before is None else {"status": before[0], "by": before[1]},
            after=None if status is None else {"status": status, "by": scope.username},
        )


def set_event_status(store: Store, scope: Scope, event_id: str, status: str | None) -> int:
    """Acknowledge or dismiss a grouped event (status None reopens it), as the scope's user.

    The status is stored on each of the event's alerts in the user's labels (a
    catalogue-wide event's alerts of other labels are not touched), so it survives re-runs
    like any alert status; the event's id is stable across re-runs too. One audit entry
    names the event and every alert's status before and after, in the same transaction.
    Returns how many alerts were changed."""
    if status is not None and status not in STATUSES:
        raise StatusError(f"unknown status {status!r}: use one of {', '.join(STATUSES)}")
    if scope.role not in STATUS_ROLES:
        raise StatusError("only managers and admins can change an alert's status")
    members = (
        store.cursor()
        .execute(
            "SELECT a.alert_key, CASE WHEN a.isrc IS NULL THEN a.label ELSE c.label END "
            "FROM alert_event_members m JOIN alerts a USING (alert_key) "
            "LEFT JOIN catalog c ON c.isrc = a.isrc WHERE m.event_id = ? ORDER BY a.alert_key",
            [event_id],
        )
        .fetchall()
    )
    keys = [key for key, label in members if label and scope.allows(label)]
    if not keys:
        raise StatusError("no such event in your labels")
    marks = ", ".join("?" * len(keys))
    with store.state.transaction() as cur:
        found = dict(
            cur.execute(
                f"SELECT alert_key, status FROM alert_status WHERE alert_key IN ({marks})", keys
            ).fetchall()
        )
        mine = [(key, found.get(key)) for key in keys]
        cur.execute(f"DELETE FROM alert_status WHERE alert_key IN ({marks})", keys)
        if status is not None:
            now = utc_now()
            cur.executemany(
                "INSERT INTO alert_status VALUES (?, ?, ?, ?)",
                [[key, status, scope.username, now] for key in keys],
            )
        audit.record(
            cur,
            actor=scope.username,
            action="alert_event_status",
            entity="alert_event",
            entity_id=event_id,
            before={key: before for key, before in mine},
            after={key: status for key in keys},
        )
    return len(keys)
