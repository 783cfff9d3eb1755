"""Application services: the store, cached scoped queries, sign-in and user management.

Pages call these functions with the signed-in user's Scope (from app.state) and the shared
Filters. Query results are cached with st.cache_data keyed by (store path and published
version, query, labels, arguments), so users who read the same labels share them; the Store itself comes from a st.cache_resource getter and is never
hashed.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import streamlit as st

from app.safe_text import code, md
from data import audit, inventory, publish, queries, signin, users
from data.results import runs
from data.scope import Scope
from data.state import StateError
from data.store import Store, StoreError, default_db_path, open_store

TTL_SECONDS = 600
T = TypeVar("T")
BUILD_COMMAND = "labelradar demo"


# -- the store --------------------------------------------------------------------------
def db_path() -> str:
    """The store this process serves: LABELRADAR_DB, else data/labelradar.duckdb."""
    return str(default_db_path().resolve())


def version_token(path: str) -> str:
    """Which published version is at `path` now (batch work replaces the file atomically:
    data/publish.py); '' when there is none. One stat per call."""
    try:
        info = os.stat(path)
    except OSError:
        return ""
    return f"{info.st_ino}-{info.st_mtime_ns}-{info.st_size}"


def db_key() -> str:
    """The served store's path and published version: every cache is keyed by it, so the
    first rerun after a publish reads the new version and never mixes two."""
    path = db_path()
    return f"{path}\n{version_token(path)}"


@st.cache_resource(show_spinner=False, max_entries=4)
def get_store(path: str, version: str = "") -> Store:
    """The published store at `path`, read-only: one per process and published `version`
    (older ones are dropped from this cache and freed once no rerun uses them). Never
    creates a store: a missing path is a StoreError (see store_problem). Workflow writes
    go to `store.state`."""
    return open_store(path, read_only=True, create=False)


def _store_for(key: str) -> Store:
    path, _, version = key.partition("\n")
    return get_store(path, version)


def store_problem() -> str | None:
    """None when the store can be opened, else a message telling the user what to do."""
    path = Path(db_path())
    if not path.exists():
        return (
            f"There is no Label Radar store at {code(path)}.\n\n"
            f"Build the demo store with `{BUILD_COMMAND}` (or point `LABELRADAR_DB` at an "
            "existing store), then reload this page."
        )
    try:
        store().state  # noqa: B018  (opens and migrates the state database)
    except (StoreError, StateError) as exc:
        return (
            f"The store could not be opened: {md(exc)}.\n\n"
            f"If no store has been built yet, run `{BUILD_COMMAND}`; if it was built by an "
            "older version, run `labelradar refresh` once to upgrade it, then reload this page."
        )
    return None


def store() -> Store:
    return _store_for(db_key())


def backlog_problem() -> str | None:
    """Why aggregates queued by a load could not be refreshed, or None: the app still runs
    on the aggregates as they were (data/health.py). Read from the published version."""
    return store().backlog_problem


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def _is_demo(key: str) -> bool:
    return _store_for(key).is_demo


def is_demo() -> bool:
    """True when the store was built by the synthetic generator."""
    return _is_demo(db_key())


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def _is_real_charts(key: str) -> bool:
    return _store_for(key).get_meta("real_charts") == "true"


def is_real_charts() -> bool:
    """True when the store was built from real public chart data (`demo --real`)."""
    return _is_real_charts(db_key())


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def _data_through(key: str) -> tuple[dt.date | None, int]:
    store = _store_for(key)
    return inventory.data_through(store), publish.published_version(store)


def data_through() -> tuple[dt.date | None, int]:
    """The last day with trend data in the published store, and its version number."""
    return _data_through(db_key())


# -- model runs -------------------------------------------------------------------------
@st.cache_data(ttl=30, show_spinner=False)
def _model_run(key: str, job: str) -> runs.ModelRun | None:
    return runs.latest(_store_for(key), job)


def model_run(feature: str) -> runs.ModelRun | None:
    """The latest run of a feature's batch job (when its results were computed, on what)."""
    return _model_run(db_key(), feature)


