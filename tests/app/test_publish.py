"""Analytics versions: batch commands publish a private copy atomically (data/publish.py).
Readers keep the version they opened, the next open gets the new one, a command killed
while publishing leaves the previous version in place, and the next command recovers."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.cli import main
from data import publish
from data.store import StoreError, open_store

ROOT = Path(__file__).resolve().parents[2]


def _version(db: Path) -> int:
    with open_store(db, read_only=True) as store:
        return publish.published_version(store)


def test_readers_keep_their_version_and_the_next_open_gets_the_new_one(mini_db_copy):
    full = _count(mini_db_copy)
    before = open_store(mini_db_copy, read_only=True)
    with publish.PublishingStore(mini_db_copy) as writer:
        cur = writer.cursor()
        cur.execute("DELETE FROM trend_facts WHERE date > DATE '2025-01-30'")
        kept = cur.execute("SELECT count(*) FROM trend_facts").fetchone()[0]
        assert 0 < kept < full
        # not published yet: a new reader still sees everything
        assert _count(mini_db_copy) == full
    assert before.cursor().execute("SELECT count(*) FROM trend_facts").fetchone()[0] == full
    assert _count(mini_db_copy) == kept
    assert publish.published_version(before) == 0 and _version(mini_db_copy) == 1
    before.close()
    assert not list(mini_db_copy.parent.glob("*.next-*"))


def _count(db: Path) -> int:
    with open_store(db, read_only=True) as store:
        return store.cursor().execute("SELECT count(*) FROM trend_facts").fetchone()[0]


def test_one_writer_at_a_time_and_no_version_without_a_change(mini_db_copy):
    with (
        publish.PublishingStore(mini_db_copy) as writer,
        pytest.raises(StoreError, match="another labelradar command is writing"),
    ):
        writer.set_meta("note", "first")
        publish.PublishingStore(mini_db_copy)
    assert _version(mini_db_copy) == 1
    with publish.PublishingStore(mini_db_copy):  # the lock was released; nothing written
        pass
    assert _version(mini_db_copy) == 1
    with pytest.raises(RuntimeError), publish.PublishingStore(mini_db_copy) as writer:
        writer.set_meta("note", "second")
        raise RuntimeError("a command failing after it committed")
    with open_store(mini_db_copy, read_only=True) as store:  # what it committed is kept
        assert publish.published_version(store) == 2 and store.get_meta("note") == "second"
    assert not list(mini_db_copy.parent.glob("*.next-*"))


def test_kill_9_while_publishing_keeps_the_previous_version_and_the_next_recovers(
    mini_db_copy, capsys
):
    full = _count(mini_db_copy)
    reader = open_store(mini_db_copy, read_only=True)  # the app, reading throughout
    env = {**os.environ, "PYTHONPATH": str(ROOT), publish.PAUSE_ENV: "120"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "app", "refresh", "--only", "aggregates",
         "--db", str(mini_db_copy), "--json"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        line = proc.stderr.readline()  # the refresh is done and its copy durable
        assert "publish: paused" in line, line + proc.stderr.read()
        assert list(mini_db_copy.parent.glob(f"{mini_db_copy.name}.next-*"))
    finally:
        proc.kill()  # SIGKILL: no cleanup runs
        proc.wait(timeout=30)
    assert proc.returncode == -9
    # the app stays on the previous version, new readers too
    assert reader.cursor().execute("SELECT count(*) FROM trend_facts").fetchone()[0] == full
    assert _version(mini_db_copy) == 0 and _count(mini_db_copy) == full
    # the next refresh clears the dead copy and publishes
    assert main(["refresh", "--only", "aggregates", "--db", str(mini_db_copy), "--json"]) == 0
    capsys.readouterr()
    assert _version(mini_db_copy) == 1
    assert not list(mini_db_copy.parent.glob(f"{mini_db_copy.name}.next-*"))
    reader.close()
