"""Budget proposals and approvals: every write checks the acting user's role and label scope,
runs in one transaction and appends to the audit log (who, when, before, after).

States: submitted -> approved | rejected | returned; returned -> submitted (resubmit).
Approval rights: admins always; managers an admin has granted (budget_approvers). Nobody
decides their own proposal; viewers cannot submit.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from typing import Any

import pandas as pd

from data import audit
from data.ingest.validation import COUNTRY_CODES
from data.scope import Scope
from data.state import StateCursor, utc_now
from data.store import Store

GOALS = ("expand", "accelerate", "sustain")
DECISIONS = {"approve": "approved", "reject": "rejected", "return": "returned"}
ENTITY = "budget_proposal"


class ProposalError(Exception):
    """A request the workflow refuses, with a message for the user."""


def _now() -> dt.datetime:
    return utc_now()


def _label_of(store: Store, isrc: str) -> str | None:
    """The track's label in the published catalog (analytics store)."""
    row = store.cursor().execute("SELECT label FROM catalog WHERE isrc = ?", [isrc]).fetchone()
    return row[0] if row else None


def is_approver(cur: StateCursor, scope: Scope) -> bool:
    if scope.role == "admin":
        return True
    if scope.role != "manager":
        return False
    return (
        cur.execute(
            "SELECT count(*) FROM budget_approvers WHERE username = ?", [scope.username]
        ).scalar()
        > 0
    )


def can_approve(store: Store, scope: Scope) -> bool:
    with store.state.reading() as cur:
        return is_approver(cur, scope)


# No single track's campaign spends more than this; a larger figure is a typo or an attack
# (1e300 would print as nonsense and overflow every sum downstream).
MAX_USD = 100_000_000.0
MAX_COMMENT = 2_000


def _amount(value: object, what: str) -> float:
    """A finite dollar amount in [0, MAX_USD], or a ProposalError naming `what`."""
    if isinstance(value, bool):
        raise ProposalError(f"{what}: the amount must be a number.")
    try:
        usd = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError) as exc:
        raise ProposalError(f"{what}: the amount must be a number.") from exc
    if not math.isfinite(usd) or usd < 0:
        raise ProposalError(f"{what}: the amount must be a number of at least $0.")
    if usd > MAX_USD:
        raise ProposalError(f"{what}: the amount must be at most ${MAX_USD:,.0f}.")
    return usd


def _clean_plan(plan: list[dict[str, Any]], total: float) -> list[dict[str, Any]]:
    total = _amount(total, "The total budget")
    if not plan:
        raise ProposalError("A proposal needs at least one territory.")
    out, spent, seen = [], 0.0, set()
    for item in plan:
        country = str(item.get("country", "")).upper()
        if country not in COUNTRY_CODES:
            raise ProposalError(f"{country[:8]!r} is not a country code.")
        if country in seen:
            raise ProposalError(f"{country} is listed twice.")
        seen.add(country)
        usd = _amount(item.get("usd", 0.0), country)
        include = bool(item.get("include", True))
        spent += usd if include else 0.0
        out.append({**item, "country": country, "usd": round(usd, 2), "include": include})
    if not any(i["include"] and i["usd"] > 0 for i in out):
        raise ProposalError("Choose at least one territory with an amount above $0.")
    if spent > total + 0.005:
        raise ProposalError(f"The territories add up to ${spent:,.2f}, more than ${total:,.2f}.")
    return out


def _clean_comment(comment: str | None) -> str | None:
    if comment is not None and len(comment) > MAX_COMMENT:
        raise ProposalError(f"The comment is longer than {MAX_COMMENT:,} characters.")
    return comment


def _row(cur: StateCursor, proposal_id: int) -> dict[str, Any] | None:
    found = (
        cur.execute("SELECT * FROM budget_proposals WHERE proposal_id = ?", [proposal_id])
        .mappings()
        .fetchone()
    )
    if found is None:
        return None
    row = dict(found)
    row["plan"] = json.loads(row["plan"])
    return row


