"""Two app instances on one PostgreSQL state database, 20 concurrent budget actions across
them (each instance: 5 submissions and 5 approvals, the approvals of both instances aimed
at the same 5 proposals): nothing lost, nothing decided twice.

Each instance is its own process (tests/support/state_worker.py) with its own connection
pool, running the workflow functions the Territory budgets page calls."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from data import audit, users
from data.scope import Scope
from data.store import open_store
from data.workflow import budget as bp

ROOT = Path(__file__).resolve().parents[2]


def test_two_instances_twenty_concurrent_actions(mini_db_copy, pg_state_url):
    store = open_store(mini_db_copy, read_only=True, state_url=pg_state_url)
    users.add_user(store, "author", "harbor-sound-42", "manager", ["Label A"], actor="t")
    users.add_user(store, "boss", "northern-lights-7", "admin", ["Label A"], actor="t")
    users.add_user(store, "judge", "evening-tide-93", "manager", ["Label A"], actor="t")
    admin = Scope(username="boss", role="admin", labels=frozenset({"Label A"}))
    bp.grant(store, admin, "judge")
    author = users.get_user(store, "author").scope()
    contended = [
        bp.submit(store, author, isrc="QZA000000001", goal="expand", total_usd=50.0,
                  plan=[{"country": "BR", "usd": 50.0}])
        for _ in range(5)
    ]  # fmt: skip
    start_at = time.time() + 4  # both instances are up and connected by then
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.support.state_worker",
                str(mini_db_copy),
                pg_state_url,
                approver,
                str(start_at),
                ",".join(map(str, contended)),
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )  # fmt: skip
        for approver in ("boss", "judge")
    ]
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        results.append(json.loads(out.strip().splitlines()[-1]))

    # nothing lost: all 10 submissions are stored, under 10 distinct new ids
    submitted = [pid for r in results for pid in r["submitted"]]
    assert len(submitted) == len(set(submitted)) == 10
    rows = store.state.read(
        "SELECT proposal_id, status, version, updated_by FROM budget_proposals ORDER BY 1"
    )
    assert [r[0] for r in rows] == sorted(contended + submitted)
    # nothing decided twice: each contended proposal approved by exactly one instance,
    # the other told why; one approve entry each in the audit log
    approved = [pid for r in results for pid in r["approved"]]
    assert sorted(approved) == sorted(contended)
    refused = {int(pid) for r in results for pid in r["refused"]}
    assert refused == set(contended)
    by_id = {r[0]: r for r in rows}
    for pid in contended:
        assert by_id[pid][1] == "approved" and by_id[pid][2] == 2
    trail = audit.entries(store, entity="budget_proposal")
    approvals = trail[trail["action"] == "approve"]
    assert sorted(int(i) for i in approvals["entity_id"]) == sorted(contended)
    submits = trail[trail["action"] == "submit"]
    assert sorted(int(i) for i in submits["entity_id"]) == sorted(contended + submitted)
    for pid in submitted:
        assert by_id[pid][1] == "submitted" and by_id[pid][2] == 1
    store.close()
