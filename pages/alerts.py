"""Alerts: significant changes in daily streams, why they happened and what to do next."""

from __future__ import annotations

import streamlit as st

from app import links, state, widgets
from app.alerts import view
from app.safe_text import md

scope = state.current_scope()
flt = state.current_filters()

widgets.page_header(
    "Alerts",
    "Sudden and sustained changes in daily streams per track and artist, their cause and "
    "whether they are a campaign opportunity",
)

run = view.latest_run()
if run is None:
    st.info(
        "Change detection has not run on this store yet. An operator runs it with "
        "`labelradar refresh --only alerts` (or `labelradar detect`).",
        icon=":material/notifications_off:",
    )
    st.stop()
st.caption(
    f"Computed {run.computed_at:%d %b %Y %H:%M} UTC on data through {run.data_through:%d %b %Y}"
    if run.data_through
    else f"Computed {run.computed_at:%d %b %Y %H:%M} UTC: the store had no trend data"
)

message = state.pop_flash("alerts")
if message:
    st.success(message)

c1, c2 = st.columns(2)
kind_label = c1.selectbox("Kind", ["All kinds", *view.KIND_LABELS.values()], key="alerts_kind")
kind = next((k for k, v in view.KIND_LABELS.items() if v == kind_label), None)
status_label = c2.selectbox(
    "Status", ["Open", "Acknowledged", "Dismissed", "All"], key="alerts_status"
)
status = None if status_label == "All" else status_label.lower()

alerts = view.feed(scope, flt, kind, status)
if alerts.empty:
    widgets.no_data(
        "No alerts match these filters. Alerts follow the sidebar's labels, artists and "
        "dates (the date a change started); try other filters or status."
    )
    st.stop()

st.subheader(f"{len(alerts)} alerts", anchor=False)
widgets.table(view.feed_table(alerts), key="alerts_feed", file_name="alerts")

choices = {row.alert_key: view.alert_title(row) for row in alerts.itertuples()}
key = st.selectbox(
    "Inspect an alert (newest and most significant first)",
    list(choices),
    format_func=choices.get,
    key="alerts_pick",
)
row = alerts.set_index("alert_key").loc[key]
row["alert_key"] = key

with st.container(border=True):
    st.markdown(
        f"**{view.KIND_LABELS[row.kind]}** · probability {view.fmt_probability(row.probability)}"
    )
    st.text(f"Cause: {row.cause}")
    band = view.band(scope, row)
    if band.empty:
        st.info("No forecast band was saved for this subject.")
    else:
        st.plotly_chart(view.band_figure(band, row), key="alerts_chart")
        st.caption(
            "Streams per day as used for detection (an identified listener's replays of the "
            "track on one day count once). Bands: 80% and 95% one-step forecast intervals, "
            "then the 28-day forecast."
        )
    left, right = st.columns(2)
    with left:
        st.markdown("**Attribution of the change**")
        widgets.table(view.attribution_table(row), key="alerts_attr", file_name="attribution")
    with right:
        st.markdown("**Growth potential**")
        ok, growth, note = view.growth_table(row)
        if ok:
            widgets.table(growth, key="alerts_growth", file_name="growth_potential")
        else:
            st.info(f"Unavailable: {md(note)}")
    if row.opportunity:
        st.success(f"Opportunity — suggested goal: **{md(row.goal)}**. {md(row.reason)}")
        if row.subject == "track":
            links.budget_link(row.isrc, row.goal)
    else:
        st.warning(f"Not an opportunity: {md(row.reason)}")

    if row.status != "open":
        st.caption(
            f"Status: {md(row.status)} by {md(row.changed_by)} at {row.changed_at:%d %b %Y %H:%M}"
        )
    if view.can_change_status(scope):
        b1, b2, b3 = st.columns(3)
        action = None
        if b1.button("Acknowledge", key="alerts_ack", disabled=row.status == "acknowledged"):
            action = "acknowledged"
        if b2.button("Dismiss", key="alerts_dismiss", disabled=row.status == "dismissed"):
            action = "dismissed"
        if b3.button("Reopen", key="alerts_reopen", disabled=row.status == "open"):
            action = "reopen"
        if action is not None:
            error = view.set_status(scope, key, None if action == "reopen" else action)
            if error:
                st.error(md(error))
            else:
                state.flash("alerts", f"Alert {action}.")
                st.rerun()
    else:
        st.caption("Viewers can read alerts; managers and admins acknowledge or dismiss them.")
