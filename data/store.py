"""Opening the DuckDB store and keeping its schema current."""

from __future__ import annotations

import collections
import contextlib
import os
import threading
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

if TYPE_CHECKING:
    from data.state import StateDB

DEFAULT_DB = Path("data") / "labelradar.duckdb"
ATTACHED = "labelradar"  # the catalog name of a read-only store's attached file
# Files this process holds read-write: a read-only open of one shares that database.
_WRITERS: collections.Counter[str] = collections.Counter()


class StoreError(Exception):
    """A problem with the store a user can act on (locked, missing, wrong version)."""


def missing_store_message(path: str | Path) -> str:
    """The one line every command but `init` and `demo` says for a path with no store."""
    return f"no store at {path}: create one with `labelradar init` or `labelradar demo`"


def default_db_path() -> Path:
    """LABELRADAR_DB if set, else data/labelradar.duckdb."""
    return Path(os.environ.get("LABELRADAR_DB") or DEFAULT_DB)


def _migrations() -> list[tuple[int, str, str]]:
    """(version, name, sql) for every file in data/migrations, in order."""
    found = []
    for entry in resources.files("data.migrations").iterdir():
        name = entry.name
        if name.endswith(".sql") and name[:3].isdigit():
            found.append((int(name[:3]), name, entry.read_text(encoding="utf-8")))
    return sorted(found)


SCHEMA_VERSION = max(v for v, _, _ in _migrations())


