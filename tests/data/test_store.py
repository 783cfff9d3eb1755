"""Store: migrations apply once, versions are checked, a locked store gets a clear error."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from data.backup import copy_store
from data.store import SCHEMA_VERSION, StoreError, _migrations, open_store

MIGRATIONS = Path(__file__).resolve().parents[2] / "data" / "migrations"


def test_migrations_apply_once(tmp_path):
    path = tmp_path / "s.duckdb"
    with open_store(path) as s:
        assert s.schema_version() == SCHEMA_VERSION
    with open_store(path) as s:
        assert s.migrate() == []
        versions = s.cursor().execute("SELECT version FROM schema_migrations").fetchall()
        # every migration file once, in order, from 1 to the schema version, no gaps
        assert [v for v, _, _ in _migrations()] == list(range(1, SCHEMA_VERSION + 1))
        assert [v for (v,) in versions] == list(range(1, SCHEMA_VERSION + 1))


def test_read_only_on_missing_store_says_how_to_build(tmp_path):
    with pytest.raises(StoreError, match="labelradar demo"):
        open_store(tmp_path / "missing.duckdb", read_only=True)


def test_store_in_use_by_another_process(tmp_path):
    path = tmp_path / "s.duckdb"
    open_store(path).close()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import duckdb, sys, time; c = duckdb.connect({str(path)!r}); "
            "print('ready', flush=True); time.sleep(30)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ready"
        with pytest.raises(StoreError, match="in use by another process"):
            open_store(path)
    finally:
        holder.kill()
        holder.wait()


def test_demo_flag(tmp_path):
    with open_store(tmp_path / "s.duckdb") as s:
        assert not s.is_demo
        s.set_meta("synthetic", "true")
        assert s.is_demo


def test_enum_types_match_the_vocabulary():
    """The schema's ENUM types and data/vocab.py spell the same lists, in the same order."""
    from data import vocab

    expected = {
        "age_band_t": vocab.AGE_BANDS,
        "gender_t": vocab.GENDERS,
        "subscription_t": vocab.SUBSCRIPTIONS,
        "device_t": vocab.DEVICES,
        "os_t": vocab.OSES,
        "source_t": vocab.SOURCES,
        "platform_t": vocab.PLATFORMS,
        "role_t": vocab.ROLES,
    }
    with open_store(":memory:") as s:
        for type_name, values in expected.items():
            got = s.cursor().execute(f"SELECT enum_range(NULL::{type_name})").fetchone()[0]
            assert tuple(got) == values, type_name


def test_transaction_commits_or_rolls_back_everything(tmp_path):
    with open_store(tmp_path / "s.duckdb") as s:
        with s.transaction() as cur:
            cur.execute("INSERT INTO store_meta VALUES ('a', '1')")
        with pytest.raises(KeyboardInterrupt), s.transaction() as cur:
            cur.execute("INSERT INTO store_meta VALUES ('b', '2')")
            raise KeyboardInterrupt
        keys = [
            k for (k,) in s.cursor().execute("SELECT key FROM store_meta ORDER BY key").fetchall()
        ]
        assert keys == ["a"]


def test_read_only_open_beside_a_read_write_one_in_the_same_process(tmp_path):
    """DuckDB refuses two configurations of one file in a process; the read-only Store
    shares the open database and still refuses writes."""
    path = tmp_path / "s.duckdb"
    with open_store(path) as rw, open_store(path, read_only=True) as ro:
        rw.set_meta("probe", "1")
        assert ro.get_meta("probe") == "1"
        with pytest.raises(StoreError, match="read-only"), ro.transaction():
            pass


def test_a_read_only_store_s_cursors_take_a_frame_first(tmp_path):
    """A read-only open attaches the file; each thread's cursor starts with USE. DuckDB
    refuses to register a frame on a cursor with a result still open, so nothing may be
    left open there (the alerts job's window reads register first on a fresh cursor)."""
    import threading

    import pandas as pd

    path = tmp_path / "s.duckdb"
    with open_store(path):
        pass
    frame = pd.DataFrame({"a": [1, 2]})

    def first_a_frame(store, out):
        cur = store.cursor()
        cur.register("probe", frame)
        out.append(cur.execute("SELECT sum(a) FROM probe").fetchall()[0][0])

    got: list[int] = []
    with open_store(path, read_only=True) as ro:
        first_a_frame(ro, got)  # the opening thread's cursor (the open read from it)
        t = threading.Thread(target=first_a_frame, args=(ro, got))
        t.start()
        t.join()
    assert got == [3, 3]


def test_listener_zstd_migration_keeps_every_row_and_column(demo_db, tmp_path):
    """Migration 007 rebuilds trend_facts (and agg_listener_month, which 030 dropped): same
    rows, same column order (positional INSERTs keep working), listener_id stored with zstd."""
    from importlib import resources

    path = tmp_path / "s.duckdb"
    copy_store(demo_db, path)
    tables = ("trend_facts",)

    def snapshot(cur):
        return {
            t: (
                cur.execute(f"SELECT count(*), sum(hash(COLUMNS(*))) FROM {t}").fetchall(),
                cur.execute(
                    f'SELECT column_name, column_type, "null" FROM (DESCRIBE {t})'
                ).fetchall(),
            )
            for t in tables
        }

    sql = resources.files("data.migrations").joinpath("007_listener_zstd.sql").read_text()
    # Its trend_facts part: agg_listener_month is gone since migration 030.
    sql = sql[: sql.index("CREATE TABLE agg_listener_month_007")]
    with open_store(path) as s:
        before = snapshot(s.cursor())
        assert before["trend_facts"][0][0][0] > 0
        with s.transaction() as tx:  # the migration again, over a store full of data
            tx.execute(sql)
        assert snapshot(s.cursor()) == before
        s.cursor().execute("CHECKPOINT")
        for t in tables:
            used = (
                s.cursor()
                .execute(
                    f"SELECT DISTINCT compression FROM pragma_storage_info('{t}') "
                    "WHERE column_name = 'listener_id' AND segment_type = 'VARCHAR'"
                )
                .fetchall()
            )
            assert used == [("ZSTD",)], t
