"""The workflow-state database on both engines it supports: SQLite (the default, a file
beside the store) and a real PostgreSQL server (tests/support/postgres.py). Same code path,
same answers; the audit log refuses UPDATE and DELETE in the database itself."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from data import audit, users
from data.state import StateDB, migrate, open_state
from data.store import open_store
from data.workflow import budget as bp


@pytest.fixture(params=["sqlite", "postgresql"])
def state_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'state.sqlite'}"
    return request.getfixturevalue("pg_state_url")


def test_migrations_apply_once_on_both(state_url):
    db = StateDB(state_url)
    assert migrate.version(db) == max(v for v, _, _ in migrate.migrations(db.dialect))
    assert migrate.apply(db) == []  # a second process finds nothing to do
    assert db.read("SELECT count(*) FROM users")[0][0] == 0
    db.dispose()


@pytest.mark.parametrize("statement", [
    "UPDATE audit_log SET actor = 'someone else'",
    "DELETE FROM audit_log",
])  # fmt: skip
def test_the_audit_log_is_append_only_in_the_database(state_url, statement):
    db = StateDB(state_url)
    with db.transaction() as cur:
        audit.record(cur, actor="ana", action="user.add", entity="user", entity_id="bob")
    with pytest.raises(sa.exc.DatabaseError, match="append-only"), db.transaction() as cur:
        cur.execute(statement)
    log = audit.entries(db)
    assert list(log["actor"]) == ["ana"] and list(log["entity_id"]) == ["bob"]
    db.dispose()


def test_workflow_on_postgresql_matches_sqlite(mini_db_copy, pg_state_url):
    """Accounts, a proposal and its decision through the same functions the pages call,
    with the state in PostgreSQL: the analytics store is only read."""
    store = open_store(mini_db_copy, read_only=True, state_url=pg_state_url)
    assert store.state.dialect == "postgresql"
    users.add_user(store, "ana", "harbor-sound-42", "manager", ["Label A"], actor="t")
    users.add_user(store, "boss", "northern-lights-7", "admin", ["Label A"], actor="t")
    ana = users.authenticate(store, "ana", "harbor-sound-42")
    boss = users.get_user(store, "boss")
    assert ana is not None and ana.labels == ("Label A",)
    plan = [{"country": "US", "usd": 100.0}]
    pid = bp.submit(
        store, ana.scope(), isrc="QZA000000001", goal="expand", total_usd=100.0, plan=plan
    )
    after = bp.decide(store, boss.scope(), pid, "approve")
    assert after["status"] == "approved" and after["version"] == 2
    with pytest.raises(bp.ProposalError, match="approved, not awaiting review"):
        bp.decide(store, boss.scope(), pid, "approve")
    trail = audit.entries(store, entity="budget_proposal", entity_id=str(pid))
    assert list(trail["action"]) == ["submit", "approve"]
    store.close()


def test_one_engine_per_url_and_process(tmp_path):
    url = f"sqlite:///{tmp_path / 's.sqlite'}"
    assert open_state(url) is open_state(url)


def test_the_state_flag_points_every_command_at_postgresql(
    mini_db_copy, pg_state_url, monkeypatch, capsys
):
    import io
    import json
    import sys

    from app.cli import main
    from data.state import STATE_URL_ENV

    monkeypatch.setenv(STATE_URL_ENV, "")  # restored after the test (main sets it)
    monkeypatch.setattr(sys, "stdin", io.StringIO("harbor-sound-42\n"))
    db = str(mini_db_copy)
    args = ["--db", db, "--state", pg_state_url]
    assert main(["users", "add", "ana", "--role", "viewer", "--labels", "Label A",
                 "--password-stdin", *args]) == 0  # fmt: skip
    capsys.readouterr()
    assert main(["status", "--json", *args]) == 0
    got = json.loads(capsys.readouterr().out)
    assert got["state_dialect"] == "postgresql"
    assert main(["users", "list", "--json", *args]) == 0
    listed = [u["username"] for u in json.loads(capsys.readouterr().out)["users"]]
    assert listed == ["ana"]  # the mini store's own accounts are in its SQLite state
