"""Hand-offs between pages: links that open the territory budget page (and the Fan types
page) pre-filled.

The contract: the budget page reads `track` (ISRC), `goal` (expand | accelerate | sustain),
`territories` (comma-separated ISO 3166-1 alpha-2 codes) and `groups` (comma-separated
audience groups `CC:age band:gender`) from the URL's query parameters. Alerts, the
potential-streams map and Audiences link to it through `budget_link`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import streamlit as st

from app import navigation
from data.vocab import AGE_BANDS, GENDERS

QP_TRACK, QP_GOAL, QP_TERRITORIES, QP_GROUPS = "track", "goal", "territories", "groups"
QP_FAN_ARTIST = "fan_artist"  # the Fan types page's artist (an artist id)
GOALS = ("expand", "accelerate", "sustain")
_COUNTRY_CODE = re.compile(r"[A-Z]{2}")


@dataclass(frozen=True)
class BudgetRequest:
    isrc: str | None
    goal: str | None
    territories: tuple[str, ...]
    groups: tuple[tuple[str, str, str], ...] = ()  # (country, age band, gender)


def budget_query_params(
    isrc: str,
    goal: str | None = None,
    territories: Iterable[str] = (),
    groups: Iterable[tuple[str, str, str]] = (),
) -> dict[str, str]:
    params = {QP_TRACK: isrc}
    if goal:
        params[QP_GOAL] = goal
    codes = [c.upper() for c in territories]
    if codes:
        params[QP_TERRITORIES] = ",".join(codes)
    if groups:
        params[QP_GROUPS] = ",".join(f"{c.upper()}:{a}:{g}" for c, a, g in groups)
    return params


def budget_link(
    isrc: str,
    goal: str | None = None,
    territories: Iterable[str] = (),
    label: str = "Plan a territory budget",
    groups: Iterable[tuple[str, str, str]] = (),
) -> None:
    """A link to the budget page with the track, goal, territories and groups pre-filled."""
    st.page_link(
        navigation.page("budget"),
        label=label,
        icon=":material/payments:",
        query_params=budget_query_params(isrc, goal, territories, groups),
    )


def _groups(text: str) -> tuple[tuple[str, str, str], ...]:
    """Audience groups from the URL, only those made of known words (a crafted link cannot
    put its own text on the page)."""
    out = []
    for part in text.split(","):
        bits = part.strip().split(":")
        if len(bits) != 3:
            continue
        country, age, gender = bits[0].upper(), bits[1], bits[2]
        if _COUNTRY_CODE.fullmatch(country) and age in AGE_BANDS and gender in GENDERS:
            out.append((country, age, gender))
    return tuple(dict.fromkeys(out))


def read_budget_request() -> BudgetRequest:
    """What a hand-off link put in the URL. The budget page checks the track against the
    user's scope; a goal or territory that is not one (a two-letter code) is dropped here,
    so a crafted link cannot put its own words on the page."""
    qp = st.query_params
    goal = qp.get(QP_GOAL)
    codes = (c.strip().upper() for c in (qp.get(QP_TERRITORIES) or "").split(","))
    territories = tuple(c for c in codes if _COUNTRY_CODE.fullmatch(c))
    groups = _groups(qp.get(QP_GROUPS) or "")
    return BudgetRequest(qp.get(QP_TRACK), goal if goal in GOALS else None, territories, groups)


def fans_link(artist_id: str, label: str = "See the artist's fan types") -> None:
    """A link to the Fan types page with the artist chosen."""
    st.page_link(
        navigation.page("fans"),
        label=label,
        icon=":material/groups:",
        query_params={QP_FAN_ARTIST: artist_id},
    )


def read_fans_artist(options: Iterable[str]) -> str | None:
    """The artist a hand-off link chose, when it is one of the page's `options` (an artist
    outside the user's scope is not an option, so a crafted link shows nothing of it)."""
    wanted = st.query_params.get(QP_FAN_ARTIST)
    if not wanted:
        return None
    # an artist on two of the user's labels has one option per label: "id · label"
    return next((o for o in options if o == wanted or o.startswith(f"{wanted} · ")), None)
