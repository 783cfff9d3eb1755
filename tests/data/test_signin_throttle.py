"""Sign-in throttling, worked by hand on a fake clock: five failures within a minute lock the
user name (or the client) out, the sixth attempt is refused without a password check, each
lockout in a row lasts longer, and a successful sign-in starts the user's count afresh."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from data import audit, signin, users
from data.store import Store, open_store

T0 = dt.datetime(2026, 3, 1, 12, 0, 0)
RIGHT, WRONG = "plum-orchard-42", "plum-orchard-43"


class FakeClock:
    def __init__(self) -> None:
        self.t = T0

    def __call__(self) -> dt.datetime:
        return self.t

    def at(self, seconds: float) -> FakeClock:
        """Move to T0 + seconds."""
        self.t = T0 + dt.timedelta(seconds=seconds)
        return self


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def checks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The stored hashes users.authenticate checked a password against, in order."""
    seen: list[str] = []
    real = users.verify_password

    def counting(password: str, stored: str) -> bool:
        seen.append(stored)
        return real(password, stored)

    monkeypatch.setattr(users, "verify_password", counting)
    return seen


@pytest.fixture
def ana(store: Store) -> Store:
    users.add_user(store, "ana", RIGHT, "viewer", ["Label A"], actor="test")
    users.add_user(store, "ben", RIGHT, "viewer", ["Label A"], actor="test")
    return store


def attempt(store, clock, seconds, password=WRONG, *, user="ana", client="c1"):
    return signin.sign_in(store, user, password, client=client, now=clock.at(seconds))


def test_sixth_attempt_within_a_minute_is_refused_unchecked(ana, clock, checks) -> None:
    for s in (0, 10, 20, 30):
        outcome = attempt(ana, clock, s)
        assert outcome.user is None and outcome.lockout is None and outcome.checked
    fifth = attempt(ana, clock, 40)  # the fifth failure starts a one-minute lockout
    assert fifth.user is None and fifth.checked
    assert fifth.lockout.until == dt.datetime(2026, 3, 1, 12, 1, 40)
    assert len(checks) == 5

    sixth = attempt(ana, clock, 50, RIGHT)  # even the right password is not looked at
    assert sixth.user is None and not sixth.checked
    assert len(checks) == 5
    assert sixth.lockout.message() == (
        "Too many failed sign-ins. Try again at 12:01:40 UTC (in 50 s)."
    )
    assert attempt(ana, clock, 99.5, RIGHT).lockout.seconds == 1  # 0.5 s, rounded up

    # at 12:01:40 the lockout is over; the right password signs in and clears the count
    back = attempt(ana, clock, 100, RIGHT)
    assert back.user is not None and back.user.username == "ana" and back.lockout is None
    for s in (101, 102, 103, 104):  # four failures, from another client: no lockout
        assert attempt(ana, clock, s, client="c2").lockout is None


def test_failures_are_counted_per_minute_window(ana, clock) -> None:
    for s in (0, 10, 20, 30):
        attempt(ana, clock, s)
    # 60 s after the first failure a new window starts: this is failure 1 of it, not 5
    assert attempt(ana, clock, 60).lockout is None
    for s in (61, 62, 63):
        assert attempt(ana, clock, s).lockout is None
    assert attempt(ana, clock, 64).lockout.until == T0 + dt.timedelta(seconds=124)


def test_lockouts_grow_and_are_capped(ana, clock) -> None:
    assert [signin.lockout_for(n) for n in range(5)] == [
        dt.timedelta(minutes=m) for m in (1, 5, 15, 15, 15)
    ]
    # each failure from another client, so only the user name's count matters
    start, ends = 0, []
    for _round in range(4):
        for i in range(5):
            outcome = attempt(ana, clock, start + i, client=f"c{start + i}")
        ends.append(outcome.lockout.until)
        start = int((outcome.lockout.until - T0).total_seconds())
    # 4 + 60 = 64; 68 + 300 = 368; 372 + 900 = 1272; 1276 + 900 = 2176
    assert ends == [T0 + dt.timedelta(seconds=s) for s in (64, 368, 1272, 2176)]


