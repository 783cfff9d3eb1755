"""One writer, many readers: batch work writes a private copy of the analytics store and
publishes it with one atomic rename over the store's path.

    data/labelradar.duckdb              the published version (what readers open)
    data/labelradar.duckdb.lock         held (flock) by the one writer at a time
    data/labelradar.duckdb.next-<pid>   the writer's working copy until it is published

A writer takes the lock, copies the published file, works on the copy (every command's
transactions as before), checkpoints and fsyncs it, then os.replace()s it over the path and
fsyncs the directory. A reader opens the path read-only and keeps the version it opened
(its open file survives the rename); its next open gets the new one. Nothing half-written is
ever at the path: a writer killed at any point leaves the previous version there, and the
next writer removes the dead copy. A replaced version is freed by the file system when its
last reader closes it, so old versions need no sweeping.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import sys
import time
from pathlib import Path

from data.state import default_state_url, utc_now
from data.store import Store, StoreError, missing_store_message

# Seconds to sleep after the copy is durable and before the swap: lets a test kill a
# refresh in the middle of publishing. Never set in production.
PAUSE_ENV = "LABELRADAR_PUBLISH_PAUSE"
VERSION_KEY = "published_version"
PUBLISHED_AT_KEY = "published_at"


def lock_path(path: Path) -> Path:
    return path.with_name(path.name + ".lock")


def _work_path(path: Path) -> Path:
    return path.with_name(f"{path.name}.next-{os.getpid()}")


def _take_lock(path: Path) -> int:
    """The store's one-writer lock (an open descriptor holding a flock), or a StoreError
    naming who to wait for."""
    fd = os.open(lock_path(path), os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError as exc:
        os.close(fd)
        raise StoreError(
            f"another labelradar command is writing the store {path} "
            "(a load or refresh): wait for it to finish"
        ) from exc
    return fd


def _remove_leftovers(path: Path) -> None:
    """Working copies of writers that died (we hold the lock, so none is alive)."""
    for stale in path.parent.glob(f"{path.name}.next-*"):
        stale.unlink(missing_ok=True)


def _fsync(path: Path, *, directory: bool = False) -> None:
    fd = os.open(path, os.O_RDONLY | (os.O_DIRECTORY if directory else 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class PublishingStore(Store):
    """A read-write Store on a private copy of the published store at `path`; `close()`
    publishes it. An error while it is open still publishes what was committed (as the
    store written in place would have kept it); only a process that dies publishes
    nothing, and the next writer clears its copy."""

    def __init__(self, path: str | Path, *, state_url: str | None = None):
        self.published_path = path = Path(path)
        if not path.exists():
            raise StoreError(missing_store_message(path))
        self._lock_fd: int | None = _take_lock(path)
        self.published: int | None = None
        self.work_path = _work_path(path)
        try:
            _remove_leftovers(path)
            shutil.copyfile(path, self.work_path)
            wal = Path(str(path) + ".wal")  # last written in place and never checkpointed
            if wal.exists():
                shutil.copyfile(wal, Path(str(self.work_path) + ".wal"))
            super().__init__(self.work_path, state_url=state_url or default_state_url(path))
            # Fold an inherited log into the copy, so a non-empty log means a new write.
            self.cursor().execute("CHECKPOINT")
        except BaseException:
            self._cleanup()
            raise

    def changed(self) -> bool:
        """Whether anything was written: a counted commit, or an autocommit statement
        (it reached the copy's write-ahead log)."""
        wal = Path(str(self.work_path) + ".wal")
        return bool(self.commits) or (wal.exists() and wal.stat().st_size > 0)

    def __exit__(self, exc_type: object, *rest: object) -> None:
        if exc_type is not None and not self.changed():
            self._cleanup()  # failed before changing anything: the version stays as it was
        else:
            self.close()

    def close(self) -> None:
        """Publish the copy (everything committed so far; nothing when nothing was) and
        release the writer lock."""
        if self._lock_fd is None:
            return
        if not self.changed():
            self._cleanup()
            return
        try:
            self._publish()
        except BaseException:
            self._cleanup()
            raise
        self._release()

    def _publish(self) -> None:
        cur = self.cursor()
        version = int(self.get_meta(VERSION_KEY) or 0) + 1
        self.set_meta(VERSION_KEY, str(version))
        self.set_meta(PUBLISHED_AT_KEY, utc_now().isoformat(timespec="seconds"))
        cur.execute("CHECKPOINT")
        super().close()
        _fsync(self.work_path)
        pause = float(os.environ.get(PAUSE_ENV) or 0)
        if pause:
            print(
                f"publish: paused before publishing version {version}", file=sys.stderr, flush=True
            )
            time.sleep(pause)
        os.replace(self.work_path, self.published_path)
        # The old version's write-ahead log must never be replayed into the new one.
        Path(str(self.published_path) + ".wal").unlink(missing_ok=True)
        _fsync(self.published_path.parent, directory=True)
        self.published = version

    def _cleanup(self) -> None:
        """Drop the copy unpublished and release the lock."""
        if hasattr(self, "con") and not getattr(self, "_closed", False):
            with contextlib.suppress(Exception):
                Store.close(self)
        for leftover in (self.work_path, Path(str(self.work_path) + ".wal")):
            leftover.unlink(missing_ok=True)
        self._release()

    def _release(self) -> None:
        if self._lock_fd is not None:
            os.close(self._lock_fd)  # releases the flock
            self._lock_fd = None


def published_version(store: Store) -> int:
    """The published version number of an open store (0: never published)."""
    return int(store.get_meta(VERSION_KEY) or 0)
