"""Accounts: salted hashes, wrong-password rejection, roles, labels, audit."""

from __future__ import annotations

import pytest

from data import audit, users
from data.store import open_store


@pytest.fixture
def store():
    s = open_store(":memory:")
    yield s
    s.close()


def test_hash_is_salted_and_verifies():
    a, b = users.hash_password("correct horse"), users.hash_password("correct horse")
    assert a != b  # a fresh salt each time
    assert a.startswith("scrypt$") and "correct horse" not in a
    assert users.verify_password("correct horse", a)
    assert not users.verify_password("correct horsE", a)
    assert not users.verify_password("correct horse", "not-a-hash")


def test_authenticate_accepts_right_and_rejects_wrong(store):
    users.add_user(store, "ana", "s3cret-pass", "manager", ["Label A"], actor="test")
    user = users.authenticate(store, "ana", "s3cret-pass")
    assert user is not None and user.labels == ("Label A",) and user.role == "manager"
    assert users.authenticate(store, "ana", "wrong-pass") is None
    assert users.authenticate(store, "nobody", "s3cret-pass") is None
    stored = store.state.read("SELECT password_hash FROM users")[0][0]
    assert "s3cret-pass" not in stored


def test_disabled_user_cannot_sign_in(store):
    users.add_user(store, "ana", "s3cret-pass", "viewer", ["A"], actor="test")
    users.update_user(store, "ana", disabled=True, actor="admin")
    assert users.authenticate(store, "ana", "s3cret-pass") is None


@pytest.mark.parametrize(
    ("name", "password", "role", "labels", "message"),
    [
        ("x", "long-enough", "viewer", ["A"], "not valid"),
        ("ana", "short", "viewer", ["A"], "at least 8"),
        ("ana", "long-enough", "owner", ["A"], "not one of"),
        ("ana", "long-enough", "viewer", [" "], "at least one label"),
    ],
)
def test_invalid_accounts_are_refused(store, name, password, role, labels, message):
    with pytest.raises(users.UserError, match=message):
        users.add_user(store, name, password, role, labels, actor="test")
    assert users.list_users(store).empty


def test_duplicate_user_refused(store):
    users.add_user(store, "ana", "long-enough", "viewer", ["A"], actor="test")
    with pytest.raises(users.UserError, match="already exists"):
        users.add_user(store, "ana", "long-enough", "viewer", ["A"], actor="test")


def test_changes_are_audited_without_secrets(store):
    users.add_user(store, "ana", "long-enough", "viewer", ["A"], actor="root")
    users.update_user(store, "ana", role="manager", labels=["A", "B"], actor="root")
    users.update_user(store, "ana", password="another-pass", actor="root")
    log = audit.entries(store, entity="user", entity_id="ana")
    assert list(log.action) == ["user.add", "user.update", "user.update"]
    assert list(log.actor) == ["root"] * 3
    assert '"manager"' in log.after[1] and '"viewer"' in log.before[1]
    assert "another-pass" not in "".join(log.after.astype(str))
    assert users.get_user(store, "ana").labels == ("A", "B")


def test_user_names_differing_only_in_case_are_one_name(store):
    users.add_user(store, "admin", "long-enough-1", "admin", ["A"], actor="test")
    with pytest.raises(users.UserError, match="'admin' already exists"):
        users.add_user(store, "ADMIN", "long-enough-2", "viewer", ["A"], actor="test")
    assert list(users.list_users(store).username) == ["admin"]


def test_the_last_active_admin_stays_an_admin(store):
    users.add_user(store, "boss", "long-enough-1", "admin", ["A"], actor="test")
    for change in ({"role": "viewer"}, {"disabled": True}):
        with pytest.raises(users.UserError, match="last active admin"):
            users.update_user(store, "boss", actor="boss", **change)
    assert users.get_user(store, "boss") == users.User("boss", "admin", ("A",), False)
    # with a second admin, either may step down; then the other is the last one
    users.add_user(store, "deputy", "long-enough-2", "admin", ["A"], actor="boss")
    users.update_user(store, "boss", role="manager", actor="deputy")
    with pytest.raises(users.UserError, match="last active admin"):
        users.update_user(store, "deputy", disabled=True, actor="deputy")
    assert users.get_user(store, "deputy").disabled is False
