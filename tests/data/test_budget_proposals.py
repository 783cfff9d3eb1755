"""Budget proposals: roles, scope, own-proposal rule, audit trail, and 20 threads at once."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from data import audit, users
from data.scope import Scope
from data.store import open_store
from data.workflow import budget as bp

B1, B2, A1 = "QZB000000001", "QZB000000002", "QZA000000001"
PLAN = [
    {"country": "BR", "include": True, "usd": 800.0, "groups": ["female 25-34 free"]},
    {"country": "US", "include": True, "usd": 1000.0, "groups": []},
]


def scope(name: str, role: str, labels=("Label B",)) -> Scope:
    return Scope(username=name, role=role, labels=frozenset(labels))


ADMIN = scope("admin", "admin", ("Label A", "Label B"))
NORA = scope("nora", "manager")
BOSS = scope("boss", "manager")
VIEW = scope("viewer_a", "viewer", ("Label A",))


@pytest.fixture
def store(mini_db_copy: Path):
    s = open_store(mini_db_copy)
    for name in ("nora", "boss", "mgr0", "mgr1", "mgr2", "mgr3"):
        users.add_user(s, name, "manager-pass-1", "manager", ["Label B"], actor="fixture")
    yield s
    s.close()


def test_viewer_cannot_submit_and_scope_is_checked(store) -> None:
    with pytest.raises(bp.ProposalError, match="Viewers"):
        bp.submit(store, VIEW, isrc=A1, goal="expand", total_usd=2000, plan=PLAN)
    with pytest.raises(bp.ProposalError, match="not in your catalog"):
        bp.submit(store, NORA, isrc=A1, goal="expand", total_usd=2000, plan=PLAN)
    with pytest.raises(bp.ProposalError, match="more than"):
        bp.submit(store, NORA, isrc=B1, goal="expand", total_usd=1000, plan=PLAN)
    with pytest.raises(bp.ProposalError, match="at least \\$0"):
        bad = [{"country": "BR", "usd": -1}]
        bp.submit(store, NORA, isrc=B1, goal="expand", total_usd=1000, plan=bad)
    assert store.state.read("SELECT count(*) FROM budget_proposals")[0][0] == 0


@pytest.mark.parametrize(
    "total,plan,message",
    [
        (float("inf"), PLAN, "at least \\$0"),
        (1e300, PLAN, "at most"),
        (2000, [{"country": "BR", "usd": float("inf")}], "at least \\$0"),
        (2000, [{"country": "BR", "usd": 1e300}], "at most"),
        (2000, [{"country": "BR", "usd": float("nan")}], "at least \\$0"),
        (2000, [{"country": "BR", "usd": True}], "must be a number"),
        (2000, [{"country": "ZZ", "usd": 10}], "not a country code"),
        (2000, [{"country": "XK", "usd": 10}], "not a country code"),
        (2000, [{"country": "BR", "usd": 5}, {"country": "br", "usd": 5}], "listed twice"),
    ],
)
def test_amounts_are_finite_and_bounded_and_countries_real(store, total, plan, message) -> None:
    with pytest.raises(bp.ProposalError, match=message):
        bp.submit(store, NORA, isrc=B1, goal="expand", total_usd=total, plan=plan)
    with pytest.raises(bp.ProposalError, match="longer than"):
        bp.submit(
            store, NORA, isrc=B1, goal="expand", total_usd=2000, plan=PLAN, comment="x" * 2001
        )
    assert store.state.read("SELECT count(*) FROM budget_proposals")[0][0] == 0


def test_approval_rights_own_proposal_and_audit_trail(store) -> None:
    pid = bp.submit(store, NORA, isrc=B1, goal="expand", total_usd=2000, plan=PLAN)
    # a manager without a grant cannot decide; an admin grants boss
    with pytest.raises(bp.ProposalError, match="approval rights"):
        bp.decide(store, BOSS, pid, "approve")
    with pytest.raises(bp.ProposalError, match="Only admins"):
        bp.grant(store, NORA, "boss")
    with pytest.raises(bp.ProposalError, match="only managers"):
        bp.grant(store, ADMIN, "viewer_a")
    bp.grant(store, ADMIN, "boss")
    assert bp.can_approve(store, BOSS) and not bp.can_approve(store, NORA)
    # nobody decides their own proposal, not even an admin
    small = [{"country": "BR", "usd": 400}]
    own = bp.submit(store, ADMIN, isrc=B2, goal="sustain", total_usd=500, plan=small)
    with pytest.raises(bp.ProposalError, match="own proposal"):
        bp.decide(store, ADMIN, own, "approve")
    # sending back needs a comment; then the author resubmits and boss approves
    with pytest.raises(bp.ProposalError, match="comment"):
        bp.decide(store, BOSS, pid, "return")
    bp.decide(store, BOSS, pid, "return", "Brazil is too high")
    with pytest.raises(bp.ProposalError, match="Only the author"):
        bp.resubmit(store, BOSS, pid, total_usd=2000, plan=PLAN)
    lower = [dict(PLAN[0], usd=600.0), PLAN[1]]
    bp.resubmit(store, NORA, pid, total_usd=2000, plan=lower)
    done = bp.decide(store, BOSS, pid, "approve")
    assert done["status"] == "approved" and done["version"] == 4
    with pytest.raises(bp.ProposalError, match="not awaiting review"):
        bp.decide(store, ADMIN, pid, "reject", "too late")
    # the other label's manager cannot see it
    with pytest.raises(bp.ProposalError, match="no proposal"):
        bp.decide(store, scope("x", "admin", ("Label A",)), pid, "approve")
    trail = audit.entries(store, entity="budget_proposal", entity_id=str(pid))
    assert list(trail["action"]) == ["submit", "return", "resubmit", "approve"]
    assert list(trail["actor"]) == ["nora", "boss", "nora", "boss"]
    before = json.loads(trail["before"].iloc[2])
    after = json.loads(trail["after"].iloc[2])
    assert before["plan"][0]["usd"] == 800.0 and after["plan"][0]["usd"] == 600.0
    assert before["status"] == "returned" and after["status"] == "submitted"
    bp.revoke(store, ADMIN, "boss")
    assert not bp.can_approve(store, BOSS)
    grants = audit.entries(store, entity="budget_approver")
    assert list(grants["action"]) == ["grant_approver", "revoke_approver"]


def test_only_users_who_can_approve_now_are_listed(store) -> None:
    bp.grant(store, ADMIN, "boss")
    bp.grant(store, ADMIN, "nora")
    bp.grant(store, ADMIN, "mgr0")
    listed = bp.list_approvers(store)
    assert list(listed.username) == ["admin", "boss", "mgr0", "nora"]
    assert list(listed.granted_by) == ["(admin)", "admin", "admin", "admin"]
    users.update_user(store, "boss", role="viewer", actor="admin")  # demoted
    users.update_user(store, "mgr0", disabled=True, actor="admin")
    users.update_user(store, "manager_b", role="admin", actor="admin")  # promoted, no grant
    listed = bp.list_approvers(store)
    assert list(listed.username) == ["admin", "manager_b", "nora"]
    assert list(listed.role) == ["admin", "admin", "manager"]
    assert not bp.can_approve(store, users.get_user(store, "boss").scope())
    # the grant outlives the demotion: made a manager again, boss approves again
    users.update_user(store, "boss", role="manager", actor="admin")
    assert "boss" in set(bp.list_approvers(store).username)
    assert bp.can_approve(store, users.get_user(store, "boss").scope())


def test_twenty_threads_submitting_and_approving(store) -> None:
    bp.grant(store, ADMIN, "boss")
    submitters = [scope(f"mgr{i}", "manager") for i in range(4)]
    approvers = [BOSS, ADMIN]
    ids: list[int] = []
    lock = threading.Lock()
    errors: list[BaseException] = []
    decisions: list[tuple[int, str]] = []
    start = threading.Barrier(20)

    def submit_many(i: int) -> None:
        try:
            start.wait()
            who = submitters[i % 4]
            for n in range(3):
                pid = bp.submit(
                    store, who, isrc=(B1, B2)[n % 2], goal="expand", total_usd=3000,
                    plan=[{"country": "BR", "usd": 100.0 * (i + 1)}],
                )  # fmt: skip
                with lock:
                    ids.append(pid)
        except BaseException as exc:  # noqa: BLE001 - surfaced below
            errors.append(exc)

    def approve_loop(i: int) -> None:
        try:
            start.wait()
            who = approvers[i % 2]
            for _ in range(30):
                with lock:
                    pending = list(ids)
                for pid in pending:
                    try:
                        bp.decide(store, who, pid, ("approve", "return")[pid % 2], "ok")
                        with lock:
                            decisions.append((pid, who.username))
                    except bp.ProposalError as exc:
                        assert "not awaiting review" in str(exc)
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=submit_many, args=(i,)) for i in range(10)]
    threads += [threading.Thread(target=approve_loop, args=(i,)) for i in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    rows = store.state.read(
        "SELECT proposal_id, status, version, updated_by FROM budget_proposals ORDER BY 1"
    )
    assert sorted(ids) == [r[0] for r in rows] and len(ids) == 30
    # each proposal decided at most once, by exactly the decisions recorded
    decided = {pid for pid, _ in decisions}
    assert len(decisions) == len(decided)
    trail = audit.entries(store, entity="budget_proposal")
    for pid, status, version, updated_by in rows:
        mine = trail[trail["entity_id"] == str(pid)]
        assert len(mine) == version  # one entry per change
        assert mine["action"].iloc[0] == "submit"
        assert json.loads(mine["after"].iloc[-1])["status"] == status
        if pid in decided:
            assert status == ("approved", "returned")[pid % 2]
            assert mine["actor"].iloc[-1] == updated_by == dict(decisions)[pid]
        else:
            assert status == "submitted" and version == 1
    assert trail["audit_id"].is_unique
