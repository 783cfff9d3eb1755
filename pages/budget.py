"""Territory budgets: ranked territories for a track and goal, an editable budget per
territory with caps, submission for approval, and the approval queue."""

from __future__ import annotations

import json

import pandas as pd
import streamlit as st

from app import geo, links, state, widgets
from app.budget import view as bv
from app.safe_text import md

K_TRACK, K_GOAL, K_REQ = "budget_track", "budget_goal", "budget_request_applied"
K_NOTICE = "budget_notices"
GOAL_LABELS = {
    "expand": "Expand: reach groups engaging less than predicted",
    "accelerate": "Accelerate: groups engaging more than predicted",
    "sustain": "Sustain: groups engaging as predicted",
}


def _restore(key: str) -> None:
    """Give a widget back its value after a page switch (Streamlit drops the state of
    widgets that were not drawn); `_keep` saves it under a key no widget owns."""
    if key not in st.session_state and f"{key}:kept" in st.session_state:
        st.session_state[key] = st.session_state[f"{key}:kept"]


def _keep(key: str, value: object) -> None:
    st.session_state[f"{key}:kept"] = value


scope = state.current_scope()
flt = state.current_filters()

run = bv.run_info(scope)
caption = (
    f"Audience model computed {run['computed_at']:%Y-%m-%d %H:%M} UTC from data through "
    f"{run['data_through']}"
    if run
    else None
)
widgets.page_header("Territory budgets", caption)
if not run:
    st.info(
        "No audience model has been computed yet. Run `labelradar refresh` to fit it.",
        icon=":material/model_training:",
    )
    st.stop()

# -- track and goal (a hand-off link pre-fills them once) ---------------------------------------
tracks = bv.tracks(scope, flt)
req = links.read_budget_request()
req_key = (req.isrc, req.goal, req.territories)
if req.isrc and st.session_state.get(K_REQ) != req_key:
    st.session_state[K_REQ] = req_key
    if req.isrc in set(bv.all_tracks(scope)["isrc"]):
        st.session_state[K_TRACK] = req.isrc
    else:
        st.warning("The link names a track you cannot see or that has no audience model.")
    if req.goal:
        st.session_state[K_GOAL] = req.goal
requested = st.session_state[K_REQ][2] if st.session_state.get(K_REQ) else ()

_restore(K_TRACK)
_restore(K_GOAL)
options = list(tracks["isrc"])
chosen = st.session_state.get(K_TRACK)
if chosen and chosen not in options:
    # a pre-filled or earlier track outside the sidebar filters stays available
    everything = bv.all_tracks(scope)
    if chosen in set(everything["isrc"]):
        tracks = pd.concat([everything[everything["isrc"] == chosen], tracks])
        options = [chosen, *options]
        st.caption("The chosen track is outside the sidebar filters; it stays selected.")
if not options:
    widgets.no_data("No track of your labels has an audience model under these filters.")
    st.stop()
names = {r.isrc: f"{r.track_title} — {r.artist_name} ({r.isrc})" for r in tracks.itertuples()}
c1, c2 = st.columns([3, 2])
with c1:
    isrc = st.selectbox("Track", options, format_func=lambda i: names.get(i, i), key=K_TRACK)
with c2:
    goal = st.radio(
        "Campaign goal",
        links.GOALS,
        format_func=lambda g: g.capitalize(),
        key=K_GOAL,
        horizontal=True,
        help="\n\n".join(GOAL_LABELS.values()),
    )
_keep(K_TRACK, isrc)
_keep(K_GOAL, goal)
if req.isrc and (isrc != req.isrc or goal != req.goal):
    # keep the URL in step so a reload does not bring the old hand-off back
    st.query_params[links.QP_TRACK] = isrc
    st.query_params[links.QP_GOAL] = goal
    st.session_state[K_REQ] = (isrc, goal, requested)

result = bv.score(scope, isrc, goal, include=requested)
if result is None or not result.territories:
    widgets.no_data("This track has no audience model yet (no streams in the model window).")
    st.stop()

missing = sorted(set(requested) - {t.country for t in result.territories})
if missing:
    st.info(
        "No audience data for this track in "
        + ", ".join(md(geo.country_name(c)) for c in missing)
        + " (named by the link), so they cannot be planned here.",
        icon=":material/info:",
    )
