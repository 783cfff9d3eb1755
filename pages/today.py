"""Today: what needs the manager today. What changed since the last visit, the ranked
opportunities (each with a pre-filled link to the page that acts on it), budgets waiting
for a decision, and data-health warnings. Every item says why in one sentence."""

from __future__ import annotations

import streamlit as st

from app import links, state, widgets
from app.features import feature
from app.safe_text import md
from app.today import view

scope = state.current_scope()

widgets.page_header(
    "Today",
    "What needs you today: the changes since your last visit, the best opportunities across "
    "your catalogue by expected extra streams per dollar, budgets waiting for a decision "
    "and problems with the data.",
)
run = widgets.model_run_header("today", "opportunity ranking")
if run is None:
    st.stop()

# -- what changed ---------------------------------------------------------------------------
st.subheader("What changed", anchor=False)
win = view.window(view.previous_visit(scope), run.data_through)
st.caption(win.note)
changes = view.changes(scope, win.since)
if changes.empty:
    st.success("No new alerts for your labels in this period.")
else:
    for _, ev in changes.head(view.SHOWN_EVENTS).iterrows():
        st.markdown(f"- **{md(view.event_view.event_title(ev))}**: {md(ev['why'])}")
    if len(changes) > view.SHOWN_EVENTS:
        st.caption(f"{len(changes) - view.SHOWN_EVENTS} more in the table and on the Alerts page.")
    with st.expander(f"All {len(changes):,} changes"):
        widgets.table(view.changes_table(changes), key="today_changes", file_name="changes")

# -- opportunities ----------------------------------------------------------------------------
st.subheader("Opportunities", anchor=False)
opps = view.opportunities(scope)
if opps.empty:
    st.info("No opportunity for your labels in the last ranking.")
else:
    st.caption(
        "Ranked by expected extra streams per dollar of the recommended spend, from the "
        "response curves of past campaigns, the forecasts and the audience models. Ranges "
        "are 80 % intervals over a typical campaign window."
    )
    top = opps.head(view.SHOWN_OPPORTUNITIES)
    table, figure = view.drawn_ranking(opps)
    st.plotly_chart(figure, key="today_chart")
    for _, row in top.iterrows():
        with st.container(border=True):
            st.markdown(
                f"**{int(row['rank'])}. {view.ACTION_TITLES[row['action']]}: "
                f"{md(view.asset_name(row))}** · {view.per_hundred(row['score']):,.1f} extra "
                "streams per $100"
            )
            st.markdown(md(row["reason"]))
            if row["action"] == "re-engage":
                links.fans_link(row["artist_id"], label=view.link_label(row))
            else:
                links.budget_link(
                    row["isrc"],
                    view.ACTION_GOALS[row["action"]],
                    [row["territory"]],
                    label=view.link_label(row),
                )
    widgets.table(table, key="today_opps", file_name="opportunities")

# -- budgets ----------------------------------------------------------------------------------
queue, mine, approver = view.approvals(scope)
if approver or len(mine):
    st.subheader("Budgets", anchor=False)
if approver:
    if queue.empty:
        st.markdown("No budget proposal waits for your decision.")
    for _, p in queue.iterrows():
        st.markdown(f"- {md(view.proposal_sentence(p, waiting=True))}")
    if len(queue):
        st.page_link(
            links.navigation.page("budget"), label="Review them", icon=":material/payments:"
        )
if len(mine):
    for _, p in mine.head(view.SHOWN_EVENTS).iterrows():
        st.markdown(f"- {md(view.proposal_sentence(p, waiting=False))}")

# -- data health (for the roles that see the Data health page) --------------------------------
if scope.role not in feature("health").roles:
    st.stop()
st.subheader("Data health", anchor=False)
warnings = view.health_warnings(scope, win.since)
if warnings.empty:
    st.success("Every feed delivered every day as usual in this period.")
else:
    for _, w in warnings.head(view.SHOWN_EVENTS).iterrows():
        st.warning(md(view.health_sentence(w)), icon=":material/warning:")
