"""Signed-in app sessions, recorded in the state database so `labelradar status` can say
who is using the app across every instance: one row per browser session, its last-seen
time refreshed at most once a minute per session (not on every rerun)."""

from __future__ import annotations

import datetime as dt
import threading

import pandas as pd

from data.state import StateDB, utc_now

TOUCH_EVERY = dt.timedelta(minutes=1)
ACTIVE_WITHIN = dt.timedelta(minutes=30)  # `status` lists sessions seen this recently

_last_touch: dict[tuple[str, str], dt.datetime] = {}
_lock = threading.Lock()


def touch(state: StateDB, session_id: str, username: str, instance: str) -> bool:
    """Record that `username` is signed in on this session; returns whether it wrote."""
    now = utc_now()
    key = (state.url, session_id)
    with _lock:
        last = _last_touch.get(key)
        if last is not None and now - last < TOUCH_EVERY:
            return False
        _last_touch[key] = now
    with state.transaction() as cur:
        cur.execute(
            "INSERT INTO app_sessions (session_id, username, instance, signed_in_at, last_seen) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (session_id) DO UPDATE SET "
            "username = excluded.username, instance = excluded.instance, "
            "last_seen = excluded.last_seen",
            [session_id[:64], username, instance, now, now],
        )
    return True


def end(state: StateDB, session_id: str) -> None:
    """Forget a session (its user signed out)."""
    with _lock:
        _last_touch.pop((state.url, session_id), None)
    with state.transaction() as cur:
        cur.execute("DELETE FROM app_sessions WHERE session_id = ?", [session_id[:64]])


def active(state: StateDB, within: dt.timedelta = ACTIVE_WITHIN) -> pd.DataFrame:
    """username, instance, signed_in_at, last_seen of sessions seen within `within`,
    most recent first."""
    return state.read_df(
        "SELECT username, instance, signed_in_at, last_seen FROM app_sessions "
        "WHERE last_seen >= ? ORDER BY last_seen DESC, username",
        [utc_now() - within],
    )
