"""The guided demo: a sidebar stepper that walks a presenter through the story
Alert -> cause -> similar artists' gap -> audience -> budget with expected outcome -> approval.

The subject is chosen from the persisted results in the user's scope: the alert event with
the largest move, among those whose artist streams less than its similar artists predict in
some territory (so every step has something to show). Each step says what to look at and
has a "Go" link that opens its page with the subject pre-selected (the pages read their
choices from the URL: app/url_state.py, app/links.py).

Shown on a synthetic demo store, or anywhere with `?tour=1` in the URL.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
import streamlit as st

from app import geo, navigation, services
from app.alerts import event_view
from app.alerts import view as alerts_view
from app.similar import view as similar_view
from data.queries import Filters
from data.queries import recommend as recommend_queries
from data.queries import similar as similar_queries
from data.scope import Scope

K_STEP, K_PLAN, K_ON = "tour_step", "tour_plan", "tour_on"
QP_TOUR = "tour"
CANDIDATES = 12  # events tried, largest move first


@dataclass(frozen=True)
class Step:
    title: str
    text: str
    page: str  # the feature whose page the Go link opens
    params: dict[str, str] = field(default_factory=dict)


def _pick(scope: Scope, flt: Filters) -> dict[str, object] | None:
    """The story's subject: an event of a track whose artist has a territory gap. Events
    with an attributed cause come first (a new release's first days have none to show),
    then the most probable, then the largest move."""
    events = event_view.events(scope, flt, None, None)
    events = events[events["artist_id"].notna() & events["tracks"].map(len).gt(0)]
    if events.empty:
        return None
    explained = events["cause"].fillna("").str.len().gt(0) & ~events["cause"].fillna(
        ""
    ).str.startswith("not enough")
    events = events.assign(
        explained=explained & (events["kind"] != "release"), size=events["effect"].abs()
    ).sort_values(["explained", "probability", "size"], ascending=False)
    for row in events.head(CANDIDATES).itertuples(index=False):
        potential = services.query(
            similar_queries.similar_potential, scope, str(row.artist_id), str(row.label)
        )
        gaps = potential[potential["gap"] > 0].sort_values("gap", ascending=False)
        if gaps.empty:
            continue
        alerts = alerts_view.feed(scope, flt, None, None)
        members = alerts[alerts["event_id"] == row.event_id]
        on_track = members[members["isrc"].isin(list(row.tracks))]
        alert = (on_track if not on_track.empty else members).iloc[0]
        return {
            "event_id": str(row.event_id),
            "alert_key": str(alert["alert_key"]),
            "isrc": str(alert["isrc"]) if pd.notna(alert["isrc"]) else str(row.tracks[0]),
            "track": str(alert["track_title"]) if pd.notna(alert["track_title"]) else "",
            "artist_id": str(row.artist_id),
            "label": str(row.label),
            "artist": str(row.subject),
            "territories": [str(c) for c in gaps["country"].head(3)],
        }
    return None


def _similar_key(scope: Scope, artist_id: str, label: str) -> str:
    """The Similar artists page's choice key of the unit (artist id, or "id · label")."""
    options = services.query(similar_queries.similar_artist_options, scope, Filters())
    units = similar_view.choice_units(options)
    return next((k for k, unit in units.items() if unit == (artist_id, label)), artist_id)


def plan(scope: Scope, flt: Filters) -> list[Step] | None:
    """The six steps with real ids from the store, or None when no subject fits."""
    s = _pick(scope, flt)
    if s is None:
        return None
    isrc, where = str(s["isrc"]), list(s["territories"])  # type: ignore[arg-type]
    countries = ", ".join(geo.country_name(c) for c in where)
    alert_params = {"event": str(s["event_id"]), "alert": str(s["alert_key"]), "status": "All"}
    adopters = services.query(recommend_queries.recommend_track_options, scope, Filters())
    audience = {"audience_track": isrc} if isrc in set(adopters.get("isrc", [])) else {}
    budget = {"track": isrc, "goal": "expand", "territories": ",".join(where)}
    return [
        Step(
            "1. An alert",
            "The largest significant change in daily streams for your labels. On the chart, "
            "the observed streams leave the forecast band: this is what the app flagged.",
            "alerts",
            alert_params,
        ),
        Step(
            "2. Its cause",
            "Below the chart: the cause in one line and the attribution table, which says "
            "which countries, DSPs or sources made the change.",
            "alerts",
            alert_params,
        ),
        Step(
            "3. Where similar artists do better",
            f"The artist's most similar artists stream more in {countries}. The map and the "
            "'Target countries' table show the gap in streams.",
            "similar",
            {"similar_artist": _similar_key(scope, str(s["artist_id"]), str(s["label"]))},
        ),
        Step(
            "4. Who the audience is",
            "The listeners most likely to adopt the track, by country, age band and gender: "
            "the people a campaign would reach.",
            "recommend",
            audience,
        ),
        Step(
            "5. A budget and its expected outcome",
            "The track and the gap countries are pre-filled. Enter a total, press 'Suggest a "
            "split', then read 'Extra streams expected' and the plan against the optimiser.",
            "budget",
            budget,
        ),
        Step(
            "6. Approval",
            "Press 'Submit for approval'. An approver (another manager or an admin) opens it "
            "under 'Proposals' on this page and approves, rejects or sends it back.",
            "budget",
            budget,
        ),
    ]


def enabled() -> bool:
    """On a synthetic demo store, or when a link asked for the tour (kept for the session)."""
    if st.query_params.get(QP_TOUR) == "1":
        st.session_state[K_ON] = True
    return services.is_demo() or bool(st.session_state.get(K_ON))


def _move(delta: int, last: int) -> None:
    st.session_state[K_STEP] = min(max(0, int(st.session_state.get(K_STEP, 0)) + delta), last)


def sidebar(scope: Scope, flt: Filters) -> None:
    """The stepper in the sidebar: the step's text, Go, Back and Next."""
    if not enabled():
        return
    key = (scope.username, tuple(sorted(scope.labels)))
    cached = st.session_state.get(K_PLAN)
    if cached is None or cached[0] != key:
        cached = (key, plan(scope, flt))
        st.session_state[K_PLAN] = cached
    steps: list[Step] | None = cached[1]
    with st.sidebar.expander("Guided demo", icon=":material/tour:", expanded=True):
        if not steps:
            st.caption("No alert with a territory gap in your labels to build the demo on.")
            return
        i = min(int(st.session_state.get(K_STEP, 0)), len(steps) - 1)
        step = steps[i]
        st.markdown(f"**{step.title}** ({i + 1} of {len(steps)})")
        st.caption(step.text)
        st.page_link(
            navigation.page(step.page),
            label="Go: open this view",
            icon=":material/arrow_forward:",
            query_params=step.params,
        )
        back, nxt = st.columns(2)
        back.button(
            "Back", key="tour_back", disabled=i == 0, on_click=_move, args=(-1, len(steps) - 1)
        )
        nxt.button(
            "Next",
            key="tour_next",
            disabled=i == len(steps) - 1,
            on_click=_move,
            args=(1, len(steps) - 1),
            type="primary",
        )
