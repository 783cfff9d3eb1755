"""`labelradar users add` and `users passwd` refuse weak passwords with the reason."""

from __future__ import annotations

import io
import sys
from pathlib import Path

from app.cli import main
from data import users
from data.store import open_store
from tests.conftest import USERS


def _run(args: list[str], password: str, monkeypatch) -> int:
    monkeypatch.setattr(sys, "stdin", io.StringIO(password + "\n"))
    return main(args)


def test_weak_passwords_are_refused_with_the_reason(mini_db_copy: Path, capsys, monkeypatch):
    db = ["--db", str(mini_db_copy)]
    add = ["users", "add", "zed", "--role", "viewer", "--labels", "Label A", "--password-stdin"]
    assert _run(add + db, "Password1", monkeypatch) == 1
    err = capsys.readouterr().err.strip()
    assert err == (
        "labelradar: error: that password is on the list of commonly used passwords; "
        "choose a less common one"
    )
    assert _run(add + db, "zed-and-friends", monkeypatch) == 1
    assert capsys.readouterr().err.strip().endswith("must not contain the user name")

    passwd = ["users", "passwd", "viewer_a", "--password-stdin"]
    assert _run(passwd + db, "labelradar", monkeypatch) == 1
    assert "commonly used" in capsys.readouterr().err
    assert _run(passwd + db, "plum-orchard-42", monkeypatch) == 0
    with open_store(mini_db_copy) as store:
        assert users.get_user(store, "zed") is None
        assert users.authenticate(store, "viewer_a", "plum-orchard-42") is not None
        assert users.authenticate(store, "viewer_a", USERS["viewer_a"][0]) is None
