"""Alerts: significant changes in daily streams, why they happened and what to do next."""

from __future__ import annotations

import streamlit as st

from app import links, state, url_state, widgets
from app.alerts import event_view, view
from app.alerts import state as alert_state
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
kind = alert_state.kind_of(
    url_state.selectbox(
        "Kind", alert_state.kind_choices(), param="kind", key="alerts_kind", container=c1
    )
)
status = alert_state.status_of(
    url_state.selectbox(
        "Status", alert_state.STATUS_CHOICES, param="status", key="alerts_status", container=c2
    )
)

events = event_view.events(scope, flt, kind, status)
if events.empty:
    widgets.no_data(
        "No alerts match these filters. Alerts follow the sidebar's labels, artists and "
        "dates (the date a change started); try other filters or status."
    )
    st.stop()
# Every alert of the listed events (their own kinds and statuses may differ from the
# event's: the event is named by its artist-level alert or largest move).
alerts = view.feed(scope, flt, None, None)
alerts = alerts[alerts.event_id.isin(events.event_id)]
events = event_view.with_entries_worded(events, alerts)

st.subheader(f"{len(events):,} events ({len(alerts):,} alerts)", anchor=False)
st.caption(
    "Alerts that happen together are one event: an artist's total and its tracks on the "
    "same day or moving the same way within two days, the tracks of one release, the day's "
    "new entries (tracks of several artists coming out or entering the chart, with their "
    "first week's alerts), or a "
    "catalogue-wide move (many artists the same day, same direction). Newest first, then "
    "the events with the most alerts."
)
widgets.table(
    event_view.events_table(events),
    key="alerts_events",
    file_name="alert_events",
    column_config={"Largest move (%)": st.column_config.NumberColumn(format="%+.1f %%")},
)
with st.expander(f"Every alert of these events ({len(alerts):,})"):
    widgets.table(view.feed_table(alerts), key="alerts_feed", file_name="alerts")

titles = {r.event_id: event_view.event_title(r) for _, r in events.iterrows()}
event_id = url_state.selectbox(
    "Open an event (newest and most significant first)",
    list(titles),
    param="event",
    key="alerts_event",
    format_func=titles.get,
)
event = events[events.event_id == event_id].iloc[0]
members = event_view.of_event(alerts, event_id)
with st.container(border=True):
    st.markdown(f"**{md(event['name'])}** · {md(event.why)}")
    widgets.table(view.feed_table(members), key="alerts_event_alerts", file_name="event_alerts")
    if view.can_change_status(scope):
        action = None
        buttons = event_view.EVENT_BUTTONS
        for col, (label, bkey, act, off) in zip(st.columns(len(buttons)), buttons, strict=True):
            if col.button(label, key=bkey, disabled=event.status == off):
                action = act
        if action is not None:
            error = event_view.set_event_status(scope, event_id, action)
            if error:
                st.error(md(error))
            else:
                state.flash(alert_state.FLASH, f"Event {action}: all its alerts in your labels.")
                st.rerun()

choices = {row.alert_key: view.alert_title(row) for row in members.itertuples()}
key = url_state.selectbox(
    "Inspect an alert of this event",
    list(choices),
    param="alert",
    key="alerts_pick",
    format_func=choices.get,
)
row = alert_state.inspected(members, key)

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
            "then the 28-day forecast." + view.band_note(band)
        )
    left, right = st.columns(2)
    with left:
        st.markdown("**Attribution of the change**")
        widgets.table(view.attribution_table(row), key="alerts_attr", file_name="attribution")
        st.caption(
            "Each value's part of the change in streams (negative for a fall). Within a "
            "dimension they add up to 100 % with the values not listed (under 2 %, past the "
            "top five, or moved the other way: how the listed ones can pass 100 %)."
        )
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
