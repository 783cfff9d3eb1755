"""Signing in with throttling: repeated failures for one user name, or from one client, lock
further attempts out for a while, and each lockout in a row lasts longer.

The counters live in the state database (signin_throttle), so every app process sees the same ones.
While locked, an attempt is refused before its password is checked, so guessing gains
nothing. Names that match no account are counted like real ones: a lockout does not reveal
which accounts exist.

Attempts that pass the lockout check at the same moment are all checked (the check and the
count are not one transaction, so the slow hash does not hold the state's write lock); the
few workers a server runs bound how far that lets a burst exceed MAX_FAILURES.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass

from data import audit, users
from data.state import StateCursor, as_datetime
from data.store import Store

MAX_FAILURES = 5  # failures within WINDOW that start a lockout; the next attempt is refused
WINDOW = dt.timedelta(minutes=1)
LOCKOUT_STEPS = (  # the first lockout, the second, ...; the last one repeats
    dt.timedelta(minutes=1),
    dt.timedelta(minutes=5),
    dt.timedelta(minutes=15),
)
FORGET_AFTER = dt.timedelta(hours=1)  # a quiet hour forgets earlier failures and lockouts
KEY_LENGTH = 200  # longer user names or client ids are cut (no account name is this long)

Clock = Callable[[], dt.datetime]


def utc_now() -> dt.datetime:
    """Now in UTC, naive like the store's TIMESTAMP columns."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


@dataclass(frozen=True)
class Lockout:
    """Attempts are refused until `until` (UTC); `now` is when that was decided."""

    until: dt.datetime
    now: dt.datetime

    @property
    def seconds(self) -> int:
        return max(0, math.ceil((self.until - self.now).total_seconds()))

    def message(self) -> str:
        return (
            f"Too many failed sign-ins. Try again at {self.until:%H:%M:%S} UTC "
            f"(in {self.seconds} s)."
        )


@dataclass(frozen=True)
class SignIn:
    """The outcome of one attempt: the account, or why not."""

    user: users.User | None
    lockout: Lockout | None = None  # set when attempts are now refused for a while
    checked: bool = True  # False: refused during a lockout, the password was not looked at


def sign_in(
    store: Store, username: str, password: str, *, client: str, now: Clock = utc_now
) -> SignIn:
    """Check a sign-in attempt from `client` (an IP address or a browser-session id).

    Every attempt is audited: session.sign_in, session.sign_in_failed (with
    session.lockout when this failure starts one) or session.sign_in_locked.
    """
    t = now()
    keys = (("user", username[:KEY_LENGTH]), ("client", client[:KEY_LENGTH]))
    with store.state.reading() as cur:
        locked = _locked_until(cur, keys, t)
    if locked is not None:
        with store.state.transaction() as cur:
            _audit(cur, "session.sign_in_locked", username, client, until=locked)
        return SignIn(None, Lockout(locked, t), checked=False)

    user = users.authenticate(store, username, password)
    with store.state.transaction() as cur:
        if user is not None:
            # The account's counter starts afresh; the client's does not, or one account
            # someone holds would let them reset it between guesses at others.
            cur.execute("DELETE FROM signin_throttle WHERE kind = 'user' AND key = ?", [keys[0][1]])
            _audit(cur, "session.sign_in", username, client)
            return SignIn(user)
        _audit(cur, "session.sign_in_failed", username, client)
        until = None
        for kind, key in keys:
            started = _count_failure(cur, kind, key, t)
            if started is not None:
                _audit(cur, "session.lockout", username, client, until=started, counted=kind)
                until = started if until is None else max(until, started)
        _forget_old(cur, t)
    return SignIn(None, Lockout(until, t) if until is not None else None)


def lockout_for(lockouts: int) -> dt.timedelta:
    """How long the lockout lasts that follows `lockouts` earlier ones."""
    return LOCKOUT_STEPS[min(lockouts, len(LOCKOUT_STEPS) - 1)]


