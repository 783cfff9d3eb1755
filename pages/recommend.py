"""Audiences: who will adopt a track, and what to promote to whom next."""

from __future__ import annotations

import streamlit as st

from app import links, services, state, url_state, widgets
from app.recommend import view as rv
from app.safe_text import md
from data.queries import recommend as rq

scope = state.current_scope()
flt = state.current_filters()

widgets.page_header(
    "Audiences",
    "The listeners most likely to stream a track they have not streamed yet, and the tracks "
    "of your labels to promote next to a track's listeners or to an audience segment.",
)
run = widgets.model_run_header("recommend", "recommendation model")
if run is None:
    st.stop()
if rv.without_listeners(run.summary):
    widgets.no_data(f"Nothing to recommend yet: {run.summary.get('note', '')}.")
    st.stop()
st.caption(
    f"Production model: {md(str(run.summary.get('production', '?')))}, chosen by held-out "
    "NDCG@10 on the latest month of listener-level streams."
)

options = services.query(rq.recommend_track_options, scope, flt)
if options.empty:
    widgets.no_data("No track of your labels has likely adopters under these filters.")
    st.stop()

choices = rv.track_choices(options)
isrc = url_state.selectbox(
    "Track", list(choices), param="audience_track", key="recommend_track", format_func=choices.get
)
adopters = services.query(rq.recommend_adopters, scope, isrc, limit=200)
segments = services.query(rq.recommend_segments, scope, isrc)
if adopters.empty:
    widgets.no_data("This track is not available to you.")
    st.stop()

# -- likely adopters ------------------------------------------------------------------------
with st.container(border=True):
    st.subheader("Likely adopters")
    c1, c2 = st.columns(2)
    c1.metric("Listed likely adopters", widgets.fmt_int(len(adopters)))
    c2.metric(
        "Expected to adopt",
        f"{rv.expected_total(segments):,.0f}",
        help="Listed adopters x the share of listed adopters who did stream the track in "
        "the held-out month (the model's held-out hit rate).",
    )
    cols = st.columns(2)
    for i, dim in enumerate(rv.DIMENSIONS):
        with cols[i % 2]:
            table = rv.counts(adopters, dim)
            single = rv.one_value(table, dim)
            if single:  # one bar says less than a sentence
                st.markdown(single)
            else:
                st.plotly_chart(rv.count_figure(table, dim), key=f"recommend_by_{dim}")
    st.markdown("**Hashed listener ids for campaign targeting**")
    widgets.table(
        adopters,
        key="recommend_adopters",
        file_name=f"likely-adopters-{isrc}",
        height=300,
    )
    st.markdown("**Segments (country x age band x gender)**")
    widgets.table(segments, key="recommend_segments", file_name=f"adopter-segments-{isrc}")

territories = rv.top_territories(segments)
with st.container(border=True):
    st.subheader("Plan a campaign")
    if territories:
        st.markdown(
            "Open Territory budgets with this track, the countries with the most expected "
            f"adopters ({md(', '.join(territories))}) and their largest adopter groups."
        )
        links.budget_link(
            isrc,
            "expand",
            territories,
            label="Plan a territory budget",
            groups=rv.top_groups(segments, territories),
        )
    else:
        st.info("No country stands out among the likely adopters.")

# -- promote next ---------------------------------------------------------------------------
with st.container(border=True):
    st.subheader("Promote next to this track's listeners")
    fans_next = services.query(rq.recommend_promote_to_fans, scope, isrc, limit=10)
    if fans_next.empty:
        widgets.no_data("No other track of your labels to promote to these listeners.")
    else:
        for row in fans_next.head(5).itertuples(index=False):
            st.markdown(
                f"**{row.rank}\\. {md(row.track_title)}** · {md(row.artist_name)}  \n"
                f"{md(row.reason)}"
            )
        widgets.table(
            fans_next[rv.PROMOTE_COLUMNS], key="recommend_fans_next", file_name=f"promote-{isrc}"
        )
        st.caption(
            "Ranked by the recommendation model's score: how strongly what these listeners "
            "already play points to the track. The lift (how much more than the average "
            "listener they stream it) explains a rank; it does not set it."
        )

with st.container(border=True):
    st.subheader("Promote next to a segment")
    seg_options = services.query(rq.recommend_segment_options, scope)
    if seg_options.empty:
        widgets.no_data("No segment has a promotion list.")
    else:
        keys = list(seg_options["key"])
        key = url_state.selectbox(
            "Segment (country · age band)",
            keys,
            param="segment",
            key="recommend_segment",
            format_func=lambda k: k.replace("|", " · "),
        )
        country, age_band = key.split("|", 1)
        seg_next = services.query(
            rq.recommend_promote_to_segment, scope, country, age_band, limit=10
        )
        widgets.table(
            seg_next[rv.PROMOTE_COLUMNS],
            key="recommend_segment_next",
            file_name=f"promote-{country}-{age_band}",
        )
