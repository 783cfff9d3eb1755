"""Copying a store: its analytics file and, when it has one beside it, its SQLite state
database (a store is both since workflow state moved to data/state)."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from data.state import state_path_for


def copy_store(source: str | Path, target: str | Path) -> Path:
    """Copy the analytics file at `source` to `target`, and the default state database
    beside it (through SQLite's backup API, so rows still in its write-ahead log come
    along). Returns `target`."""
    source, target = Path(source), Path(target)
    shutil.copyfile(source, target)
    state = state_path_for(source)
    if state.exists():
        copied = state_path_for(target)
        for suffix in ("", "-wal", "-shm"):
            Path(str(copied) + suffix).unlink(missing_ok=True)
        with sqlite3.connect(state) as src, sqlite3.connect(copied) as dst:
            src.backup(dst)
        src.close()
        dst.close()
    return target
