"""The workflow-state database: what people write while the app runs (accounts, sign-in
throttling, SSO group mappings, alert statuses, budget proposals, the audit log).

SQLite in WAL mode beside the analytics store by default; PostgreSQL when a URL says so
(LABELRADAR_STATE_URL or `--state`). One code path through SQLAlchemy Core serves both:
callers write portable SQL with `?` placeholders and get DB-API-like cursors, so the
workflow modules read the same whichever database holds the state.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.pool import StaticPool

STATE_URL_ENV = "LABELRADAR_STATE_URL"
SQLITE_BUSY_SECONDS = 30  # how long a writer waits for another one before giving up


class StateError(Exception):
    """The state database cannot be reached or used (message for the user)."""


def default_state_url(store_path: str | Path) -> str:
    """LABELRADAR_STATE_URL if set, else a SQLite file beside the analytics store
    (`x.duckdb` -> `x.state.sqlite`); an in-memory store gets an in-memory state."""
    env = os.environ.get(STATE_URL_ENV)
    if env:
        return env
    if str(store_path) == ":memory:":
        return "sqlite://"
    return f"sqlite:///{state_path_for(store_path)}"


def state_path_for(store_path: str | Path) -> Path:
    """The default SQLite state file of the analytics store at `store_path`."""
    path = Path(store_path).resolve()
    return path.with_name(path.stem + ".state.sqlite")


def sqlite_file(url: str) -> Path | None:
    """The file a sqlite:/// URL names (None for another dialect, in-memory, or a URL that
    does not parse: opening it says why)."""
    try:
        parsed = sa.engine.make_url(url)
    except sa.exc.ArgumentError:
        return None
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def utc_now() -> dt.datetime:
    """Now in UTC, naive, as every state TIMESTAMP column holds it."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


_MARK = re.compile(r"\?")


def _named(sql: str, params: Sequence[Any] | None) -> tuple[sa.TextClause, dict[str, Any]]:
    """`?` placeholders to SQLAlchemy's named ones (the workflow SQL never has a literal ?)."""
    values = list(params or [])
    counter = iter(range(len(values) + 1))
    text = _MARK.sub(lambda _m: f":p{next(counter)}", sql)
    return sa.text(text), {f"p{i}": v for i, v in enumerate(values)}


class StateCursor:
    """A connection inside one transaction, with a DB-API-like surface."""

    def __init__(self, conn: sa.Connection):
        self.conn = conn

    def execute(self, sql: str, params: Sequence[Any] | None = None) -> sa.CursorResult:
        stmt, bound = _named(sql, params)
        return self.conn.execute(stmt, bound)

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        if not rows:
            return
        stmt, _ = _named(sql, rows[0])
        self.conn.execute(stmt, [{f"p{i}": v for i, v in enumerate(r)} for r in rows])

    def df(self, sql: str, params: Sequence[Any] | None = None) -> pd.DataFrame:
        result = self.execute(sql, params)
        return pd.DataFrame(result.fetchall(), columns=list(result.keys()))


