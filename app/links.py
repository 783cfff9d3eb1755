"""Hand-offs between pages: links that open the territory budget page pre-filled.

The contract: the budget page reads `track` (ISRC), `goal` (expand | accelerate | sustain)
and `territories` (comma-separated ISO 3166-1 alpha-2 codes) from the URL's query
parameters. Alerts and the potential-streams map link to it through `budget_link`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import streamlit as st

from app import navigation

QP_TRACK, QP_GOAL, QP_TERRITORIES = "track", "goal", "territories"
GOALS = ("expand", "accelerate", "sustain")
_COUNTRY_CODE = re.compile(r"[A-Z]{2}")


@dataclass(frozen=True)
class BudgetRequest:
    isrc: str | None
    goal: str | None
    territories: tuple[str, ...]


def budget_query_params(
    isrc: str, goal: str | None = None, territories: Iterable[str] = ()
) -> dict[str, str]:
    params = {QP_TRACK: isrc}
    if goal:
        params[QP_GOAL] = goal
    codes = [c.upper() for c in territories]
    if codes:
        params[QP_TERRITORIES] = ",".join(codes)
    return params


def budget_link(
    isrc: str,
    goal: str | None = None,
    territories: Iterable[str] = (),
    label: str = "Plan a territory budget",
) -> None:
    """A link to the budget page with the track, goal and territories pre-filled."""
    st.page_link(
        navigation.page("budget"),
        label=label,
        icon=":material/payments:",
        query_params=budget_query_params(isrc, goal, territories),
    )


def read_budget_request() -> BudgetRequest:
    """What a hand-off link put in the URL. The budget page checks the track against the
    user's scope; a goal or territory that is not one (a two-letter code) is dropped here,
    so a crafted link cannot put its own words on the page."""
    qp = st.query_params
    goal = qp.get(QP_GOAL)
    codes = (c.strip().upper() for c in (qp.get(QP_TERRITORIES) or "").split(","))
    territories = tuple(c for c in codes if _COUNTRY_CODE.fullmatch(c))
    return BudgetRequest(qp.get(QP_TRACK), goal if goal in GOALS else None, territories)