def _locked_until(
    cur: StateCursor, keys: tuple[tuple[str, str], ...], t: dt.datetime
) -> dt.datetime | None:
    (user_key, client_key) = (keys[0][1], keys[1][1])
    return as_datetime(
        cur.execute(
            "SELECT max(locked_until) FROM signin_throttle WHERE locked_until > ? AND "
            "((kind = 'user' AND key = ?) OR (kind = 'client' AND key = ?))",
            [t, user_key, client_key],
        ).scalar()
    )


def _count_failure(cur: StateCursor, kind: str, key: str, t: dt.datetime) -> dt.datetime | None:
    """Count one failure; returns the end of the lockout it starts, if it starts one."""
    row = cur.execute(
        "SELECT window_start, failures, lockouts, locked_until, last_failure "
        "FROM signin_throttle WHERE kind = ? AND key = ?",
        [kind, key],
    ).fetchone()
    window_start, failures, lockouts, locked_until = t, 1, 0, None
    if row is not None:
        old_start, old_failures, old_lockouts, old_locked, last_failure = row
        old_start, old_locked = as_datetime(old_start), as_datetime(old_locked)
        last_failure = as_datetime(last_failure)
        lockouts = old_lockouts if t - last_failure < FORGET_AFTER else 0
        if t - old_start < WINDOW:
            window_start, failures = old_start, old_failures + 1
        # A lockout another process started meanwhile stays in force.
        locked_until = old_locked if old_locked is not None and old_locked > t else None
    started = None
    if failures >= MAX_FAILURES:
        started = _whole_second(t + lockout_for(lockouts))
        locked_until, lockouts, failures, window_start = started, lockouts + 1, 0, t
    cur.execute(
        "INSERT INTO signin_throttle (kind, key, window_start, failures, lockouts, "
        "locked_until, last_failure) VALUES (?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (kind, key) DO UPDATE SET window_start = excluded.window_start, "
        "failures = excluded.failures, lockouts = excluded.lockouts, "
        "locked_until = excluded.locked_until, last_failure = excluded.last_failure",
        [kind, key, window_start, failures, lockouts, locked_until, t],
    )
    return started


def _whole_second(t: dt.datetime) -> dt.datetime:
    """Rounded up, so 'try again at HH:MM:SS' is never a moment too early."""
    return t if not t.microsecond else t.replace(microsecond=0) + dt.timedelta(seconds=1)


def _forget_old(cur: StateCursor, t: dt.datetime) -> None:
    """Drop counters nobody has failed on for FORGET_AFTER (they would restart at zero)."""
    cur.execute(
        "DELETE FROM signin_throttle WHERE last_failure <= ? "
        "AND (locked_until IS NULL OR locked_until <= ?)",
        [t - FORGET_AFTER, t],
    )


def _audit(
    cur: StateCursor,
    action: str,
    username: str,
    client: str,
    *,
    until: dt.datetime | None = None,
    counted: str | None = None,
) -> None:
    after: dict[str, str] = {"client": client[:KEY_LENGTH]}
    if until is not None:
        after["locked_until"] = f"{until:%Y-%m-%d %H:%M:%S} UTC"
    if counted is not None:
        after["counted_by"] = counted
    audit.record(
        cur,
        actor=username if action == "session.sign_in" else "(anonymous)",
        action=action,
        entity="session",
        entity_id=username[:64],
        after=after,
    )


def previous_sign_in(store: Store, username: str) -> dt.datetime | None:
    """When `username` signed in before the current session (UTC), or None without an
    earlier sign-in: the audit log keeps every one, and the latest is the current session's."""
    rows = store.state.read(
        "SELECT logged_at FROM audit_log WHERE entity = 'session' "
        "AND action = 'session.sign_in' AND entity_id = ? "
        "ORDER BY audit_id DESC LIMIT 1 OFFSET 1",
        [username[:64]],
    )
    if not rows:
        return None
    value = rows[0][0]  # SQLite hands timestamps back as text, PostgreSQL as datetimes
    return value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))