st.subheader("Where the audience is")
st.caption(
    f"{GOAL_LABELS[goal]}. Score S(T) = weighted mean of the goal-weighted predicted engagement "
    f"of each territory's top groups; 'selected' territories have a top group scoring at least "
    f"the best S(T). Model {'fold-in (track not in its category model)' if result.folded_in else 'look-up'}."
)
st.plotly_chart(bv.scores_figure(result), key="budget_scores")
widgets.table(
    bv.territory_table(result),
    key="budget_territories",
    file_name=f"territories-{isrc}-{goal}",
    column_config={
        "score": st.column_config.NumberColumn("Score S(T)", format="%.2f"),
        "cap_usd": st.column_config.NumberColumn("Cap (USD)", format="$%d"),
        "streams_per_usd": st.column_config.NumberColumn(
            "Streams per USD", help="Expected incremental streams per dollar up to the cap"
        ),
    },
)

# -- the plan ------------------------------------------------------------------------------
st.subheader("Your budget per territory")
pkey = bv.plan_key(isrc, goal)
if pkey not in st.session_state:
    st.session_state[pkey] = bv.initial_plan(result, requested)
    st.session_state[f"{pkey}:v"] = 0
    st.session_state[f"{pkey}:budget:kept"] = bv.DEFAULT_BUDGET


def _editor_key() -> str:
    return f"{pkey}:editor:{st.session_state[f'{pkey}:v']}"


def _commit(edits: dict) -> None:
    """Fold the editor's changes into the stored plan, reduce over-cap amounts."""
    plan = bv.apply_edits(st.session_state[pkey], edits)
    plan, notices = bv.enforce_caps(plan, result)
    st.session_state[pkey] = plan
    st.session_state[K_NOTICE] = notices
    st.session_state[f"{pkey}:v"] += 1  # a fresh editor over the committed plan


# The editor's changes are committed at the top of the run they trigger (not in a callback),
# so the stored plan, not the widget, is the source of truth and survives page switches.
pending = st.session_state.get(_editor_key())
if isinstance(pending, dict) and pending.get("edited_rows"):
    _commit(pending["edited_rows"])


def _suggest() -> None:
    st.session_state[pkey] = bv.suggest(
        st.session_state[pkey], result, float(st.session_state[f"{pkey}:budget"])
    )
    st.session_state[K_NOTICE] = []
    st.session_state[f"{pkey}:v"] += 1


_restore(f"{pkey}:budget")
b1, b2 = st.columns([1, 3])
with b1:
    budget = st.number_input(
        "Total budget (USD)", min_value=0.0, step=100.0, key=f"{pkey}:budget", format="%.0f"
    )
    _keep(f"{pkey}:budget", budget)
with b2:
    st.write("")
    st.button(
        "Suggest a split",
        on_click=_suggest,
        icon=":material/auto_fix_high:",
        help="Spread the total over the Yes territories for the most expected streams, "
        "respecting each cap.",
    )
plan = st.session_state[pkey]
out = bv.outcome(plan, result, float(budget))
st.data_editor(
    out.rows[["territory", "run", "usd", "cap_usd", "expected_streams"]],
    key=_editor_key(),
    hide_index=True,
    disabled=["territory", "cap_usd", "expected_streams"],
    column_config={
        "territory": st.column_config.TextColumn("Territory"),
        "run": st.column_config.SelectboxColumn(
            "Run a campaign here?", options=[bv.YES, bv.NO], required=True
        ),
        "usd": st.column_config.NumberColumn(
            "Spend (USD)", min_value=0.0, step=10.0, format="$%.0f"
        ),
        "cap_usd": st.column_config.NumberColumn(
            "Cap (USD)",
            format="$%.0f",
            help="Above this, each extra stream costs more than 3x the usual or the "
            "audience is exhausted",
        ),
        "expected_streams": st.column_config.NumberColumn(
            "Expected incremental streams", format="%.1f"
        ),
    },
)
for notice in st.session_state.get(K_NOTICE) or []:
    st.warning(notice, icon=":material/trending_down:")
for err in out.errors:
    st.error(err, icon=":material/error:")
m1, m2, m3 = st.columns(3)
m1.metric("Planned spend", f"${out.planned:,.0f}")
m2.metric("Left of the budget", f"${budget - out.planned:,.0f}")
m3.metric("Expected incremental streams", widgets.fmt_int(out.expected))
widgets.csv_download(out.rows, f"plan-{isrc}-{goal}", key="budget_plan_csv")

if scope.role == "viewer":
    st.info("Viewers can plan but not submit budgets for approval.", icon=":material/lock:")
