"""`labelradar sso map|list|unmap`: answers, errors and the audit trail."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.cli import main
from data import audit
from data.store import open_store


def new_store(tmp_path: Path) -> str:
    """An empty store: only `init` (or `demo`) creates one."""
    db = str(tmp_path / "s.duckdb")
    assert main(["init", "--db", db]) == 0
    return db


def run(capsys, *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_map_list_unmap(tmp_path: Path, capsys) -> None:
    db = new_store(tmp_path)
    code, out, _ = run(
        capsys,
        "sso",
        "map",
        "lr-managers",
        "--role",
        "manager",
        "--labels",
        "B, A",
        "--new-label",  # an empty store: the labels' first deliveries are to come
        "--db",
        db,
        "--json",
        "--actor",
        "ops",
    )
    assert code == 0
    assert json.loads(out) == {"group": "lr-managers", "role": "manager", "labels": ["A", "B"]}

    code, out, _ = run(
        capsys, "sso", "map", "lr-viewers", "--role", "viewer", "--labels", "A", "--new-label",
        "--db", db,
    )  # fmt: skip
    assert code == 0 and out.strip() == "lr-viewers: viewer of A"

    code, out, _ = run(capsys, "sso", "list", "--db", db, "--json")
    assert json.loads(out) == {
        "groups": [
            {"group": "lr-managers", "role": "manager", "labels": ["A", "B"]},
            {"group": "lr-viewers", "role": "viewer", "labels": ["A"]},
        ]
    }
    code, out, _ = run(capsys, "sso", "list", "--db", db)
    assert out.splitlines() == ["lr-managers: manager of A, B", "lr-viewers: viewer of A"]

    code, out, _ = run(capsys, "sso", "unmap", "lr-viewers", "--db", db, "--json", "--actor", "ops")
    assert code == 0
    assert json.loads(out) == {
        "group": "lr-viewers",
        "role": "viewer",
        "labels": ["A"],
        "unmapped": True,
    }
    code, out, _ = run(capsys, "sso", "list", "--db", db)
    assert out.strip() == "lr-managers: manager of A, B"

    with open_store(db, read_only=True) as store:
        log = audit.entries(store, entity="sso_group")
    assert list(log["action"]) == ["sso_group.map", "sso_group.map", "sso_group.unmap"]
    assert log["actor"].iloc[0] == "ops" and log["actor"].iloc[2] == "ops"


def test_a_label_not_in_the_catalog_is_refused(mini_db_copy: Path, capsys) -> None:
    db = str(mini_db_copy)
    code, _, err = run(
        capsys, "sso", "map", "g", "--role", "viewer", "--labels", "Label Z", "--db", db
    )
    assert code == 1 and err.startswith("labelradar: error: no label 'Label Z' in the catalog")
    code, out, _ = run(capsys, "sso", "list", "--db", db)
    assert out.strip() == "no groups mapped"
    code, out, _ = run(
        capsys, "sso", "map", "g", "--role", "viewer", "--labels", "Label A", "--db", db
    )
    assert code == 0 and out.strip() == "g: viewer of Label A"


def test_empty_list(tmp_path: Path, capsys) -> None:
    code, out, _ = run(capsys, "sso", "list", "--db", new_store(tmp_path))
    assert code == 0 and out.strip() == "no groups mapped"


def test_errors_are_one_line_and_exit_1(tmp_path: Path, capsys) -> None:
    db = new_store(tmp_path)
    code, _, err = run(capsys, "sso", "unmap", "nobody", "--db", db)
    assert code == 1 and err.strip() == "labelradar: error: group 'nobody' is not mapped"
    code, _, err = run(capsys, "sso", "map", "g", "--role", "viewer", "--labels", " , ", "--db", db)
    assert code == 1 and "at least one label" in err


def test_usage_errors_exit_2(tmp_path: Path, capsys) -> None:
    db = new_store(tmp_path)
    for argv in (
        ["sso", "map", "g", "--role", "owner", "--labels", "A", "--db", db],
        ["sso", "map", "g", "--labels", "A", "--db", db],  # no role
        ["sso", "--db", db],  # no action
    ):
        with pytest.raises(SystemExit) as exc:
            main(argv)
        assert exc.value.code == 2, argv