def _snapshot(row: dict[str, Any]) -> dict[str, Any]:
    keys = ("status", "total_usd", "plan", "comment", "goal", "version")
    return {k: row[k] for k in keys}


def submit(
    store: Store,
    scope: Scope,
    *,
    isrc: str,
    goal: str,
    total_usd: float,
    plan: list[dict[str, Any]],
    comment: str | None = None,
) -> int:
    """Create a proposal in state 'submitted'; returns its id."""
    if scope.role not in ("admin", "manager"):
        raise ProposalError("Viewers cannot submit budget proposals.")
    if goal not in GOALS:
        raise ProposalError(f"The goal must be one of {', '.join(GOALS)}.")
    clean = _clean_plan(plan, total_usd)
    comment = _clean_comment(comment)
    label = _label_of(store, isrc)
    if label is None or not scope.allows(label):
        raise ProposalError("That track is not in your catalog.")
    with store.state.transaction() as cur:
        now = _now()
        pid = cur.execute(
            "INSERT INTO budget_proposals (isrc, label, goal, total_usd, plan, status, comment, "
            "created_by, created_at, updated_by, updated_at, version) "
            "VALUES (?, ?, ?, ?, ?, 'submitted', ?, ?, ?, ?, ?, 1) RETURNING proposal_id",
            [
                isrc, label, goal, float(total_usd), json.dumps(clean), comment,
                scope.username, now, scope.username, now,
            ],
        ).scalar()  # fmt: skip
        row = _row(cur, pid)
        audit.record(
            cur, actor=scope.username, action="submit", entity=ENTITY, entity_id=str(pid),
            before=None, after=_snapshot(row),
        )  # fmt: skip
    return int(pid)


def _load_for_write(cur: StateCursor, scope: Scope, pid: int) -> dict[str, Any]:
    row = _row(cur, pid)
    if row is None or not scope.allows(row["label"]):
        raise ProposalError(f"There is no proposal {pid} in your catalog.")
    return row


def decide(
    store: Store, scope: Scope, proposal_id: int, decision: str, comment: str | None = None
) -> dict[str, Any]:
    """Approve, reject or return (send back) a submitted proposal."""
    if decision not in DECISIONS:
        raise ProposalError(f"The decision must be one of {', '.join(DECISIONS)}.")
    comment = _clean_comment((comment or "").strip() or None)
    if decision in ("reject", "return") and not comment:
        raise ProposalError("Say why in a comment when rejecting or sending back.")
    with store.state.transaction() as cur:
        if not is_approver(cur, scope):
            raise ProposalError("You do not have approval rights.")
        row = _load_for_write(cur, scope, proposal_id)
        if row["created_by"] == scope.username:
            raise ProposalError("Nobody can approve, reject or return their own proposal.")
        if row["status"] != "submitted":
            raise ProposalError(f"Proposal {proposal_id} is {row['status']}, not awaiting review.")
        # Only the version read above: on PostgreSQL a concurrent decision may commit
        # between the read and this write, and it must win alone.
        changed = cur.execute(
            "UPDATE budget_proposals SET status = ?, comment = ?, updated_by = ?, "
            "updated_at = ?, version = version + 1 "
            "WHERE proposal_id = ? AND status = 'submitted' AND version = ?",
            [DECISIONS[decision], comment, scope.username, _now(), proposal_id, row["version"]],
        ).rowcount
        if changed != 1:
            raise ProposalError(f"Proposal {proposal_id} was decided by someone else meanwhile.")
        after = _row(cur, proposal_id)
        audit.record(
            cur, actor=scope.username, action=decision, entity=ENTITY,
            entity_id=str(proposal_id), before=_snapshot(row), after=_snapshot(after),
        )  # fmt: skip
    return after


