"""Data health: is every DSP feed complete, on time and delivered once?"""

from __future__ import annotations

import streamlit as st

from app import state, widgets
from app.health import view

scope = state.current_scope()

widgets.page_header(
    "Data health",
    "Per DSP and day: missing days, partial days (far fewer tracks or countries than the "
    "feed's usual), duplicated and late deliveries. Change detection leaves these days out.",
)

run = widgets.model_run_header("health", "data health check")
if run is None:
    st.stop()

cov = view.coverage(scope)
if cov.empty:
    widgets.no_data("No trend data from the DSPs that carry your labels yet.")
    st.stop()

st.plotly_chart(view.coverage_figure(cov), key="health_coverage")
st.caption(
    "The worldwide territory of public charts (code XW) is counted as a track's delivery but "
    "never as a country, and is left out of every country total and map."
)

found = view.issues(scope)
if found.empty:
    st.success("No issues: every feed delivered every day as usual.")
else:
    st.subheader(f"{len(found):,} issues", anchor=False)
    widgets.table(view.issues_table(found), key="health_issues", file_name="data-health")
