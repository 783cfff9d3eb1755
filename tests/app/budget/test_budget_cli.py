"""`labelradar budget` (alias `audience`) and `labelradar approvers` on the tiny demo store
(all jobs run)."""

from __future__ import annotations

import json

import pytest

from app.budget.cli import JSON_KEYS
from app.cli import main
from data.backup import copy_store
from data.store import open_store


@pytest.fixture(scope="module")
def db(demo_db, tmp_path_factory):
    path = tmp_path_factory.mktemp("budget-cli") / "store.duckdb"
    copy_store(demo_db, path)
    return path


def _isrc(db, in_model: bool) -> str:
    with open_store(db, read_only=True) as s:
        row = (
            s.cursor()
            .execute(
                "SELECT isrc FROM budget_assets WHERE in_model = ? ORDER BY isrc LIMIT 1",
                [in_model],
            )
            .fetchone()
        )
    assert row is not None
    return row[0]


def test_budget_json(db, capsys) -> None:
    in_model = True  # the tiny store's categories keep every asset (fold-in: analytics tests)
    isrc = _isrc(db, in_model)
    assert main(["budget", "--isrc", isrc, "--goal", "expand", "--json", "--db", str(db)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert tuple(out) == JSON_KEYS["budget"]
    # the old name is an alias with the same answer
    assert main(["audience", "--isrc", isrc, "--goal", "expand", "--json", "--db", str(db)]) == 0
    assert json.loads(capsys.readouterr().out) == out
    assert out["model"] == ("look-up" if in_model else "fold-in")
    terr = out["territories"]
    assert terr and {"country", "score", "groups", "interests", "cap_usd"} <= set(terr[0])
    assert "expected_streams_per_usd" in terr[0]
    scores = [t["score"] for t in terr]
    assert scores == sorted(scores, reverse=True)
    assert terr[0]["selected"] is True  # the best territory always meets the rule
    assert all(t["cap_usd"] >= 0 and t["groups"] for t in terr)


def test_budget_text_and_errors(db, capsys) -> None:
    isrc = _isrc(db, True)
    assert main(["budget", "--isrc", isrc, "--goal", "sustain", "--db", str(db)]) == 0
    assert "score" in capsys.readouterr().out
    for argv, words in [
        (["--isrc", "XX0000000000", "--goal", "expand"], "unknown ISRC"),
        (["--isrc", isrc, "--goal", "grow"], "unknown goal"),
    ]:
        assert main(["budget", *argv, "--db", str(db)]) == 1
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and words in err[0]


def test_budget_without_a_model_run(mini_db_copy, capsys) -> None:
    assert main(["budget", "--isrc", "QZA000000001", "--db", str(mini_db_copy)]) == 1
    err = capsys.readouterr().err.strip()
    assert "labelradar refresh" in err and len(err.splitlines()) == 1


def test_approvers_grant_list_revoke(db, capsys) -> None:
    assert main(["approvers", "grant", "nora", "--db", str(db)]) == 0
    assert main(["approvers", "list", "--json", "--db", str(db)]) == 0
    capsys.readouterr()
    assert main(["approvers", "list", "--json", "--db", str(db)]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert tuple(listed) == JSON_KEYS["approvers"]
    names = {r["username"] for r in listed["approvers"]}
    assert {"admin", "nora"} <= names and "vera" not in names
    assert main(["approvers", "grant", "vera", "--db", str(db)]) == 1  # a viewer
    assert "only managers" in capsys.readouterr().err
    assert main(["approvers", "revoke", "nora", "--db", str(db)]) == 0
    assert main(["approvers", "revoke", "nora", "--db", str(db)]) == 1


def test_budget_for_a_track_without_a_model(demo_db, tmp_path, capsys) -> None:
    path = tmp_path / "store.duckdb"
    copy_store(demo_db, path)
    isrc = _isrc(path, True)
    with open_store(path) as s:
        s.cursor().execute("DELETE FROM budget_assets WHERE isrc = ?", [isrc])
    assert main(["budget", "--isrc", isrc, "--db", str(path)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and f"no audience model covers {isrc}" in err[0]