def resubmit(
    store: Store,
    scope: Scope,
    proposal_id: int,
    *,
    total_usd: float,
    plan: list[dict[str, Any]],
    comment: str | None = None,
) -> dict[str, Any]:
    """Edit a returned proposal and submit it again (its author, or an admin)."""
    clean = _clean_plan(plan, total_usd)
    comment = _clean_comment(comment)
    with store.state.transaction() as cur:
        row = _load_for_write(cur, scope, proposal_id)
        if row["created_by"] != scope.username and scope.role != "admin":
            raise ProposalError("Only the author can resubmit a proposal.")
        if scope.role not in ("admin", "manager"):
            raise ProposalError("Viewers cannot submit budget proposals.")
        if row["status"] != "returned":
            raise ProposalError(f"Proposal {proposal_id} is {row['status']}, not sent back.")
        changed = cur.execute(
            "UPDATE budget_proposals SET status = 'submitted', total_usd = ?, plan = ?, "
            "comment = ?, updated_by = ?, updated_at = ?, version = version + 1 "
            "WHERE proposal_id = ? AND status = 'returned' AND version = ?",
            [
                float(total_usd), json.dumps(clean), comment, scope.username, _now(),
                proposal_id, row["version"],
            ],
        ).rowcount  # fmt: skip
        if changed != 1:
            raise ProposalError(f"Proposal {proposal_id} was changed by someone else meanwhile.")
        after = _row(cur, proposal_id)
        audit.record(
            cur, actor=scope.username, action="resubmit", entity=ENTITY,
            entity_id=str(proposal_id), before=_snapshot(row), after=_snapshot(after),
        )  # fmt: skip
    return after


# -- approver grants (admins manage them) ----------------------------------------------------
def list_approvers(store: Store) -> pd.DataFrame:
    """username, role, granted_by, granted_at: who can approve now, i.e. enabled admins
    (implicitly) and enabled managers with a grant. A grant outlives a demotion (it counts
    again if the user is made a manager again) but a demoted user is not listed."""
    return store.state.read_df(
        "SELECT u.username, u.role, coalesce(a.granted_by, '(admin)') "
        "AS granted_by, a.granted_at FROM users u LEFT JOIN budget_approvers a "
        "ON a.username = u.username WHERE NOT u.disabled "
        "AND (u.role = 'admin' OR (u.role = 'manager' AND a.username IS NOT NULL)) "
        "ORDER BY u.username"
    )


def _check_admin(actor: Scope) -> None:
    if actor.role != "admin":
        raise ProposalError("Only admins can grant or revoke approval rights.")


def grant(store: Store, actor: Scope, username: str) -> None:
    _check_admin(actor)
    with store.state.transaction() as cur:
        row = cur.execute("SELECT role FROM users WHERE username = ?", [username]).fetchone()
        if row is None:
            raise ProposalError(f"There is no user {username!r}.")
        if row[0] == "admin":
            raise ProposalError(f"{username} is an admin and always has approval rights.")
        if row[0] != "manager":
            raise ProposalError(f"{username} is a {row[0]}; only managers can be approvers.")
        if cur.execute(
            "SELECT count(*) FROM budget_approvers WHERE username = ?", [username]
        ).scalar():
            raise ProposalError(f"{username} already has approval rights.")
        cur.execute(
            "INSERT INTO budget_approvers VALUES (?, ?, ?)", [username, actor.username, _now()]
        )
        audit.record(
            cur, actor=actor.username, action="grant_approver", entity="budget_approver",
            entity_id=username, before={"approver": False}, after={"approver": True},
        )  # fmt: skip


def revoke(store: Store, actor: Scope, username: str) -> None:
    _check_admin(actor)
    with store.state.transaction() as cur:
        gone = cur.execute(
            "DELETE FROM budget_approvers WHERE username = ? RETURNING username", [username]
        ).fetchall()
        if not gone:
            raise ProposalError(f"{username} has no granted approval rights to revoke.")
        audit.record(
            cur, actor=actor.username, action="revoke_approver", entity="budget_approver",
            entity_id=username, before={"approver": True}, after={"approver": False},
        )  # fmt: skip
