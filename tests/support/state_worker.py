"""One app instance for the concurrency test: opens the published store read-only with a
given state database (as app.services does), then runs its share of submit and approve
actions at once, on threads, through the functions the Territory budgets page calls.

    python -m tests.support.state_worker DB STATE_URL APPROVER START_AT PID,PID,...

Prints one JSON line: {"submitted": [ids], "approved": [ids], "refused": {id: message}}.
"""

from __future__ import annotations

import json
import sys
import threading
import time

from data import users
from data.store import open_store
from data.workflow import budget as bp

SUBMITS = 5
TRACK = "QZA000000001"  # Label A in the mini store


def main(db: str, state_url: str, approver: str, start_at: float, pids: list[int]) -> None:
    store = open_store(db, read_only=True, state_url=state_url)
    author = users.get_user(store, "author").scope()
    judge = users.get_user(store, approver).scope()
    out: dict[str, object] = {"submitted": [], "approved": [], "refused": {}}
    lock = threading.Lock()

    def submit(i: int) -> None:
        pid = bp.submit(
            store, author, isrc=TRACK, goal="expand", total_usd=100.0 + i,
            plan=[{"country": "US", "usd": 100.0 + i}], comment=f"{approver} #{i}",
        )  # fmt: skip
        with lock:
            out["submitted"].append(pid)  # type: ignore[union-attr]

    def approve(pid: int) -> None:
        try:
            bp.decide(store, judge, pid, "approve")
        except bp.ProposalError as exc:
            with lock:
                out["refused"][str(pid)] = str(exc)  # type: ignore[index]
            return
        with lock:
            out["approved"].append(pid)  # type: ignore[union-attr]

    threads = [threading.Thread(target=submit, args=(i,)) for i in range(SUBMITS)]
    threads += [threading.Thread(target=approve, args=(pid,)) for pid in pids]
    time.sleep(max(0.0, start_at - time.time()))
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4]),
         [int(p) for p in sys.argv[5].split(",")])  # fmt: skip