def test_a_quiet_hour_forgets_earlier_lockouts(ana, clock) -> None:
    for i in range(5):
        attempt(ana, clock, i, client=f"c{i}")  # first lockout: until 64
    for i in range(5):
        attempt(ana, clock, 64 + i, client=f"d{i}")  # second: five minutes, until 368
    # an hour after the last failure (at 68) the history is gone: one minute again
    quiet = 68 + 3600
    for i in range(5):
        outcome = attempt(ana, clock, quiet + i, client=f"e{i}")
    assert outcome.lockout.until == T0 + dt.timedelta(seconds=quiet + 4 + 60)
    # and counters nobody failed on for an hour were dropped from the store
    keys = ana.state.read("SELECT key FROM signin_throttle ORDER BY key")
    assert [k for (k,) in keys] == ["ana", "e0", "e1", "e2", "e3", "e4"]


def test_one_client_is_locked_out_across_user_names(ana, clock, checks) -> None:
    for i, name in enumerate(["ana", "ben", "nobody", "root", "ana"]):
        outcome = attempt(ana, clock, i, user=name, client="10.0.0.9")
    assert outcome.lockout.until == T0 + dt.timedelta(seconds=64)
    refused = attempt(ana, clock, 5, RIGHT, user="ben", client="10.0.0.9")
    assert refused.user is None and not refused.checked and len(checks) == 5
    # ben from another client is not locked (ben failed only once)
    assert attempt(ana, clock, 6, RIGHT, user="ben", client="10.0.0.10").user is not None


def test_unknown_names_cost_a_hash_and_are_locked_out_alike(ana, clock, checks) -> None:
    for i in range(5):
        outcome = attempt(ana, clock, i, user="nobody", client=f"c{i}")
    assert len(checks) == 5 and checks[0] == users.dummy_hash()
    assert outcome.lockout.until == T0 + dt.timedelta(seconds=64)
    assert not attempt(ana, clock, 10, user="nobody", client="c9").checked


def test_disabled_account_counts_as_a_failure(ana, clock) -> None:
    users.update_user(ana, "ben", disabled=True, actor="test")
    for i in range(5):
        outcome = attempt(ana, clock, i, RIGHT, user="ben", client=f"c{i}")
        assert outcome.user is None
    assert outcome.lockout is not None


def test_failures_and_lockouts_are_audited(ana, clock) -> None:
    for s in range(5):
        attempt(ana, clock, s)
    attempt(ana, clock, 10, RIGHT)  # refused
    attempt(ana, clock, 64, RIGHT)  # signs in
    log = audit.entries(ana, entity="session")
    assert list(log.action) == ["session.sign_in_failed"] * 5 + [
        "session.lockout",
        "session.lockout",
        "session.sign_in_locked",
        "session.sign_in",
    ]
    assert list(log.entity_id.unique()) == ["ana"]
    assert list(log.actor)[-2:] == ["(anonymous)", "ana"]
    assert '"counted_by": "user"' in log.after[5] and '"counted_by": "client"' in log.after[6]
    assert '"locked_until": "2026-03-01 12:01:04 UTC"' in log.after[7]
    assert all('"client": "c1"' in a for a in log.after)
    assert RIGHT not in "".join(log.after) and WRONG not in "".join(log.after)


def test_the_lockout_holds_for_another_process(tmp_path: Path, clock) -> None:
    path = tmp_path / "shared.duckdb"
    with open_store(path) as first:
        users.add_user(first, "ana", RIGHT, "viewer", ["Label A"], actor="test")
        for s in range(5):
            attempt(first, clock, s)
    with open_store(path) as second:  # a fresh connection sees the stored count
        outcome = attempt(second, clock, 30, RIGHT, client="elsewhere")
        assert not outcome.checked and outcome.lockout.seconds == 34
