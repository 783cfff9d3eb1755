"""Alerts: significant changes in daily streams, why they happened and what to do next."""

from __future__ import annotations

import streamlit as st

from app import links, state, widgets
from app.alerts import state as alert_state
from app.alerts import view
from app.safe_text import md

scope = state.current_scope()
flt = state.current_filters()

widgets.page_header(
    "Alerts",
    "Sudden and sustained changes in daily streams per track and artist, their cause and "
    "whether they are a campaign opportunity",
)

run = widgets.model_run_header("alerts", "change-detection model")
if run is None:
    st.stop()

message = alert_state.pop_message()
if message:
    st.success(message)

c1, c2 = st.columns(2)
kind = alert_state.kind_of(c1.selectbox("Kind", alert_state.kind_choices(), key="alerts_kind"))
status = alert_state.status_of(
    c2.selectbox("Status", alert_state.STATUS_CHOICES, key="alerts_status")
)

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
row = alert_state.inspected(alerts, key)

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
        action = None
        for col, b in zip(st.columns(len(alert_state.BUTTONS)), alert_state.BUTTONS, strict=True):
            if col.button(b.label, key=b.key, disabled=row.status == b.disabled_at):
                action = b.action
        if action is not None:
            error = alert_state.change_status(scope, key, action)
            if error:
                st.error(md(error))
            else:
                st.rerun()
    else:
        st.caption("Viewers can read alerts; managers and admins acknowledge or dismiss them.")