class StateDB:
    """One state database (an engine and its connection pool), shared per URL and process."""

    def __init__(self, url: str):
        self.url = url
        try:
            parsed = sa.engine.make_url(url)
        except sa.exc.ArgumentError as exc:
            raise StateError(f"the state database URL {url!r} is not valid") from exc
        self.dialect = parsed.get_backend_name()
        if self.dialect not in ("sqlite", "postgresql"):
            raise StateError(f"state database {self.dialect!r}: use sqlite:/// or postgresql://")
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        self.engine = _engine(parsed)
        from data.state import migrate

        try:
            migrate.apply(self)
        except sa.exc.DBAPIError as exc:  # unreachable, locked, or not a database at all
            raise StateError(
                f"cannot open the state database {self.display()}: {exc.orig}"
            ) from exc

    def display(self) -> str:
        """The URL without its password, for messages and `labelradar status`."""
        return sa.engine.make_url(self.url).render_as_string(hide_password=True)

    @contextlib.contextmanager
    def transaction(self) -> Iterator[StateCursor]:
        """A write transaction: on SQLite it takes the write lock up front (BEGIN
        IMMEDIATE) so two writers queue instead of failing on a lock upgrade."""
        with self.engine.connect() as conn:
            conn.info["immediate"] = True
            with conn.begin():
                yield StateCursor(conn)

    @contextlib.contextmanager
    def reading(self) -> Iterator[StateCursor]:
        """A read-only view (no write lock taken): one consistent snapshot."""
        with self.engine.connect() as conn, conn.begin():
            yield StateCursor(conn)

    def read(self, sql: str, params: Sequence[Any] | None = None) -> list[sa.Row]:
        with self.engine.connect() as conn:
            return list(StateCursor(conn).execute(sql, params).fetchall())

    def read_df(self, sql: str, params: Sequence[Any] | None = None) -> pd.DataFrame:
        with self.engine.connect() as conn:
            return StateCursor(conn).df(sql, params)

    def dispose(self) -> None:
        self.engine.dispose()


def _engine(url: sa.URL) -> sa.Engine:
    if url.get_backend_name() != "sqlite":
        return sa.create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10)
    memory = url.database in (None, "", ":memory:")
    if not memory:
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(
        url,
        connect_args={
            "timeout": SQLITE_BUSY_SECONDS,
            "detect_types": sqlite3.PARSE_DECLTYPES,
            "check_same_thread": False,
        },
        poolclass=StaticPool if memory else None,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_con: sqlite3.Connection, _record: object) -> None:
        # SQLAlchemy issues BEGIN itself (below); WAL lets readers run beside a writer.
        dbapi_con.isolation_level = None
        if not memory:
            dbapi_con.execute("PRAGMA journal_mode=WAL")
        dbapi_con.execute("PRAGMA foreign_keys=ON")
        dbapi_con.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_SECONDS * 1000}")

    @event.listens_for(engine, "begin")
    def _on_begin(conn: sa.Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.info.pop("immediate", False) else "BEGIN")

    return engine


_OPEN: dict[str, StateDB] = {}
_OPEN_LOCK = threading.Lock()


def open_state(url: str) -> StateDB:
    """The StateDB for `url`, migrated; one per URL and process (in-memory ones are never
    shared: each belongs to its own in-memory analytics store)."""
    if url == "sqlite://":
        return StateDB(url)
    with _OPEN_LOCK:
        db = _OPEN.get(url)
        if db is not None and _file_gone(db):
            # The file was removed (a rebuilt demo store): never write to the old inode.
            db.dispose()
            db = None
        if db is None:
            db = _OPEN[url] = StateDB(url)
        return db


def _file_gone(db: StateDB) -> bool:
    path = sqlite_file(db.url)
    return path is not None and not path.exists()


def forget_state(url: str) -> None:
    """Close and forget this process's engine for `url` (before its file is removed)."""
    with _OPEN_LOCK:
        db = _OPEN.pop(url, None)
    if db is not None:
        db.dispose()


def reset_default_state(store_path: str | Path) -> bool:
    """Remove the SQLite state file beside `store_path` (a store being built afresh starts
    with fresh workflow state). Does nothing when LABELRADAR_STATE_URL names the state
    database: a shared one is never wiped by a build. Returns whether it removed one."""
    if os.environ.get(STATE_URL_ENV) or str(store_path) == ":memory:":
        return False
    path = state_path_for(store_path)
    forget_state(f"sqlite:///{path}")
    existed = path.exists()
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    return existed


def as_datetime(value: Any) -> dt.datetime | None:
    """A TIMESTAMP as read back (SQLite aggregates return text), as a naive datetime."""
    if value is None or isinstance(value, dt.datetime):
        return value
    return dt.datetime.fromisoformat(str(value))
