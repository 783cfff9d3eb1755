"""Always on: managers keep using the app while a delivery loads and the models refresh.

Two signed-in sessions of the app (AppTest, in this process, as one server runs them)
click through pages while the command line, in other processes, ingests a delivery for a
new day and runs `refresh`; the second session acknowledges an alert and submits a budget
between them. Every command succeeds, no page shows an exception, the first rerun after the
refresh publishes shows the new data-through date, and both writes are in the audit log.
Synthetic data: the tiny demo store with every batch job run.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from data import audit
from data.backup import copy_store
from data.state import STATE_URL_ENV
from data.store import open_store
from tests.support.apptest import open_page
from tests.support.budget_track import nora_modelled_track

ROOT = Path(__file__).resolve().parents[2]
CATALOG, ALERTS, BUDGET = "../pages/catalog.py", "../pages/alerts.py", "../pages/budget.py"


def _cli(db: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != STATE_URL_ENV}
    env["PYTHONPATH"] = str(ROOT)
    return subprocess.run(
        [sys.executable, "-m", "app", *args, "--db", str(db)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip


def _new_day_delivery(files: Path, out: Path) -> dt.date:
    """Spotify's report for the day after the store's last day (its last day, shifted)."""
    con = duckdb.connect()
    source = str(files / "trends_spotify.parquet")
    last = con.execute(f"SELECT max(CAST(date AS DATE)) FROM '{source}'").fetchone()[0]
    con.execute(
        f"COPY (SELECT * REPLACE (CAST(date AS DATE) + 1 AS date) FROM '{source}' "
        f"WHERE CAST(date AS DATE) = DATE '{last}') TO '{out}' (HEADER)"
    )
    return last + dt.timedelta(days=1)


def _nora_wrote_both_and_status(db: Path, day: dt.date, alert_key: str | None = None) -> dict:
    """Assert the audit log holds nora's acknowledgement and budget submission, and that
    `labelradar status` reports the new day in version 2; returns the status answer."""
    with open_store(db, read_only=True) as store:
        acks = audit.entries(store, entity="alert", entity_id=alert_key)
        assert list(acks["actor"]) == ["nora"] and list(acks["action"]) == ["alert_status"]
        submits = audit.entries(store, entity="budget_proposal")
        assert list(submits["action"]) == ["submit"] and list(submits["actor"]) == ["nora"]
    status = _cli(db, "status", "--json")
    assert status.returncode == 0, status.stderr
    got = json.loads(status.stdout)
    assert got["data_through"] == str(day) and got["published_version"] == 2
    return got


def _ok(at) -> None:
    assert not at.exception, [e.value for e in at.exception]


def _captions(at) -> list[str]:
    return [c.value for c in at.sidebar.caption]


def test_deliveries_load_and_refresh_while_managers_use_the_app(
    demo_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(STATE_URL_ENV, raising=False)  # the default: SQLite, no server
    db = copy_store(demo_db, tmp_path / "live.duckdb")
    track = nora_modelled_track(db)
    with open_store(db, read_only=True) as store:
        before = store.cursor().execute("SELECT max(date) FROM trend_facts").fetchone()[0]

    # session A: an admin reading the Catalog
    reader = open_page(db, monkeypatch, "admin", CATALOG)
    assert f"Data through {before:%d %b %Y}" in " ".join(_captions(reader))

    # the command line loads a delivery for a new day while the session is open
    day = _new_day_delivery(demo_db.parent / "files", tmp_path / "spotify_new_day.csv")
    loaded = _cli(db, "ingest", str(tmp_path / "spotify_new_day.csv"), "--json")
    assert loaded.returncode == 0, loaded.stderr
    reader.switch_page(ALERTS).run()
    _ok(reader)

    # session B: a manager acknowledges an alert and submits a budget
    manager = open_page(db, monkeypatch, "nora", ALERTS)
    alert_key = manager.selectbox(key="alerts_pick").value
    next(b for b in manager.button if b.label == "Acknowledge").click()
    manager.run()
    _ok(manager)
    manager.query_params.update({"track": track["isrc"], "goal": "expand"})
    manager.switch_page(BUDGET).run()
    _ok(manager)
    assert manager.selectbox(key="budget_track").value == track["isrc"]
    plan = f"budget_plan:{track['isrc']}:expand"
    manager.number_input(key=f"{plan}:budget").set_value(2000.0).run()
    editor = f"{plan}:editor:{manager.session_state[f'{plan}:v']}"
    manager.session_state[editor] = {"edited_rows": {0: {"run": "Yes", "usd": 100.0}}}
    manager.run()
    _ok(manager)
    next(b for b in manager.button if b.label == "Submit for approval").click()
    manager.run()
    _ok(manager)
    assert any("Submitted for approval" in s.value for s in manager.success), [
        e.value for e in manager.error
    ]

    # the models refresh on the new day (aggregates and the alert detection)
    refreshed = _cli(db, "refresh", "--only", "aggregates", "--only", "alerts", "--json")
    assert refreshed.returncode == 0, refreshed.stderr

    # within one rerun the first session shows the new data-through date
    reader.switch_page(CATALOG).run()
    _ok(reader)
    assert f"Data through {day:%d %b %Y}" in " ".join(_captions(reader))
    manager.switch_page(ALERTS).run()
    _ok(manager)

    # both writes are in the audit log (the state database); `status` sees the new day
    got = _nora_wrote_both_and_status(db, day, alert_key)
    assert got["state_dialect"] == "sqlite" and got["state_db"].endswith("live.state.sqlite")
    assert {s["username"] for s in got["signed_in"]} == {"admin", "nora"}


def test_the_default_setup_needs_no_database_server(tmp_path: Path, monkeypatch) -> None:
    """What `make run` does on a fresh machine (scripts/run.sh: build, refresh, serve) keeps
    its workflow state in a SQLite file beside the store: nothing to install or start."""
    monkeypatch.delenv(STATE_URL_ENV, raising=False)
    db = tmp_path / "fresh.duckdb"
    assert _cli(db, "init").returncode == 0
    status = _cli(db, "status", "--json")
    assert status.returncode == 0, status.stderr
    got = json.loads(status.stdout)
    assert got["state_dialect"] == "sqlite" and got["data_through"] is None
    assert (tmp_path / "fresh.state.sqlite").exists()
    run_sh = (ROOT / "scripts" / "run.sh").read_text()
    assert "STATE" not in run_sh and "postgres" not in run_sh  # no server in the default path
