"""Alert statuses: a manager or admin acknowledges or dismisses an alert (or reopens it).

Every change checks the acting user's role and labels, runs in one transaction and goes to
the audit log with its previous value. Statuses live beside the alerts, keyed by alert,
so they survive the batch job rewriting the alerts.
"""

from __future__ import annotations

import datetime as dt

from data import audit
from data.scope import Scope
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
    with store.transaction() as cur:
        # The alert's label: a track's catalog label, an artist unit's own label.
        row = cur.execute(
            "SELECT a.artist_id, CASE WHEN a.isrc IS NULL THEN a.label ELSE c.label END "
            "FROM alerts a LEFT JOIN catalog c ON c.isrc = a.isrc WHERE a.alert_key = ?",
            [alert_key],
        ).fetchone()
        if row is None or row[1] is None or not scope.allows(row[1]):
            raise StatusError("no such alert in your labels")
        before = cur.execute(
            "SELECT status, changed_by, changed_at FROM alert_status WHERE alert_key = ?",
            [alert_key],
        ).fetchone()
        cur.execute("DELETE FROM alert_status WHERE alert_key = ?", [alert_key])
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
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
