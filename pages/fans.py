"""Fan types: how committed an artist's listeners are, who they are and whom to convert."""

from __future__ import annotations

import streamlit as st

from app import links, services, state, widgets
from app.fans import view
from app.safe_text import md
from data.queries import fans as fans_queries

scope = state.current_scope()
flt = state.current_filters()
widgets.page_header("Fan types", view.description(services.model_run("fans")))
run = widgets.model_run_header("fans", "fan-type model")
if run is None:
    st.stop()

model = services.query(fans_queries.fan_model, scope)
if model["profiles"].empty:
    widgets.no_data(
        "The last fan-type run found no listener-level streams (no rows with a listener id) "
        "for your labels, so there are no fan types to show."
    )
    st.stop()

artists = services.query(fans_queries.fan_artists, scope, flt)
if artists.empty:
    widgets.no_data("No artists of your labels match the sidebar's label and artist filters.")
    st.stop()

choice = view.ArtistChoice.of(artists)
# One option per (artist, label): an artist with tracks on two of the user's labels is two.
linked = links.read_fans_artist(choice.ids)  # a hand-off link (Today) pre-fills the artist
key = st.selectbox(
    "Artist",
    choice.ids,
    index=choice.ids.index(linked) if linked else 0,
    format_func=choice.label,
    key="fans_artist",
)
unit = choice.units[key]
profile_names = list(model["profiles"]["name"])
top_name = profile_names[-1]

# -- profiles and thresholds ---------------------------------------------------------------
left, right = st.columns([3, 2])
with left:
    st.plotly_chart(view.profile_figure(model["pmf"]), key="fans_profiles")
with right:
    st.subheader("Where one type becomes another")
    for line in view.thresholds_text(model["thresholds"], model["profiles"]):
        st.markdown(f"- {line}")
    st.caption(view.k_note(len(profile_names)))

listeners = int(choice.listeners[key])
if listeners == 0:
    st.warning(
        f"{md(choice.names[key])} has no listener-level streams (no DSP rows with a "
        "listener id), so its fans cannot be typed. Pick another artist.",
        icon=":material/person_off:",
    )
    st.stop()

# -- mix beside comparison artists -----------------------------------------------------------
mixes = services.query(fans_queries.fan_mixes, scope)
compare = st.multiselect(
    "Compare with (up to 3 artists)",
    choice.others(key),
    max_selections=3,
    format_func=lambda a: choice.names[a],
    key="fans_compare",
)
if listeners < view.FEW_LISTENERS:
    st.info(
        f"Only {listeners} listeners with ids: the intervals are wide and the mix is uncertain.",
        icon=":material/info:",
    )
chosen = [unit, *(choice.units[k] for k in compare)]
st.plotly_chart(view.mix_figure(mixes, chosen), key="fans_mix")
st.caption(
    "Shares are posterior means; bars show the 90% interval of each share given the fitted "
    "profiles (fewer listeners, wider intervals)."
)

# -- who the fans are -----------------------------------------------------------------------
bd = view.profile_order(
    services.query(fans_queries.fan_breakdown, scope, artist_id=unit.artist_id, label=unit.label),
    profile_names,
)
a_col, g_col = st.columns(2)
with a_col:
    st.plotly_chart(
        view.breakdown_figure(bd, "age_band", "Fan types by age band", "Age band"),
        key="fans_age",
    )
with g_col:
    st.plotly_chart(
        view.breakdown_figure(bd, "gender", "Fan types by gender", "Gender"), key="fans_gender"
    )
st.caption("Expected listeners: each listener counts towards every type by its probability.")

st.subheader("Where the passive and casual fans are")
by_country = view.passive_casual_by_country(bd, top_name)
if by_country["listeners"].sum() > 0:
    st.pydeck_chart(view.passive_casual_map(by_country), key="fans_map")
else:
    widgets.no_data("No passive or casual listeners with a known country.")

# -- conversion targets ----------------------------------------------------------------------
st.subheader("Conversion targets")
st.caption(view.targets_caption(top_name))
targets = services.query(
    fans_queries.fan_targets, scope, artist_id=unit.artist_id, label=unit.label
)
if targets.empty:
    widgets.no_data("No segment falls short of the artist's diehard share.")
else:
    widgets.table(
        view.targets_table(targets),
        key="fans_targets",
        file_name=f"fan-conversion-targets-{choice.file_part(key)}.csv",
    )
