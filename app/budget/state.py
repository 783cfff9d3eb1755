"""Session state of the Territory budgets page: widget values kept across page switches, the
hand-off link applied once, and the editable plan per track and goal.

Streamlit drops the state of widgets that were not drawn, so the chosen track, goal and
total budget are also kept under keys no widget owns and restored before the widgets draw.
The stored plan, not the data editor, is the source of truth: the editor's changes are
folded into it at the top of the run they trigger.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from analytics.budget import ScoreResult
from app import links
from app.budget import view
from data.queries import Filters
from data.scope import Scope

K_TRACK, K_GOAL, K_REQ = "budget_track", "budget_goal", "budget_request_applied"
K_NOTICE = "budget_notices"


def restore(key: str) -> None:
    """Give a widget back its value after a page switch (see `keep`)."""
    if key not in st.session_state and f"{key}:kept" in st.session_state:
        st.session_state[key] = st.session_state[f"{key}:kept"]


def keep(key: str, value: object) -> None:
    """Save a widget's value under a key no widget owns, so it survives a page switch."""
    st.session_state[f"{key}:kept"] = value


# -- the hand-off link and the track picker -------------------------------------------------
@dataclass(frozen=True)
class HandOff:
    request: links.BudgetRequest
    territories: tuple[str, ...]  # named by the link that was applied (kept on reruns)
    warning: str | None  # when the link names a track the user cannot plan
    groups: tuple[tuple[str, str, str], ...] = ()  # audience groups the link named

    def groups_by_country(self) -> dict[str, list[str]]:
        """The link's audience groups per territory, as the plan names them."""
        out: dict[str, list[str]] = {}
        for country, age, gender in self.groups:
            out.setdefault(country, []).append(f"{gender} {age}")
        return out


def apply_hand_off(scope: Scope) -> HandOff:
    """Pre-fill track and goal from a hand-off link, once per link (a rerun must not undo
    the user's later choice)."""
    req = links.read_budget_request()
    req_key = (req.isrc, req.goal, req.territories, req.groups)
    warning = None
    if req.isrc and st.session_state.get(K_REQ) != req_key:
        st.session_state[K_REQ] = req_key
        if req.isrc in set(view.all_tracks(scope)["isrc"]):
            st.session_state[K_TRACK] = req.isrc
        else:
            warning = "The link names a track you cannot see or that has no audience model."
        if req.goal:
            st.session_state[K_GOAL] = req.goal
    applied = st.session_state.get(K_REQ)
    if not applied:
        return HandOff(req, (), warning)
    return HandOff(req, applied[2], warning, applied[3] if len(applied) > 3 else ())


@dataclass(frozen=True)
class TrackChoice:
    options: list[str]  # ISRCs, in display order
    names: dict[str, str]  # ISRC -> "title — artist (ISRC)"
    outside_filters: bool  # the chosen track is kept although the filters exclude it


def track_choice(scope: Scope, filters: Filters) -> TrackChoice:
    """The tracks to pick from; restores the kept track and goal first."""
    restore(K_TRACK)
    restore(K_GOAL)
    tracks = view.tracks(scope, filters)
    options = list(tracks["isrc"])
    chosen = st.session_state.get(K_TRACK)
    outside = False
    if chosen and chosen not in options:
        # a pre-filled or earlier track outside the sidebar filters stays available
        everything = view.all_tracks(scope)
        if chosen in set(everything["isrc"]):
            tracks = pd.concat([everything[everything["isrc"] == chosen], tracks])
            options = [chosen, *options]
            outside = True
    names = {r.isrc: f"{r.track_title} — {r.artist_name} ({r.isrc})" for r in tracks.itertuples()}
    return TrackChoice(options, names, outside)


def chosen(hand_off: HandOff, isrc: str, goal: str) -> None:
    """Keep the choice; once the user moves away from a hand-off, put the new choice in
    the URL so that a reload does not bring the old hand-off back."""
    keep(K_TRACK, isrc)
    keep(K_GOAL, goal)
    req = hand_off.request
    if req.isrc and (isrc != req.isrc or goal != req.goal):
        st.query_params[links.QP_TRACK] = isrc
        st.query_params[links.QP_GOAL] = goal
        st.session_state[K_REQ] = (isrc, goal, hand_off.territories, hand_off.groups)


# -- the editable plan ------------------------------------------------------------------------
class PlanState:
    """The plan of one track and goal in the session: the plan frame, the editor's version
    (a new version draws a fresh editor over the committed plan) and the total budget."""

    def __init__(self, isrc: str, goal: str, result: ScoreResult) -> None:
        self.key = view.plan_key(isrc, goal)
        self.result = result

    @property
    def budget_key(self) -> str:
        return f"{self.key}:budget"

    @property
    def editor_key(self) -> str:
        return f"{self.key}:editor:{st.session_state[f'{self.key}:v']}"

    @property
    def plan(self) -> pd.DataFrame:
        return st.session_state[self.key]

    def start(self, requested: tuple[str, ...]) -> None:
        """A new plan (the requested or else the selected territories) unless one exists;
        then fold in the editor's pending changes and restore the total budget."""
        if self.key not in st.session_state:
            st.session_state[self.key] = view.initial_plan(self.result, requested)
            st.session_state[f"{self.key}:v"] = 0
            st.session_state[f"{self.budget_key}:kept"] = view.DEFAULT_BUDGET
        pending = st.session_state.get(self.editor_key)
        if isinstance(pending, dict) and pending.get("edited_rows"):
            self._commit(pending["edited_rows"])
        restore(self.budget_key)

    def _commit(self, edits: dict) -> None:
        """Fold the editor's changes into the stored plan, reduce over-cap amounts."""
        plan = view.apply_edits(self.plan, edits)
        plan, notices = view.enforce_caps(plan, self.result)
        self._replace(plan, notices)

    def suggest(self) -> None:
        """The button's callback: the best split of the total over the Yes territories."""
        total = float(st.session_state[self.budget_key])
        self._replace(view.suggest(self.plan, self.result, total), [])

    def _replace(self, plan: pd.DataFrame, notices: list[str]) -> None:
        st.session_state[self.key] = plan
        st.session_state[K_NOTICE] = notices
        st.session_state[f"{self.key}:v"] += 1

    def keep_budget(self, value: float) -> None:
        keep(self.budget_key, value)

    @staticmethod
    def notices() -> list[str]:
        return st.session_state.get(K_NOTICE) or []
