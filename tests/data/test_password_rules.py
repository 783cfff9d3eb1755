"""Rules for new passwords: not a common one, not the user name; the demo ones pass."""

from __future__ import annotations

import pytest

from data import users
from data.common_passwords import COMMON_PASSWORDS
from data.passwords import password_problem
from data.store import open_store
from data.synth.build import DEMO_PASSWORDS
from tests.conftest import USERS

COMMON = "commonly used"
NAME = "must not contain the user name"


def test_the_list_has_a_few_hundred_lowercase_entries() -> None:
    assert 300 <= len(COMMON_PASSWORDS) <= 1000
    assert all(w == w.casefold() and w.strip() == w for w in COMMON_PASSWORDS)
    assert {"password", "123456", "qwerty", "letmein", "labelradar"} <= COMMON_PASSWORDS


@pytest.mark.parametrize(
    ("username", "password", "expected"),
    [
        ("ana", "password", COMMON),
        ("ana", "PassWord", COMMON),  # no case
        ("ana", " letmein  ", COMMON),
        ("ana", "Password123!", COMMON),  # digits and punctuation at the ends
        ("ana", "qwerty-2024", COMMON),
        ("ana", "LabelRadar2026", COMMON),
        ("ana", "12345678", COMMON),
        ("ana", "Ana-Lopez-1990", NAME),  # contains the name, any case
        ("jonathan", "JONATHAN", NAME),  # equal to it
        ("nora@harbor.example", "nora-plays-bass", NAME),  # the address's local part
        ("ana", "short", "at least 8 characters"),
        # not refused: a two-letter name is too short to forbid in a passphrase
        ("jo", "enjoy-the-encore", None),
        ("ana", "password-plum-orchard", None),  # a common word inside a longer phrase
        ("ana", "plum-orchard-42", None),
    ],
)
def test_password_problems(username: str, password: str, expected: str | None) -> None:
    problem = password_problem(username, password)
    if expected is None:
        assert problem is None
    else:
        assert problem is not None and expected in problem


def test_demo_and_fixture_passwords_are_accepted() -> None:
    for name, password in DEMO_PASSWORDS.items():
        assert password_problem(name, password) is None, name
    for name, (password, _role, _labels) in USERS.items():
        assert password_problem(name, password) is None, name


def test_add_and_reset_refuse_weak_passwords() -> None:
    store = open_store(":memory:")
    with pytest.raises(users.UserError, match=COMMON):
        users.add_user(store, "ana", "Letmein!", "viewer", ["A"], actor="test")
    with pytest.raises(users.UserError, match=NAME):
        users.add_user(store, "ana", "ana-is-here", "viewer", ["A"], actor="test")
    assert users.list_users(store).empty
    users.add_user(store, "ana", "plum-orchard-42", "viewer", ["A"], actor="test")
    with pytest.raises(users.UserError, match=COMMON):
        users.update_user(store, "ana", password="iloveyou", actor="admin")
    assert users.authenticate(store, "ana", "plum-orchard-42") is not None
    store.close()
