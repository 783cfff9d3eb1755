"""View model of the proposals part of the Territory budgets page: the proposal list and
review queue, a proposal's plan and history, workflow actions and targeting exports."""

from __future__ import annotations

import json
from typing import Any

import pandas as pd

from app import geo, services
from data.queries import Filters
from data.queries import budget as budget_queries
from data.scope import Scope
from data.workflow import budget as bp

LIST_COLUMNS = [
    "proposal_id",
    "status",
    "track_title",
    "artist_name",
    "goal",
    "total_usd",
    "countries",
    "created_by",
    "updated_by",
    "updated_at",
]


def proposals(scope: Scope, filters: Filters) -> pd.DataFrame:
    return services.query(budget_queries.budget_proposals, scope, filters)


def history(scope: Scope, proposal_id: int) -> pd.DataFrame:
    df = services.query(budget_queries.proposal_audit, scope, None, proposal_id=int(proposal_id))
    out = []
    for r in df.itertuples():
        before = json.loads(r.before) if isinstance(r.before, str) else None
        after = json.loads(r.after) if isinstance(r.after, str) else None
        out.append(
            {
                "when (UTC)": r.logged_at,
                "who": r.actor,
                "action": r.action,
                "status": f"{(before or {}).get('status', '–')} → {(after or {}).get('status')}",
                "total_usd": f"{(before or {}).get('total_usd', '–')} → "
                f"{(after or {}).get('total_usd')}",
                "plan before": _plan_text(before),
                "plan after": _plan_text(after),
                "comment": (after or {}).get("comment") or "",
            }
        )
    return pd.DataFrame(out)


def _plan_text(snap: dict[str, Any] | None) -> str:
    if not snap:
        return "–"
    return ", ".join(f"{i['country']} ${i['usd']:,.0f}" for i in snap.get("plan", []))


def can_approve(scope: Scope) -> bool:
    return bp.can_approve(services.store(), scope)


def submit(scope: Scope, **kwargs: Any) -> str | None:
    """Submit a plan for approval; the refusal message, or None on success."""
    return act(bp.submit, scope, **kwargs)


def decide(scope: Scope, proposal_id: int, decision: str, note: str | None) -> str | None:
    """Approve, reject or return a proposal; the refusal message, or None on success."""
    return act(bp.decide, scope, proposal_id, decision, note)


def resubmit(scope: Scope, proposal_id: int, **kwargs: Any) -> str | None:
    """Resubmit a returned proposal with a new plan; the refusal message, or None."""
    return act(bp.resubmit, scope, proposal_id, **kwargs)


def act(fn: Any, *args: Any, **kwargs: Any) -> str | None:
    """Run a workflow write; returns the refusal message, or None on success."""
    try:
        fn(services.store(), *args, **kwargs)
    except bp.ProposalError as exc:
        return str(exc)
    services.clear_caches()
    return None


def targeting(row: pd.Series) -> tuple[pd.DataFrame, str]:
    """CSV rows and JSON of an approved plan's targeting descriptions per territory."""
    plan = json.loads(row["plan"]) if isinstance(row["plan"], str) else row["plan"]
    items = [
        {
            "proposal_id": int(row["proposal_id"]),
            "isrc": row["isrc"],
            "goal": row["goal"],
            "country": i["country"],
            "budget_usd": i["usd"],
            "groups": "; ".join(i.get("groups", [])),
            "interests_artists": "; ".join(i.get("artists", [])),
            "interests_genres": "; ".join(i.get("genres", [])),
        }
        for i in plan
        if i.get("include", True)
    ]
    doc = {
        "proposal_id": int(row["proposal_id"]),
        "isrc": row["isrc"],
        "track": row["track_title"],
        "artist": row["artist_name"],
        "goal": row["goal"],
        "status": row["status"],
        "territories": [
            {
                "country": i["country"],
                "budget_usd": i["usd"],
                "groups": i.get("groups", []),
                "interests": {"artists": i.get("artists", []), "genres": i.get("genres", [])},
            }
            for i in plan
            if i.get("include", True)
        ],
    }
    return pd.DataFrame(items), json.dumps(doc, indent=2, ensure_ascii=False)


def proposal_list(props: pd.DataFrame) -> pd.DataFrame:
    """The proposals as listed: each plan as "country $amount" pairs."""
    countries = [
        ", ".join(f"{i['country']} ${i['usd']:,.0f}" for i in json.loads(p)) for p in props["plan"]
    ]
    return props.assign(countries=countries)[LIST_COLUMNS]


def review_queue(props: pd.DataFrame, scope: Scope) -> pd.DataFrame:
    """Submitted proposals someone else made (nobody reviews their own)."""
    return props[(props["status"] == "submitted") & (props["created_by"] != scope.username)]


def open_order(props: pd.DataFrame, queue: pd.DataFrame, approver: bool) -> list[int]:
    """Proposal ids for the picker, newest first; an approver's review queue first."""
    ids = list(props["proposal_id"])
    if approver and len(queue):
        first = list(queue["proposal_id"])
        ids = first + [p for p in ids if p not in set(first)]
    return ids


def proposal(props: pd.DataFrame, proposal_id: int) -> pd.Series:
    """One proposal's row, its id included."""
    row = props.set_index("proposal_id").loc[proposal_id]
    return pd.Series({**row.to_dict(), "proposal_id": proposal_id})


def plan_table(row: pd.Series) -> pd.DataFrame:
    """A proposal's plan per territory, with the targeting it describes."""
    return pd.DataFrame(
        [
            {
                "territory": geo.country_name(i["country"]),
                "usd": i["usd"],
                "cap_usd": i.get("cap_usd"),
                "groups": ", ".join(i.get("groups", [])),
                "interests": ", ".join(i.get("artists", []) + i.get("genres", [])),
            }
            for i in json.loads(row["plan"])
        ]
    )
