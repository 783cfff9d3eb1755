"""Similar artists: who an artist's listeners also stream, and where to market the artist."""

from __future__ import annotations

import streamlit as st

from app import links, services, state, url_state, widgets
from app.safe_text import md
from app.similar import view as similar_view
from data.queries import similar as similar_queries

scope = state.current_scope()
flt = state.current_filters()

widgets.page_header(
    "Similar artists",
    "Artists whose listeners overlap, and the countries where an artist streams less than "
    "its most similar artists would predict.",
)

run = widgets.model_run_header("similar", "similar-artists model")
if run is None:
    st.stop()

options = services.query(similar_queries.similar_artist_options, scope, flt)
if options.empty:
    widgets.no_data(
        "No modelled artist matches the sidebar filters. Artists need listener-level streams "
        "to be modelled; try clearing the label or artist filters."
    )
    st.stop()

# One entry per unit: an artist whose tracks sit on two labels is listed once per label.
choices = similar_view.artist_choices(options)
choice = url_state.selectbox(
    "Artist", list(choices), param="similar_artist", key="similar_artist", format_func=choices.get
)
artist_id, label = similar_view.choice_units(options)[choice]
me = services.query(similar_queries.similar_artist_model, scope, artist_id, label)
if me.empty:  # e.g. the artist left the scope since the list was drawn
    widgets.no_data("This artist is not available to you.")
    st.stop()
me = me.iloc[0]
# A split artist is named with its label wherever a name alone would be ambiguous.
split_ids = similar_view.split_artists(
    services.query(similar_queries.similar_artist_options, scope)
)
artist_name, split = str(me["artist_name"]), artist_id in split_ids
name = similar_view.display_name(artist_name, label, split)  # plain text: figures, headers
# markdown: name and label escaped each on its own, so a direction override stays in its part
name_md = similar_view.display_name(md(artist_name), md(label), split)

c1, c2, c3 = st.columns(3)
c1.metric(
    "Cluster",
    f"{int(me['cluster'])}",
    help="Cluster of the Bayesian Gaussian mixture "
    "over artist embeddings; numbered by size across the catalogue, 0 = largest.",
)
c2.metric(
    "Artists in the cluster",
    f"{int(me['cluster_size'])}",
    help="Across the whole catalogue (all labels).",
)
c3.metric(
    "Listeners in the model",
    widgets.fmt_int(me["listeners"]),
    help="Distinct listeners in the listener-level rows the model learns from.",
)

# -- neighbours and clusters ---------------------------------------------------------------
left, right = st.columns([2, 3])
with left, st.container(border=True):
    st.subheader("Most similar artists")
    neighbors = services.query(similar_queries.similar_neighbors, scope, artist_id, label, limit=10)
    if neighbors.empty:
        widgets.no_data("None of the artists you can see is similar enough to list.")
    else:
        st.caption(
            "Ranked by cosine similarity of the listener embeddings (1 = most similar), "
            "among the artists you can see."
        )
        for row in neighbors.head(5).itertuples(index=False):
            other = similar_view.display_name(
                md(row.artist_name), md(row.label), row.neighbor_id in split_ids
            )
            st.markdown(
                f"**{row.rank}\\. {other}** · similarity "
                f"{row.score:.2f}  \n"
                # each name escaped on its own: a right-to-left override stays in its name
                + similar_view.explain({**row._asdict(), "artist_name": other}, name_md),
                unsafe_allow_html=False,
            )
with right, st.container(border=True):
    st.subheader("Clusters")
    points = services.query(similar_queries.similar_cluster_points, scope, flt)
    st.plotly_chart(
        similar_view.cluster_figure(points, artist_id, name, label), key="similar_clusters"
    )
    st.caption(
        "Each point is an artist you can see (an artist on two labels is one point per "
        "label); the star is the selected artist."
    )

if not neighbors.empty:
    with st.container(border=True):
        st.markdown(f"**All listed similar artists of {name_md}**")
        widgets.table(
            similar_view.neighbor_table(neighbors),
            key="similar_neighbors",
            file_name=f"similar-artists-{choice}",
            column_config=similar_view.neighbor_columns(name),
        )

# -- potential streams ---------------------------------------------------------------------
potential = services.query(similar_queries.similar_potential, scope, artist_id, label)
with st.container(border=True):
    st.subheader("Potential streams by country")
    st.caption(
        "Expected streams are learned from the 10 most similar artists across the whole "
        "catalogue (all labels): their share of streams in each country times this artist's "
        "own total on this label, with a 90% interval from how much those artists differ. "
        "Gap = expected − actual; ratio = actual ÷ expected. Streams over the model's "
        "whole data window: the sidebar's date and country filters do not apply here."
    )
    if potential.empty:
        widgets.no_data("No potential streams for this artist: it has no streams by country.")
        st.stop()
    st.markdown("**Gap between expected and actual streams**")
    st.pydeck_chart(similar_view.gap_map(potential), height=420, key="similar_map")
    st.caption(
        "Circle area = size of the gap in streams; a country that beats its peers by more "
        "than the largest target's gap is drawn at that size. Orange: fewer streams than "
        "similar artists predict (a target); teal: more. Hover for actual, expected and "
        "interval."
    )
    st.markdown("**Target countries, largest gap first**")
    targets = similar_view.targets_table(potential)
    widgets.table(
        similar_view.shown_targets(targets),
        csv_df=targets,
        key="similar_targets",
        file_name=f"potential-streams-{choice}",
        column_config=similar_view.target_columns(),
        height=420,
    )

# -- hand-off to the budget page ----------------------------------------------------------
territories = similar_view.top_territories(potential)
top_track = services.query(similar_queries.similar_top_track, scope, artist_id, label)
with st.container(border=True):
    st.subheader("Plan a campaign")
    if top_track.empty or not territories:
        st.info("No under-served country to plan for: this artist meets or beats its peers.")
    else:
        track = top_track.iloc[0]
        st.markdown(
            f"Open the territory budget page with **{md(track['track_title'])}** "
            f"(the artist's most streamed track) and the top target countries: "
            f"{md(', '.join(territories))}."
        )
        links.budget_link(
            str(track["isrc"]), "expand", territories, label="Plan a territory budget"
        )