else:
    comment = st.text_input("Note for the approver (optional)", key=f"{pkey}:note")
    if st.button("Submit for approval", type="primary", disabled=bool(out.errors)):
        items = bv.plan_items(out.rows, result)
        problem = bv.submit(
            scope, isrc=isrc, goal=goal, total_usd=float(budget), plan=items,
            comment=comment or None,
        )  # fmt: skip
        if problem:
            st.error(md(problem))
        else:
            st.success("Submitted for approval.", icon=":material/send:")

# -- proposals and the approval queue ------------------------------------------------------
st.subheader("Proposals")
props = bv.proposals(scope, flt)
approver = bv.can_approve(scope)
if props.empty:
    st.caption("No proposals for your labels yet.")
    st.stop()
view = props.assign(
    countries=[
        ", ".join(f"{i['country']} ${i['usd']:,.0f}" for i in json.loads(p)) for p in props["plan"]
    ]
)[
    [
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
]
queue = props[(props["status"] == "submitted") & (props["created_by"] != scope.username)]
if approver:
    st.markdown("**Review queue**")
    st.caption(f"Awaiting your review: {len(queue)} proposal(s). Open one below to decide.")
    if len(queue):
        widgets.table(
            view[view["proposal_id"].isin(queue["proposal_id"])],
            key="budget_queue",
            file_name="budget-review-queue",
        )
    st.markdown("**All proposals for your labels**")
widgets.table(view, key="budget_proposals", file_name="budget-proposals")

ids = list(props["proposal_id"])
if approver and len(queue):  # the queue first
    ids = list(queue["proposal_id"]) + [p for p in ids if p not in set(queue["proposal_id"])]
pick = st.selectbox(
    "Open a proposal",
    ids,
    format_func=lambda p: f"#{p} · {props.set_index('proposal_id').loc[p, 'status']}",
    key="budget_open",
)
row = props.set_index("proposal_id").loc[pick]
row = pd.Series({**row.to_dict(), "proposal_id": pick})
st.markdown(
    f"**#{pick}** · {md(row['status'])} · {md(row['goal'])} · total \\${row['total_usd']:,.0f}"
)
if row["comment"]:
    st.caption(f"Comment: {md(row['comment'])}")
items = json.loads(row["plan"])
widgets.table(
    pd.DataFrame(
        [
            {
                "territory": geo.country_name(i["country"]),
                "usd": i["usd"],
                "cap_usd": i.get("cap_usd"),
                "groups": ", ".join(i.get("groups", [])),
                "interests": ", ".join(i.get("artists", []) + i.get("genres", [])),
            }
            for i in items
        ]
    ),
    key=f"budget_prop_{pick}",
    file_name=f"proposal-{pick}",
)
st.markdown("**History**")
widgets.table(bv.history(scope, pick), key=f"budget_hist_{pick}", file_name=f"history-{pick}")

if approver and row["status"] == "submitted":
    if row["created_by"] == scope.username:
        st.caption("You cannot review your own proposal.")
    else:
        note = st.text_input("Comment (needed to reject or send back)", key=f"budget_c_{pick}")
        d1, d2, d3 = st.columns(3)
        for col, (decision, label) in zip(
            (d1, d2, d3),
            (("approve", "Approve"), ("reject", "Reject"), ("return", "Send back")),
            strict=True,
        ):
            if col.button(label, key=f"budget_{decision}_{pick}"):
                problem = bv.decide(scope, int(pick), decision, note)
                if problem:
                    st.error(md(problem))
                else:
                    st.rerun()
if row["status"] == "returned" and row["created_by"] == scope.username:
    same = row["isrc"] == isrc and row["goal"] == goal
    if st.button("Resubmit with the plan above", disabled=not same or bool(out.errors)):
        problem = bv.resubmit(
            scope, int(pick), total_usd=float(budget),
            plan=bv.plan_items(out.rows, result),
        )  # fmt: skip
        if problem:
            st.error(md(problem))
        else:
            st.rerun()
    if not same:
        st.caption("Open the same track and goal above to edit and resubmit this proposal.")
if row["status"] == "approved":
    csv_df, doc = bv.targeting(row)
    widgets.csv_download(csv_df, f"targeting-{pick}", key=f"budget_tcsv_{pick}",
                         label="Targeting (CSV)")  # fmt: skip
    st.download_button(
        "Targeting (JSON)",
        doc,
        file_name=f"targeting-{pick}.json",
        mime="application/json",
        key=f"budget_tjson_{pick}",
        icon=":material/download:",
        on_click="ignore",
        type="tertiary",
    )
