"""Territory budgets: ranked territories for a track and goal, an editable budget per
territory with caps, submission for approval, and the approval queue."""

from __future__ import annotations

import streamlit as st

from app import geo, links, state, url_state, widgets, wording
from app.budget import forecast_plan as fp
from app.budget import proposals as bp
from app.budget import response as br
from app.budget import state as budget_state
from app.budget import view as bv
from app.campaigns import uplift_view as uv
from app.safe_text import md

GOAL_LABELS = {
    "expand": "Expand: reach groups engaging less than predicted",
    "accelerate": "Accelerate: groups engaging more than predicted",
    "sustain": "Sustain: groups engaging as predicted",
}

scope = state.current_scope()
flt = state.current_filters()

widgets.page_header("Territory budgets")
run = widgets.model_run_header("budget", "audience model")
if run is None:
    st.stop()

# -- track and goal (a hand-off link pre-fills them once) ---------------------------------------
hand_off = budget_state.apply_hand_off(scope)
if hand_off.warning:
    st.warning(hand_off.warning)
requested = hand_off.territories
if hand_off.groups:
    st.caption(
        "Audience groups from the link, targeted first in their territories: "
        + md(", ".join(f"{c} {g} {a}" for c, a, g in hand_off.groups))
    )
choice = budget_state.track_choice(scope, flt)
if choice.outside_filters:
    st.caption("The chosen track is outside the sidebar filters; it stays selected.")
if not choice.options:
    widgets.no_data("No track of your labels has an audience model under these filters.")
    st.stop()
c1, c2 = st.columns([3, 2])
with c1:
    isrc = st.selectbox(
        "Track",
        choice.options,
        format_func=lambda i: choice.names.get(i, i),
        key=budget_state.K_TRACK,
    )
with c2:
    goal = st.radio(
        "Campaign goal",
        links.GOALS,
        format_func=lambda g: g.capitalize(),
        key=budget_state.K_GOAL,
        horizontal=True,
        help="\n\n".join(GOAL_LABELS.values()),
    )
budget_state.chosen(hand_off, isrc, goal)
url_state.sync_out(links.QP_TRACK, isrc)  # the hand-off parameters now say what is shown
url_state.sync_out(links.QP_GOAL, goal)

result = bv.score(scope, run, isrc, goal, include=requested)
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
    f"{GOAL_LABELS[goal]}. Audience fit score: how well the territory's top audience groups "
    f"match the goal (hover the column header for its definition); 'recommended' territories "
    f"have a top group scoring at least the best territory's score (the table's top "
    f"group's score), so one strong group can recommend a territory ranked lower. Model "
    f"{'fold-in (track not in its category model)' if result.folded_in else 'look-up'}."
)
st.plotly_chart(bv.scores_figure(result), key="budget_scores")
widgets.table(
    bv.territory_table(result),
    key="budget_territories",
    file_name=f"territories-{isrc}-{goal}",
    column_config={
        "audience_fit_score": wording.column("audience_fit_score", format="%.2f"),
        "cap_usd": wording.column("cap_usd", format="dollar"),
        "expected_streams_per_100usd": wording.column("expected_streams_per_100usd", format="%.1f"),
    },
)

# -- segments that respond to ads (campaign uplift) pre-select audience groups --------------
responsive = bv.responsive_segments(scope, isrc, result)
ad_groups: dict[str, list[str]] = {}
if not responsive.empty:
    st.subheader("Segments that respond to ads")
    st.caption(
        "From this label's past campaigns: audience segments whose streams rose with the ads, "
        "the whole 90 % interval above zero (uplift = extra streams / expected streams), "
        "ranked by the model's uplift (each segment's response pooled over all campaigns)."
    )
    widgets.table(
        responsive.drop(columns="country"),
        key="budget_responsive",
        file_name=f"responsive-segments-{isrc}",
        column_config={
            "model_uplift_pct": wording.column("model_uplift_pct", format="%.1f"),
            "uplift_pct": wording.column("uplift_pct", format="%.1f"),
            "low_pct": wording.column("low_pct", format="%.1f"),
            "high_pct": wording.column("high_pct", format="%.1f"),
        },
    )
    offered = uv.responsive_groups(responsive)
    options = [f"{c} · {g}" for c, groups in offered.items() for g in groups]
    picked = st.multiselect(
        "Audience groups to target first in their territories",
        options,
        default=options,
        key=f"budget_ad_groups:{isrc}",
        help="Pre-selected: every segment above. They lead the plan's audience groups.",
    )
    for choice_ in picked:
        country, group = choice_.split(" · ", 1)
        ad_groups.setdefault(country, []).append(group)
