"""Application services: the store, cached scoped queries, sign-in and user management.

Pages call these functions with the signed-in user's Scope (from app.state) and the shared
Filters. Query results are cached with st.cache_data keyed by (store path, query, user and
labels, arguments); the Store itself comes from a st.cache_resource getter and is never
hashed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pandas as pd
import streamlit as st

from analytics.catalog import kpis
from app.safe_text import code, md
from data import audit, queries, users
from data.queries import Filters
from data.queries import catalog as catalog_queries
from data.results import runs
from data.scope import Scope
from data.store import Store, StoreError, default_db_path, open_store
from data.vocab import SOURCES  # noqa: F401  (re-exported for pages: legend order)

TTL_SECONDS = 600
T = TypeVar("T")
BUILD_COMMAND = "labelradar demo"


# -- the store --------------------------------------------------------------------------
def db_path() -> str:
    """The store this process serves: LABELRADAR_DB, else data/labelradar.duckdb."""
    return str(default_db_path().resolve())


@st.cache_resource(show_spinner=False, max_entries=4)
def get_store(path: str) -> Store:
    """One read-write Store per process and path (DuckDB allows one writing process)."""
    return open_store(path)


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
        get_store(str(path))
    except StoreError as exc:
        return (
            f"The store could not be opened: {md(exc)}.\n\n"
            f"If no store has been built yet, run `{BUILD_COMMAND}`; if another Label Radar "
            "process holds the store, stop it and reload this page."
        )
    return None


def store() -> Store:
    return get_store(db_path())


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def _is_demo(path: str) -> bool:
    return get_store(path).is_demo


def is_demo() -> bool:
    """True when the store was built by the synthetic generator."""
    return _is_demo(db_path())


# -- model runs -------------------------------------------------------------------------
@st.cache_data(ttl=30, show_spinner=False)
def _model_run(path: str, job: str) -> runs.ModelRun | None:
    return runs.latest(get_store(path), job)


def model_run(feature: str) -> runs.ModelRun | None:
    """The latest run of a feature's batch job (when its results were computed, on what)."""
    return _model_run(db_path(), feature)


# -- cached scoped queries --------------------------------------------------------------
LabelsKey = tuple[str, ...]
QueryFn = Callable[..., T]


def labels_key(scope: Scope) -> LabelsKey:
    """The cache key of a scope: its labels only. Scoped queries depend on nothing else
    (checked by the scoping test), so two users who read the same labels share results."""
    return tuple(sorted(scope.labels))


def scope_for_labels(labels: LabelsKey) -> Scope:
    """The scope a shared cache entry runs its queries with: the labels, no person."""
    return Scope(username="(shared cache)", role="viewer", labels=frozenset(labels))


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False, max_entries=4000)
def _run_scoped(
    path: str,
    name: str,
    labels: LabelsKey,
    args: tuple[Any, ...],
    kwargs: tuple[tuple[str, Any], ...],
) -> Any:
    return queries.SCOPED_QUERIES[name](
        get_store(path), scope_for_labels(labels), *args, **dict(kwargs)
    )


def query(fn: QueryFn[T], scope: Scope, *args: Any, **kwargs: Any) -> T:
    """Run the scoped query `fn` (a function registered with @scoped) for `scope`, cached
    for TTL_SECONDS and shared by every user with the same labels."""
    if not queries.is_scoped(fn):
        raise TypeError(f"{getattr(fn, '__name__', fn)!r} is not a registered scoped query")
    return _run_scoped(
        db_path(), fn.__name__, labels_key(scope), args, tuple(sorted(kwargs.items()))
    )


def clear_caches() -> None:
    """Drop cached query results (after a load or in benchmarks)."""
    _run_scoped.clear()
    _model_run.clear()
    _is_demo.clear()
    from app import charts  # local: charts imports this module

    charts.clear_caches()


# -- catalog view models ----------------------------------------------------------------
@dataclass(frozen=True)
class CatalogKpis:
    streams: kpis.Change
    listeners: kpis.Change  # current None when no listener ids exist in the window
    active_share: kpis.Change  # pct is the change in percentage points / 100
    tracks: kpis.Change
    previous_from: dt.date | None
    previous_to: dt.date | None


def previous_filters(filters: Filters) -> Filters | None:
    """The same filters over the previous period of equal length."""
    if filters.date_from is None or filters.date_to is None:
        return None
    prev_from, prev_to = kpis.previous_period(filters.date_from, filters.date_to)
    return Filters(
        labels=filters.labels,
        artist_ids=filters.artist_ids,
        date_from=prev_from,
        date_to=prev_to,
        countries=filters.countries,
    )


