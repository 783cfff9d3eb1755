"""Stores built once per test session and shared by the xdist workers.

The tiny demo store (seed 0, every batch job run) is wanted by a dozen fixtures, the
split-artist and hostile-text stores by several modules each. Each build costs 25-30 s of
CPU (generator about 4 s, batch jobs about 20 s), so each is built once, by whichever
worker asks first, in the temporary directory the workers share; the others wait on a
file lock. Every caller gets its own copy (store, state database and delivery files):
DuckDB lets one process at a time open a file, and what one test writes must never reach
another.
"""

from __future__ import annotations

import fcntl
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from data.backup import copy_store

STORE = "store.duckdb"
FILES = "files"


def _shared_root(factory: pytest.TempPathFactory) -> Path:
    """The directory every worker of this session sees (xdist gives each worker its own
    basetemp inside it); without xdist, the session's own basetemp. `scripts/test.sh` sets
    LABELRADAR_TEST_SHARED to one fresh directory for both of its pytest runs, so the serial
    run copies the stores the parallel run built instead of building them again."""
    shared = os.environ.get("LABELRADAR_TEST_SHARED")
    if shared:
        return Path(shared)
    base = factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def shared_build(factory: pytest.TempPathFactory, key: str, build: Callable[[Path], None]) -> Path:
    """The path of the session's store `key`, calling `build(path)` the first time any
    worker asks. `build` may write more files beside the store (delivery files in
    `path.parent / "files"`). Read it only through a copy (`private_copy`)."""
    root = _shared_root(factory) / f"shared-{key}"
    root.mkdir(exist_ok=True)
    done = root / "built"
    with open(root / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if not done.exists():
            build(root / STORE)
            done.touch()
    return root / STORE


def private_copy(master: Path, target: Path) -> Path:
    """Copy a shared store (and its delivery files, if any) to `target`. Returns it."""
    target.parent.mkdir(parents=True, exist_ok=True)
    copy_store(master, target)
    files, copied = master.parent / FILES, target.parent / FILES
    if files.exists() and not copied.exists():
        shutil.copytree(files, copied)
    return target


def _build_tiny_demo(path: Path) -> None:
    from app.jobs import run_jobs
    from data.store import open_store
    from data.synth import build_demo_store

    build_demo_store(path, size="tiny", seed=0, out_dir=path.parent / FILES)
    with open_store(path) as store:
        run_jobs(store)


def tiny_demo_copy(factory: pytest.TempPathFactory, target: Path) -> Path:
    """A private copy at `target` of the generated tiny demo store (SYNTHETIC, seed 0,
    demo accounts, every batch job run), with the delivery files it was loaded from in
    `target.parent / "files"`. Returns `target`."""
    return private_copy(shared_build(factory, "tiny-demo-seed0", _build_tiny_demo), target)