class Store:
    """One DuckDB database. Thread-safe use goes through `cursor()`, one per thread."""

    def __init__(
        self,
        path: str | Path,
        *,
        read_only: bool = False,
        memory_limit: str = "4GB",
        create: bool = True,
        state_url: str | None = None,
    ):
        """Open the store at `path`. A missing file is created (read-write, `create`) or a
        StoreError (read-only, or `create=False`: a typo in a path must not make a store).

        Read-only opens attach the file to a private in-memory database, so a process
        that reopens the path after a publish (data/publish.py) gets the new version
        while older Store objects keep reading theirs. `state_url` names the workflow-state
        database (default: data.state.default_state_url of `path`)."""
        from data.state import default_state_url

        self.path = Path(path) if str(path) != ":memory:" else Path(":memory:")
        self.read_only = read_only
        self._state_url = state_url or default_state_url(path)
        self._state = None
        self._attached = False
        # Write transactions committed through this object (a publishing copy with none
        # is not published: nothing changed).
        self.commits = 0
        # Set when the aggregate backlog could not be refreshed on open (see _finish_backlog).
        self.backlog_problem: str | None = None
        if str(path) != ":memory:":
            if (read_only or not create) and not self.path.exists():
                raise StoreError(missing_store_message(self.path))
            self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.con = self._connect(str(path), read_only)
        except (duckdb.IOException, duckdb.BinderException) as exc:
            if "lock" in str(exc).lower():
                raise StoreError(
                    f"the store {self.path} is in use by another process "
                    "(is the app or another labelradar command running?)"
                ) from exc
            raise StoreError(f"cannot open the store {self.path}: {exc}") from exc
        self.con.execute(f"SET memory_limit = '{memory_limit}'")
        self.con.execute("SET preserve_insertion_order = false")
        self._local = threading.local()
        self._write_lock = threading.RLock()
        if not read_only:
            _WRITERS[self._key()] += 1
            self.migrate()
            self._import_legacy_state()
            self._finish_backlog()
        else:
            self._check_version()
            self.backlog_problem = self._recorded_backlog_failure()

    def _recorded_backlog_failure(self) -> str | None:
        """For a read-only open (which cannot retry it): the recorded failure of the
        aggregate refresh a load left pending, if any."""
        cur = self.cursor()  # fetchall: no result left open on the thread's cursor
        if not cur.execute("SELECT count(*) FROM aggregate_backlog").fetchall()[0][0]:
            return None
        rows = cur.execute(
            "SELECT message FROM step_failures WHERE step = 'aggregates' "
            "ORDER BY failed_at DESC LIMIT 1"
        ).fetchall()
        return None if not rows else f"aggregate refresh failed: {rows[0][0]}"

    # -- connections -------------------------------------------------------------------
    def _key(self) -> str:
        return str(self.path.resolve()) if str(self.path) != ":memory:" else f":memory:{id(self)}"

    def _connect(self, path: str, read_only: bool) -> duckdb.DuckDBPyConnection:
        if read_only and path != ":memory:" and not _WRITERS[self._key()]:
            # A private in-memory database with the file attached: DuckDB caches one
            # database per path and process, which would keep serving a replaced version.
            con = duckdb.connect()
            try:
                quoted = str(self.path.resolve()).replace("'", "''")
                con.execute(f"ATTACH '{quoted}' AS {ATTACHED} (READ_ONLY)")
                con.execute(f"USE {ATTACHED}")
            except BaseException:
                con.close()
                raise
            self._attached = True
            return con
        try:
            return duckdb.connect(path, read_only=read_only)
        except duckdb.ConnectionException as exc:
            # DuckDB keeps one configuration per file and process: when this process already
            # holds the file read-write, a read-only open must share that database. The Store
            # still refuses writes (see transaction()).
            if not read_only or "different configuration" not in str(exc):
                raise
            return duckdb.connect(path, read_only=False)

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """A cursor private to the calling thread (DuckDB connections are not shareable)."""
        cur = getattr(self._local, "cur", None)
        if cur is None:
            cur = self.con.cursor()
            if self._attached:
                # fetched: DuckDB refuses to register a frame on a cursor with a result
                # still open, and USE leaves one
                cur.execute(f"USE {ATTACHED}").fetchall()
            self._local.cur = cur
        return cur

    def new_cursor(self) -> duckdb.DuckDBPyConnection:
        """A fresh cursor of its own (for work that registers relations on it); the
        caller closes it."""
        cur = self.con.cursor()
        if self._attached:
            cur.execute(f"USE {ATTACHED}")
        return cur

    @property
    def state(self) -> StateDB:
        """The workflow-state database (accounts, statuses, proposals, the audit log)."""
        if self._state is None:
            from data.state import open_state

            self._state = open_state(self._state_url)
        return self._state

    @property
    def state_url(self) -> str:
        return self._state_url

    def _import_legacy_state(self) -> None:
        from data.state import legacy

        legacy.import_once(self, self.state)

    @property
    def write_lock(self) -> threading.RLock:
        """Serialises multi-statement write transactions within this process."""
        return self._write_lock

    @contextlib.contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """This thread's cursor inside BEGIN ... COMMIT, under the write lock.

        Any exception (KeyboardInterrupt included) rolls back, so the store stays as it was.
        """
        if self.read_only:
            raise StoreError(f"the store {self.path} was opened read-only")
        with self._write_lock:
            cur = self.cursor()
            cur.execute("BEGIN TRANSACTION")
            try:
                yield cur
            except BaseException:
                cur.execute("ROLLBACK")
                raise
            cur.execute("COMMIT")
            self.commits += 1

    def close(self) -> None:
        if not self.read_only and not getattr(self, "_closed", False):
            _WRITERS[self._key()] -= 1
        self._closed = True
        self.con.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- schema ------------------------------------------------------------------------
    def schema_version(self) -> int:
        cur = self.cursor()
        exists = cur.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_migrations'"
        ).fetchone()[0]
        if not exists:
            return 0
        return cur.execute("SELECT coalesce(max(version), 0) FROM schema_migrations").fetchone()[0]

    def _applied_count(self) -> int:
        return self.cursor().execute("SELECT count(*) FROM schema_migrations").fetchone()[0]

    def _check_version(self) -> None:
        version = self.schema_version()
        if version != SCHEMA_VERSION or self._applied_count() != len(_migrations()):
            raise StoreError(
                f"the store {self.path} has schema version {version}, this program needs "
                f"{SCHEMA_VERSION}: open it once read-write (any labelradar command) to migrate"
            )

    def migrate(self) -> list[int]:
        """Apply pending migrations, each in its own transaction. Returns versions applied."""
        cur = self.cursor()
        cur.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
            "name VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL DEFAULT current_timestamp)"
        )
        # Apply every missing version (not only those above the maximum), so migrations
        # merged from parallel branches are never skipped.
        done = {v for (v,) in cur.execute("SELECT version FROM schema_migrations").fetchall()}
        applied = []
        for version, name, sql in _migrations():
            if version in done:
                continue
            with self.transaction() as tx:
                tx.execute(sql)
                tx.execute(
                    "INSERT INTO schema_migrations (version, name) VALUES (?, ?)", [version, name]
                )
            applied.append(version)
        return applied

    def _finish_backlog(self) -> None:
        """Refresh aggregates an interrupted multi-file command left queued.

        A refresh that fails must not make the store unusable (every later open would fail
        the same way): the failure is recorded, the backlog kept, and `backlog_problem` says
        what happened; `labelradar doctor` repairs it."""
        from data import health

        cur = self.cursor()
        if cur.execute("SELECT count(*) FROM aggregate_backlog").fetchone()[0] == 0:
            return
        try:
            health.refresh_backlog(self)
        except health.StepFailed as exc:
            self.backlog_problem = str(exc)

    # -- store facts -------------------------------------------------------------------
    def get_meta(self, key: str) -> str | None:
        row = self.cursor().execute("SELECT value FROM store_meta WHERE key = ?", [key]).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        self.cursor().execute(
            "INSERT OR REPLACE INTO store_meta (key, value) VALUES (?, ?)", [key, value]
        )
        self.commits += 1

    @property
    def is_demo(self) -> bool:
        """True when the store was built by the synthetic generator."""
        return self.get_meta("synthetic") == "true"


def open_store(
    path: str | Path | None = None,
    *,
    read_only: bool = False,
    create: bool = True,
    state_url: str | None = None,
) -> Store:
    """Open (and migrate) the store at `path`, or the default location. With `create=False`
    a missing store is a StoreError instead of a new, empty store."""
    return Store(
        path if path is not None else default_db_path(),
        read_only=read_only,
        create=create,
        state_url=state_url,
    )
