"""Migration 012 on a store with fan results keyed by artist alone: the artist-level tables
get their label column, their old rows and the fans run row go, and `labelradar refresh
--if-missing` fits the fans model again (and only it)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from app.cli import main
from data.backup import copy_store
from data.store import open_store

ARTIST_TABLES = ("fan_mix", "fan_assignments", "fan_breakdowns", "fan_targets")


def _as_before_012(path: Path) -> None:
    """Turn a current store back into one at schema 11: artist-level tables without label."""
    with open_store(path) as store, store.transaction() as tx:
        for t in ARTIST_TABLES:
            tx.execute(f"CREATE TABLE old_{t} AS SELECT * EXCLUDE (label) FROM {t}")
            tx.execute(f"DROP TABLE {t}")
            tx.execute(f"ALTER TABLE old_{t} RENAME TO {t}")
        tx.execute("DELETE FROM schema_migrations WHERE version = 12")


def _mix(path: Path) -> pd.DataFrame:
    with open_store(path, read_only=True) as store:
        return store.cursor().execute("SELECT * FROM fan_mix ORDER BY ALL").df()


def test_migration_clears_the_fans_results_and_refresh_refits_them(
    demo_db: Path, tmp_path: Path
) -> None:
    path = tmp_path / "old.duckdb"
    copy_store(demo_db, path)
    fitted = _mix(path)
    _as_before_012(path)
    with open_store(path) as store:  # read-write: applies 012
        cur = store.cursor()
        assert cur.execute("SELECT max(version) FROM schema_migrations").fetchone()[0] >= 12
        for t in ARTIST_TABLES:
            cols = [r[0] for r in cur.execute(f"DESCRIBE {t}").fetchall()]
            assert cols[:2] == ["artist_id", "label"], t
            assert cur.execute(f"SELECT count(*) FROM {t}").fetchone()[0] == 0, t
        jobs = dict(cur.execute("SELECT job, count(*) FROM model_runs GROUP BY job").fetchall())
    assert "fans" not in jobs and jobs  # the other jobs' runs are kept
    assert main(["refresh", "--if-missing", "--db", str(path), "--quiet"]) == 0
    with open_store(path, read_only=True) as store:
        after = dict(
            store.cursor().execute("SELECT job, count(*) FROM model_runs GROUP BY job").fetchall()
        )
    assert after == {**jobs, "fans": 1}
    # no artist of the demo store is split: the refit gives the same mixes, now with labels
    pd.testing.assert_frame_equal(_mix(path), fitted)