extra_groups = uv.merge_groups(hand_off.groups_by_country(), ad_groups)

# -- the plan ------------------------------------------------------------------------------
st.subheader("Your budget per territory")
plan = budget_state.PlanState(isrc, goal, result)
plan.start(requested)
b1, b2 = st.columns([1, 3])
with b1:
    budget = st.number_input(
        "Total budget (USD)", min_value=0.0, step=100.0, key=plan.budget_key, format="%.0f"
    )
    plan.keep_budget(budget)
with b2:
    st.write("")
    st.button(
        "Suggest a split",
        on_click=plan.suggest,
        icon=":material/auto_fix_high:",
        help="Spread the total over the Yes territories for the most expected streams, "
        "respecting each cap.",
    )
out = bv.outcome(plan.plan, result, float(budget))
st.data_editor(
    out.rows[["territory", "run", "usd", "cap_usd", "expected_streams"]],
    key=plan.editor_key,
    hide_index=True,
    disabled=["territory", "cap_usd", "expected_streams"],
    column_config={
        "territory": st.column_config.TextColumn("Territory"),
        "run": st.column_config.SelectboxColumn(
            "Run a campaign here?", options=[bv.YES, bv.NO], required=True
        ),
        "usd": wording.column("usd", min_value=0.0, step=10.0, format="dollar"),
        "cap_usd": wording.column("cap_usd", format="dollar"),
        "expected_streams": wording.column("expected_streams", format="localized"),
    },
)
for notice in plan.notices():
    st.warning(notice, icon=":material/trending_down:")
for err in out.errors:
    st.error(err, icon=":material/error:")
m1, m2, m3 = st.columns(3)
m1.metric("Planned spend", f"${out.planned:,.0f}")
m2.metric("Left of the budget", f"${budget - out.planned:,.0f}")
m3.metric(
    wording.label("expected_streams"),
    widgets.fmt_int(out.expected),
    help=wording.help_text("expected_streams"),
)
widgets.csv_download(out.rows, f"plan-{isrc}-{goal}", key="budget_plan_csv")

# -- your plan against the optimiser's, on the measured response curves -------------------------
st.subheader("Your plan vs the optimiser's")
if not result.curves:
    st.info(br.NO_CURVES_PAGE, icon=":material/info:")
else:
    per, totals = br.comparison(result, bv.plan_amounts(out.rows), float(budget))
    st.caption(
        "Expected incremental streams over a campaign window from each territory's response "
        "curve (fitted on past campaigns' measured lifts, pooled across territories), with "
        "80 % intervals from the curves' uncertainty. The optimiser spends the same total "
        "budget over your Yes territories, each within its cap."
    )
    st.plotly_chart(br.comparison_figure(totals), key="budget_vs_optimiser")
    widgets.table(
        totals,
        key="budget_vs_totals",
        file_name=f"plan-vs-optimiser-{isrc}",
        column_config=br.number_columns(totals),
    )
    per_shown = per.drop(columns=["country"])
    widgets.table(
        per_shown,
        key="budget_vs_territories",
        file_name=f"plan-vs-optimiser-territories-{isrc}",
        column_config=br.number_columns(per_shown),
    )
    st.plotly_chart(
        br.curves_figure(result, list(per["country"]) or list(result.curves)[:8]),
        key="budget_curves",
    )

# -- the track's forecast with and without this plan -------------------------------------------
st.subheader("Forecast with and without the plan")
fan_days = fp.horizon(scope, isrc)
if fan_days is None:
    st.caption("This track has no stream forecast yet (`labelradar refresh` makes one).")
