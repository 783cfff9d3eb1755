"""Password hashes: OWASP's scrypt cost by default, old hashes checked with the parameters
stored in them and upgraded on the next successful sign-in."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from data import audit, passwords, users
from data.passwords import DEFAULT_COST, ScryptCost

ROOT = Path(__file__).resolve().parents[2]
OLD = ScryptCost(n=2**14, r=8, p=1)  # the cost hashes were made with before


def test_the_default_cost_is_owasps() -> None:
    assert (DEFAULT_COST.n, DEFAULT_COST.r, DEFAULT_COST.p) == (2**17, 8, 1)
    # 128 * r * (n + 2 + p) bytes is what scrypt allocates; hashlib's own limit is 32 MiB
    assert DEFAULT_COST.maxmem >= 128 * 8 * (2**17 + 3) > 32 * 2**20
    # the tests lower the cost (conftest); a fresh interpreter hashes at the default
    probe = "from data import passwords as p; print(p.hash_password('x').split('$')[1:4])"
    out = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "['131072', '8', '1']"


def test_a_hash_at_the_default_cost_verifies(monkeypatch) -> None:
    monkeypatch.setattr(passwords, "HASH_COST", DEFAULT_COST)
    stored = passwords.hash_password("plum-orchard-42")
    assert stored.startswith("scrypt$131072$8$1$")
    assert passwords.verify_password("plum-orchard-42", stored)
    assert not passwords.verify_password("plum-orchard-43", stored)
    assert not passwords.needs_rehash(stored)
    assert passwords.needs_rehash(passwords.hash_password("plum-orchard-42", cost=OLD))


def test_each_hash_is_checked_with_its_own_parameters() -> None:
    odd = ScryptCost(n=2**10, r=4, p=2)
    stored = passwords.hash_password("plum-orchard-42", cost=odd)
    assert stored.startswith("scrypt$1024$4$2$")
    assert passwords.cost_of(stored) == odd
    assert passwords.verify_password("plum-orchard-42", stored)
    assert passwords.needs_rehash(stored)
    # a hash that would need 4 GiB is refused, not computed
    greedy = stored.replace("scrypt$1024$4$2$", "scrypt$4194304$8$1$")
    assert not passwords.verify_password("plum-orchard-42", greedy)
    # unknown user names are checked against a hash at the current cost that nothing matches
    assert passwords.cost_of(passwords.dummy_hash()) == passwords.HASH_COST
    assert not passwords.verify_password("", passwords.dummy_hash())
    assert passwords.cost_of("bcrypt$x") is None and passwords.cost_of("scrypt$a$8$1$s$h") is None


@pytest.fixture
def store():
    from data.store import open_store

    s = open_store(":memory:")
    yield s
    s.close()


def _stored(store) -> str:
    return store.state.read("SELECT password_hash FROM users")[0][0]


def test_an_old_hash_is_upgraded_on_the_next_sign_in(store, monkeypatch) -> None:
    monkeypatch.setattr(passwords, "HASH_COST", OLD)
    users.add_user(store, "ana", "plum-orchard-42", "viewer", ["A"], actor="test")
    old = _stored(store)
    assert old.startswith("scrypt$16384$8$1$")

    monkeypatch.setattr(passwords, "HASH_COST", DEFAULT_COST)  # the cost a deployment has
    assert users.authenticate(store, "ana", "plum-orchard-43") is None
    assert _stored(store) == old  # a wrong password changes nothing
    assert users.authenticate(store, "ana", "plum-orchard-42") is not None
    new = _stored(store)
    assert new.startswith("scrypt$131072$8$1$") and passwords.verify_password(
        "plum-orchard-42", new
    )
    assert users.authenticate(store, "ana", "plum-orchard-42") is not None
    assert _stored(store) == new  # upgraded once
    log = audit.entries(store, entity="user", entity_id="ana")
    assert list(log.action) == ["user.add", "user.password_rehash"]
    assert "n=16384" in log.before[1] and "n=131072" in log.after[1]
    assert "plum" not in "".join(log.after.astype(str))


def test_an_upgrade_never_overwrites_a_newer_password(store) -> None:
    users.add_user(store, "ana", "plum-orchard-42", "viewer", ["A"], actor="test")
    old = _stored(store)
    users.update_user(store, "ana", password="pear-orchard-77", actor="admin")
    users._rehash(store, "ana", "plum-orchard-42", old)  # a sign-in racing the reset
    assert passwords.verify_password("pear-orchard-77", _stored(store))
