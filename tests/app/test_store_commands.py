"""Store-level commands: only `init` and `demo` create a store; a failed derived step never
bricks one, and `doctor` lists and repairs what is pending."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from app.cli import main
from data import aggregates, health
from data.store import StoreError, open_store

DAY = dt.date(2026, 1, 1)
MISSING = "create one with `labelradar init` or `labelradar demo`"


def _bad_store(path: Path) -> Path:
    """A store as an older version could leave it: a trend load (id 7) whose streams sum
    past BIGINT, queued for an aggregate refresh that can never succeed."""
    with open_store(path) as store, store.transaction() as cur:
        cur.execute(
            "INSERT INTO catalog (isrc, track_title, artist_id, artist_name, label, genre, "
            "release_date, load_id) VALUES ('QZA000000001', 't', 'a', 'A', 'Label A', 'pop', "
            "DATE '2024-01-01', 1)"
        )
        cur.execute(
            "INSERT INTO loads (load_id, kind, file_name, content_hash, rows_loaded, dsps, "
            "date_min, date_max, mode) VALUES (7, 'trend', 'bad.csv', 'h', 12, ['spotify'], "
            "?, ?, 'strict')",
            [DAY, DAY],
        )
        cur.executemany(
            "INSERT INTO trend_facts (load_id, date, dsp, isrc, country, age_band, gender, "
            "subscription, device, os, source, streams) VALUES (7, ?, 'spotify', "
            "'QZA000000001', 'US', '25-34', 'female', 'premium', 'mobile', 'ios', 'search', "
            "999999999999999999)",
            [[DAY]] * 12,
        )
        aggregates.queue(cur, 7, DAY, DAY, ["spotify"])
    return path


@pytest.mark.parametrize(
    "command",
    [
        ["info"],
        ["users", "list"],
        ["refresh"],
        ["doctor"],
        ["ingest", "x.csv"],
        ["catalog", "x.csv"],
        ["campaigns", "x.csv"],
        ["fans", "--artist", "A"],
        ["detect"],
        ["serve"],
    ],
)
def test_commands_on_a_missing_store_say_so_and_create_nothing(tmp_path, capsys, command):
    db = tmp_path / "typo.duckdb"
    assert main([*command, "--db", str(db)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"labelradar: error: no store at {db}: {MISSING}"]
    assert not db.exists()


def test_init_creates_an_empty_store_once(tmp_path, capsys):
    db = tmp_path / "new" / "s.duckdb"
    assert main(["init", "--db", str(db), "--json"]) == 0
    first = json.loads(capsys.readouterr().out)
    assert first["created"] is True and db.exists()
    assert main(["info", "--db", str(db), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["rows"]["trend_facts"] == 0
    assert main(["init", "--db", str(db), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["created"] is False


def test_refresh_on_a_new_empty_store_runs_every_job(tmp_path, capsys):
    # Today's job read "the last 90 days before date.min" and failed on a store with no data
    db = tmp_path / "empty.duckdb"
    assert main(["init", "--db", str(db)]) == 0
    assert main(["refresh", "--db", str(db), "--quiet"]) == 0
    assert main(["doctor", "--db", str(db)]) == 0
    assert "no failed step" in capsys.readouterr().out
    assert main(["opportunities", "--db", str(db)]) == 0
    assert "no opportunities" in capsys.readouterr().out
    # nothing delivered is not "every feed delivered every day as usual"
    assert main(["health", "--db", str(db), "--quiet"]) == 0
    assert capsys.readouterr().out.startswith("no deliveries yet")


def test_the_app_never_creates_a_store(tmp_path):
    from app import services

    db = tmp_path / "absent.duckdb"
    with pytest.raises(StoreError, match="no store at"):
        services.get_store(str(db))
    assert not db.exists()


def test_a_failing_backlog_does_not_block_opening(tmp_path):
    db = _bad_store(tmp_path / "bad.duckdb")
    with open_store(db) as store:  # the open retries the backlog, which fails
        assert "aggregate refresh failed" in store.backlog_problem
        assert [p.load_id for p in health.backlog(store)] == [7]
        (failure,) = health.failures(store)
        assert failure.step == "aggregates" and "INT64" in failure.message
    with open_store(db) as store:  # still opens; the failure is kept once, not per open
        assert len(health.failures(store)) == 1


def test_commands_still_work_on_a_store_with_a_failing_backlog(tmp_path, capsys):
    db = str(_bad_store(tmp_path / "bad.duckdb"))
    for command in (["users", "list"], ["info"], ["init"]):
        assert main([*command, "--db", db]) == 0, command
    capsys.readouterr()
    assert main(["refresh", "--only", "aggregates", "--db", db]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("labelradar: error: the aggregate rebuild failed")
    assert all(line.startswith("labelradar: ") for line in err)


def test_doctor_lists_then_repairs_by_dropping_the_bad_load(tmp_path, capsys):
    db = str(_bad_store(tmp_path / "bad.duckdb"))
    assert main(["doctor", "--db", db, "--json"]) == 1
    state = json.loads(capsys.readouterr().out)
    assert state["healthy"] is False
    assert [p["load_id"] for p in state["backlog"]] == [7]
    assert [f["step"] for f in state["failures"]] == ["aggregates"]

    assert main(["doctor", "--db", db, "--repair", "--json"]) == 1  # the refresh fails again
    state = json.loads(capsys.readouterr().out)
    assert state["healthy"] is False and "refresh failed" in state["repairs"][0]

    assert main(["doctor", "--db", db, "--drop-load", "7", "--json"]) == 0
    state = json.loads(capsys.readouterr().out)
    assert state["dropped"] == {"load_id": 7, "file": "bad.csv", "rows_removed": 12}
    assert state["healthy"] is True and state["backlog"] == [] and state["failures"] == []
    with open_store(db) as store:
        cur = store.cursor()
        assert cur.execute("SELECT count(*) FROM trend_facts").fetchone()[0] == 0
        assert cur.execute("SELECT count(*) FROM loads").fetchone()[0] == 0
        ((action,),) = store.state.read("SELECT action FROM audit_log WHERE action LIKE 'doctor.%'")
        assert action == "doctor.drop_load"
    assert main(["doctor", "--db", db]) == 0
    assert "healthy" in capsys.readouterr().out


def test_doctor_refuses_to_drop_a_catalog_load(tmp_path, capsys):
    db = str(tmp_path / "s.duckdb")
    assert main(["init", "--db", db]) == 0
    with open_store(db) as store, store.transaction() as cur:
        cur.execute(
            "INSERT INTO loads (load_id, kind, file_name, content_hash, rows_loaded, mode) "
            "VALUES (3, 'catalog', 'c.csv', 'h', 1, 'strict')"
        )
    capsys.readouterr()
    assert main(["doctor", "--db", db, "--drop-load", "3"]) == 1
    assert "only trend report loads can be dropped" in capsys.readouterr().err
    assert main(["doctor", "--db", db, "--drop-load", "99"]) == 1
    assert "no load 99" in capsys.readouterr().err


def test_a_failed_job_is_recorded_and_rerun_by_doctor(tmp_path, capsys, monkeypatch):
    from app import jobs

    db = str(tmp_path / "s.duckdb")
    assert main(["init", "--db", db]) == 0

    def broken() -> dict[str, jobs.Job]:
        def fail(store, progress, **_):
            raise RuntimeError("model did not converge")

        return {"fans": jobs.Job("fans", "Fans", fail)}

    monkeypatch.setattr(jobs, "load_jobs", broken)
    assert main(["refresh", "--only", "fans", "--db", db]) == 1
    assert "a batch job failed (model did not converge)" in capsys.readouterr().err
    assert main(["doctor", "--db", db, "--json"]) == 1
    (failure,) = json.loads(capsys.readouterr().out)["failures"]
    assert failure["step"] == "fans" and failure["message"] == "model did not converge"

    def fixed() -> dict[str, jobs.Job]:
        return {"fans": jobs.Job("fans", "Fans", lambda store, progress, **_: {"ok": 1})}

    monkeypatch.setattr(jobs, "load_jobs", fixed)
    assert main(["doctor", "--db", db, "--repair", "--json"]) == 0
    state = json.loads(capsys.readouterr().out)
    assert "fans: rerun" in state["repairs"] and state["failures"] == []


def test_a_mistyped_state_database_is_an_error_not_a_new_one(tmp_path, capsys, monkeypatch):
    """A named SQLite state file that does not exist would start empty accounts, approvals
    and alert statuses, silently: only `init` (and `demo`) create one, and say so."""
    from data.state import STATE_URL_ENV

    monkeypatch.setenv(STATE_URL_ENV, "")  # main sets it from --state: restored after
    db = tmp_path / "s.duckdb"
    assert main(["init", "--db", str(db)]) == 0
    typo = tmp_path / "stat.sqlite"
    for command in (["users", "list"], ["info"], ["serve"]):
        capsys.readouterr()
        assert main([*command, "--db", str(db), "--state", f"sqlite:///{typo}"]) == 1
        err = capsys.readouterr().err.strip().splitlines()
        assert err == [
            f"labelradar: error: no workflow-state database at {typo}: check --state (or "
            "$LABELRADAR_STATE_URL); `labelradar init --db STORE --state URL` creates a new one"
        ]
        assert not typo.exists()
    assert main(["init", "--db", str(db), "--state", f"sqlite:///{typo}", "--json"]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert answer["created"] is False and answer["state_created"] is True and typo.exists()
    assert main(["users", "list", "--db", str(db), "--state", f"sqlite:///{typo}"]) == 0
    assert capsys.readouterr().out.strip() == "no users"
    assert main(["init", "--db", str(db), "--state", f"sqlite:///{typo}"]) == 0
    assert capsys.readouterr().out.strip().endswith("nothing created")
