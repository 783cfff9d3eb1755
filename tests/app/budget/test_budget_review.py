"""The proposals part of the budget page's view model: the listing, the review queue and the
order of the proposal picker."""

from __future__ import annotations

import json

import pandas as pd

from app.budget import proposals
from data.scope import Scope

PLAN = [{"country": "BR", "usd": 1200.0}, {"country": "US", "usd": 800.5}]


def props() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "proposal_id": [4, 3, 2, 1],
            "isrc": ["QZ1", "QZ2", "QZ1", "QZ3"],
            "track_title": ["a", "b", "a", "c"],
            "artist_name": ["A", "B", "A", "C"],
            "label": ["L"] * 4,
            "goal": ["expand", "sustain", "expand", "accelerate"],
            "total_usd": [2000.0, 500.0, 100.0, 300.0],
            "plan": [json.dumps(PLAN), json.dumps([]), json.dumps(PLAN[:1]), json.dumps([])],
            "status": ["submitted", "submitted", "approved", "submitted"],
            "comment": [None, None, "ok", None],
            "created_by": ["nora", "ana", "nora", "ana"],
            "created_at": [None] * 4,
            "updated_by": ["nora", "ana", "admin", "ana"],
            "updated_at": [None] * 4,
            "version": [1, 1, 2, 1],
        }
    )


def test_listing_shows_each_plan_as_amounts_per_country() -> None:
    listing = proposals.proposal_list(props())
    assert list(listing.columns) == proposals.LIST_COLUMNS
    assert list(listing["countries"]) == ["BR $1,200, US $800", "", "BR $1,200", ""]


def test_review_queue_leaves_out_own_and_decided_proposals() -> None:
    queue = proposals.review_queue(props(), Scope("nora", "manager", frozenset({"L"})))
    assert list(queue["proposal_id"]) == [3, 1]
    # an approver sees the queue first, then the rest newest first; others newest first
    assert proposals.open_order(props(), queue, approver=True) == [3, 1, 4, 2]
    assert proposals.open_order(props(), queue, approver=False) == [4, 3, 2, 1]


def test_one_proposal_and_its_plan() -> None:
    row = proposals.proposal(props(), 2)
    assert row["proposal_id"] == 2 and row["status"] == "approved" and row["comment"] == "ok"
    table = proposals.plan_table(row)
    assert table.to_dict("records") == [
        {"territory": "Brazil", "usd": 1200.0, "cap_usd": None, "groups": "", "interests": ""}
    ]