else:
    f1, f2 = st.columns(2)
    start = f1.date_input(
        "Campaign starts",
        value=fan_days[0],
        min_value=fan_days[0],
        max_value=fan_days[1],
        key=f"{plan.key}:start",
    )
    days = int(
        f2.number_input(
            "Campaign length (days)",
            min_value=1,
            max_value=90,
            value=fp.DEFAULT_DAYS,
            step=1,
            key=f"{plan.key}:days",
        )
    )
    pf = fp.plan_forecast(scope, isrc, out.rows, start, days)
    st.caption(
        "The stored 90-day forecast (median and 80 % interval) and the same forecast with the "
        "plan's expected incremental streams (the table above) spread evenly over the "
        "campaign days. The plan's own uncertainty is in the comparison above, not in this band."
    )
    st.plotly_chart(fp.figure(pf, choice.names.get(isrc, isrc)), key="budget_plan_forecast")
    widgets.table(fp.totals_table(pf), key="budget_plan_totals", file_name=f"forecast-plan-{isrc}")
    if pf.outside > 0:
        st.caption(
            f"{widgets.fmt_int(pf.outside)} of the plan's streams fall after the forecast's "
            "last day and are not shown."
        )

if scope.role == "viewer":
    st.info("Viewers can plan but not submit budgets for approval.", icon=":material/lock:")
else:
    comment = st.text_input("Note for the approver (optional)", key=f"{plan.key}:note")
    if st.button("Submit for approval", type="primary", disabled=bool(out.errors)):
        problem = bp.submit(
            scope, isrc=isrc, goal=goal, total_usd=float(budget),
            plan=bv.plan_items(out.rows, result, extra_groups), comment=comment or None,
        )  # fmt: skip
        if problem:
            st.error(md(problem))
        else:
            st.success("Submitted for approval.", icon=":material/send:")

# -- proposals and the approval queue ------------------------------------------------------
st.subheader("Proposals")
props = bp.proposals(scope, flt)
approver = bp.can_approve(scope)
if props.empty:
    st.caption("No proposals for your labels yet.")
    st.stop()
listing = bp.proposal_list(props)
queue = bp.review_queue(props, scope)
if approver:
    st.markdown("**Review queue**")
    st.caption(f"Awaiting your review: {len(queue)} proposal(s). Open one below to decide.")
    if len(queue):
        widgets.table(
            listing[listing["proposal_id"].isin(queue["proposal_id"])],
            key="budget_queue",
            file_name="budget-review-queue",
        )
    st.markdown("**All proposals for your labels**")
widgets.table(listing, key="budget_proposals", file_name="budget-proposals")

status = dict(zip(props["proposal_id"], props["status"], strict=True))
pick = url_state.selectbox(
    "Open a proposal",
    bp.open_order(props, queue, approver),
    param="proposal",
    key="budget_open",
    format_func=lambda p: f"#{p} · {status[p]}",
)
row = bp.proposal(props, pick)
st.markdown(
    f"**#{pick}** · {md(row['status'])} · {md(row['goal'])} · total \\${row['total_usd']:,.0f}"
)
if row["comment"]:
    st.caption(f"Comment: {md(row['comment'])}")
widgets.table(bp.plan_table(row), key=f"budget_prop_{pick}", file_name=f"proposal-{pick}")
st.markdown("**History**")
widgets.table(bp.history(scope, pick), key=f"budget_hist_{pick}", file_name=f"history-{pick}")

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
                problem = bp.decide(scope, int(pick), decision, note)
                if problem:
                    st.error(md(problem))
                else:
                    st.rerun()
if row["status"] == "returned" and row["created_by"] == scope.username:
    same = row["isrc"] == isrc and row["goal"] == goal
    if st.button("Resubmit with the plan above", disabled=not same or bool(out.errors)):
        problem = bp.resubmit(
            scope, int(pick), total_usd=float(budget),
            plan=bv.plan_items(out.rows, result, extra_groups),
        )  # fmt: skip
        if problem:
            st.error(md(problem))
        else:
            st.rerun()
    if not same:
        st.caption("Open the same track and goal above to edit and resubmit this proposal.")
if row["status"] == "approved":
    csv_df, doc = bp.targeting(row)
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