def catalog_kpis(scope: Scope, filters: Filters) -> CatalogKpis:
    """KPI cards: this period and the previous period of equal length."""
    now = query(catalog_queries.stream_totals, scope, filters).iloc[0]
    now_l = query(catalog_queries.listener_totals, scope, filters).iloc[0]
    prev_f = previous_filters(filters)
    if prev_f is not None:
        prev = query(catalog_queries.stream_totals, scope, prev_f).iloc[0]
        prev_l = query(catalog_queries.listener_totals, scope, prev_f).iloc[0]
    else:
        prev = prev_l = None

    def val(row: pd.Series | None, col: str) -> float | None:
        return None if row is None else float(row[col])

    listeners_now = float(now_l["listeners"]) if now_l["identified_streams"] > 0 else None
    listeners_prev = (
        float(prev_l["listeners"])
        if prev_l is not None and prev_l["identified_streams"] > 0
        else None
    )
    share_now = kpis.share(now["active_streams"], now["streams"])
    share_prev = None if prev is None else kpis.share(prev["active_streams"], prev["streams"])
    share_delta = None if share_now is None or share_prev is None else share_now - share_prev
    return CatalogKpis(
        streams=kpis.compare(val(now, "streams"), val(prev, "streams")),
        listeners=kpis.compare(listeners_now, listeners_prev),
        active_share=kpis.Change(share_now, share_prev, share_delta),
        tracks=kpis.compare(val(now, "tracks"), val(prev, "tracks")),
        previous_from=prev_f.date_from if prev_f else None,
        previous_to=prev_f.date_to if prev_f else None,
    )


def top_tracks(scope: Scope, filters: Filters, limit: int = 100) -> pd.DataFrame:
    """Top tracks with share of streams and active share, ready to show."""
    df = query(catalog_queries.top_tracks, scope, filters, limit=limit)
    total = float(query(catalog_queries.stream_totals, scope, filters).iloc[0]["streams"]) or 1.0
    out = pd.DataFrame(
        {
            "rank": range(1, len(df) + 1),
            "track": df["track_title"],
            "artist": df["artist_name"],
            "label": df["label"],
            "streams": df["streams"],
            "share_pct": 100.0 * df["streams"] / total,
            "active_pct": 100.0 * df["active_streams"] / df["streams"].where(df["streams"] > 0),
            "countries": df["countries"],
            "isrc": df["isrc"],
        }
    )
    return out


def country_streams(scope: Scope, filters: Filters, isrc: str | None = None) -> pd.DataFrame:
    """Streams per country with names and positions, largest first."""
    from app import geo  # local: keeps countryinfo off the import path of light callers

    df = query(catalog_queries.streams_by_country, scope, filters, isrc=isrc)
    total = float(df["streams"].sum()) or 1.0
    df = geo.with_positions(df)
    df["share_pct"] = 100.0 * df["streams"] / total
    df["active_pct"] = 100.0 * df["active_streams"] / df["streams"].where(df["streams"] > 0)
    return df


# -- accounts ---------------------------------------------------------------------------
def authenticate(username: str, password: str) -> users.User | None:
    """The account if the credentials are right and it is enabled; audited either way."""
    st_ = store()
    user = users.authenticate(st_, username, password)
    with st_.write_lock:
        audit.record(
            st_.cursor(),
            actor=username if user else "(anonymous)",
            action="session.sign_in" if user else "session.sign_in_failed",
            entity="session",
            entity_id=username[:64],
        )
    return user


def refresh_user(username: str) -> users.User | None:
    """The account as stored now (role, labels, disabled) for a signed-in session."""
    return users.get_user(store(), username)


def _require_admin(actor: Scope) -> None:
    if actor.role != "admin":
        raise users.UserError("only administrators can manage users")


def _check_labels(actor: Scope, labels: list[str]) -> None:
    outside = sorted(set(labels) - set(actor.labels))
    if outside:
        raise users.UserError(
            "you can only grant labels you have access to yourself: " + ", ".join(outside)
        )


def list_users(actor: Scope) -> pd.DataFrame:
    _require_admin(actor)
    return users.list_users(store())


def add_user(
    actor: Scope, username: str, password: str, role: str, labels: list[str]
) -> users.User:
    _require_admin(actor)
    _check_labels(actor, labels)
    return users.add_user(store(), username.strip(), password, role, labels, actor=actor.username)


def update_user(
    actor: Scope,
    username: str,
    *,
    role: str | None = None,
    labels: list[str] | None = None,
    password: str | None = None,
    disabled: bool | None = None,
) -> users.User:
    """Change an account. Admins cannot lock themselves out (disable or demote themselves)."""
    _require_admin(actor)
    if labels is not None:
        current = users.get_user(store(), username)
        # Labels the admin cannot see stay as they are; only visible ones can change.
        hidden = [lab for lab in (current.labels if current else ()) if lab not in actor.labels]
        _check_labels(actor, labels)
        labels = sorted(set(labels) | set(hidden))
    if username == actor.username and (disabled or (role is not None and role != "admin")):
        raise users.UserError("you cannot disable your own account or remove your own admin role")
    return users.update_user(
        store(),
        username,
        actor=actor.username,
        role=role,
        labels=labels,
        password=password,
        disabled=disabled,
    )


def user_audit(actor: Scope, limit: int = 500) -> pd.DataFrame:
    """The latest user-management entries of the audit log, newest first."""
    _require_admin(actor)
    df = audit.entries(store().cursor(), entity="user")
    return df.sort_values("audit_id", ascending=False).head(limit).reset_index(drop=True)