# -- cached scoped queries --------------------------------------------------------------
LabelsKey = tuple[str, tuple[str, ...]]  # ('', labels); the user name only in the bench
QueryFn = Callable[..., T]


# Bench only (bench/load_sessions.py): key caches by user too, the way they were keyed
# before, to measure what sharing them gains.
_CACHE_BY_USER = os.environ.get("LABELRADAR_CACHE_BY_USER") == "1"


def labels_key(scope: Scope) -> LabelsKey:
    """The cache key of a scope: its labels only. Scoped queries depend on nothing else
    (checked by the scoping test), so two users who read the same labels share results."""
    return (scope.username if _CACHE_BY_USER else "", tuple(sorted(scope.labels)))


def scope_for_labels(key: LabelsKey) -> Scope:
    """The scope a shared cache entry runs its queries with: the labels, no person."""
    return Scope(username="(shared cache)", role="viewer", labels=frozenset(key[1]))


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False, max_entries=4000)
def _run_scoped(
    key: str,
    name: str,
    labels: LabelsKey,
    args: tuple[Any, ...],
    kwargs: tuple[tuple[str, Any], ...],
    state_token: int = 0,
) -> Any:
    return queries.SCOPED_QUERIES[name](
        _store_for(key), scope_for_labels(labels), *args, **dict(kwargs)
    )


def query(fn: QueryFn[T], scope: Scope, *args: Any, **kwargs: Any) -> T:
    """Run the scoped query `fn` (a function registered with @scoped) for `scope`, cached
    for TTL_SECONDS and shared by every user with the same labels."""
    if not queries.is_scoped(fn):
        raise TypeError(f"{getattr(fn, '__name__', fn)!r} is not a registered scoped query")
    key = db_key()
    # Workflow state changes without a new published version, and other app instances
    # write it too: a query joining it is keyed on the newest audit entry (every state
    # write is audited in its transaction), one indexed read per call.
    token = audit.latest_id(_store_for(key)) if queries.reads_state(fn) else 0
    return _run_scoped(
        key, fn.__name__, labels_key(scope), args, tuple(sorted(kwargs.items())), token
    )


def clear_caches() -> None:
    """Drop cached query results (after a load or in benchmarks)."""
    _run_scoped.clear()
    _model_run.clear()
    _is_demo.clear()
    _is_real_charts.clear()
    _data_through.clear()
    from app import charts  # local: charts imports this module

    charts.clear_caches()


# -- accounts ---------------------------------------------------------------------------
def authenticate(username: str, password: str, client: str) -> signin.SignIn:
    """Check a sign-in attempt from `client` (see app.auth.client_id): the account if the
    credentials are right, it is enabled and no lockout is in force. Throttled and audited
    in data.signin."""
    return signin.sign_in(store(), username, password, client=client)


def refresh_user(username: str) -> users.User | None:
    """The account as stored now (role, labels, disabled) for a signed-in session."""
    return users.get_user(store(), username)


# -- sessions ---------------------------------------------------------------------------
SESSION_KEY = "lr_session_id"


def touch_session(username: str) -> None:
    """Record in the state database that this browser session is signed in (for
    `labelradar status`), at most once a minute. Bookkeeping only: a state database
    hiccup here never stops the page."""
    import secrets
    import socket

    from sqlalchemy.exc import SQLAlchemyError

    from data.state import sessions

    if SESSION_KEY not in st.session_state:
        st.session_state[SESSION_KEY] = secrets.token_urlsafe(16)
    instance = f"{socket.gethostname()}:{st.get_option('server.port')}"
    with contextlib.suppress(SQLAlchemyError, StateError):
        sessions.touch(store().state, st.session_state[SESSION_KEY], username, instance)


def end_session() -> None:
    """Forget this browser session in the state database (sign-out)."""
    from sqlalchemy.exc import SQLAlchemyError

    from data.state import sessions

    session_id = st.session_state.get(SESSION_KEY)
    if session_id:
        with contextlib.suppress(SQLAlchemyError, StateError):
            sessions.end(store().state, session_id)
