"""Campaigns: what each past campaign of your labels added, against what the track would have
streamed in the country without it."""

from __future__ import annotations

import streamlit as st

from app import services, state, url_state, widgets
from app.campaigns import uplift_view
from app.campaigns import view as campaign_view
from app.safe_text import md
from data.queries import campaign_uplift as uplift_queries
from data.queries import campaigns as campaign_queries

scope = state.current_scope()
flt = state.current_filters()

widgets.page_header(
    "Campaigns",
    "Streams each past campaign added in its country, against a forecast of the same track "
    "without it, with the range the true figure falls in 9 times out of 10.",
)

run = widgets.model_run_header("campaigns", "campaign lift")
if run is None:
    st.stop()

counts = services.query(campaign_queries.campaign_store_counts, scope).iloc[0]
missing = campaign_view.empty_message(counts)
if missing is not None:
    widgets.no_data(missing)
    st.stop()

lifts = services.query(campaign_queries.campaign_lifts, scope, flt)
if lifts.empty:
    widgets.no_data(
        "No campaign matches the sidebar filters (label, artist, country): try clearing them."
    )
    st.stop()

with st.container(border=True):
    st.subheader("Every past campaign")
    widgets.table(
        campaign_view.lift_rows(lifts),
        csv_df=lifts,
        key="campaigns_lift",
        file_name="campaign-lift",
        column_config=campaign_view.lift_columns(),
        height=360,
    )
    st.caption(
        "Streams added = observed streams of the track in the country during the campaign "
        "minus the forecast without it. The forecast follows the same track in countries no "
        "campaign touched and the artist's other tracks in the country, fitted on the 15 weeks "
        "before. Fake campaigns on quiet weeks widen the ranges until they are honest. One "
        "window alone is noisy, so each lift is pooled with what the same spend usually "
        "returns in the territory and on the platform (the 'Window alone' column keeps the "
        "window's own figure; a precise window hardly moves). CPA is spend per added stream, "
        "shown only when the lift is positive."
    )

choices = {
    r.campaign_id: f"{r.campaign_id} — {r.track_title} in {r.country} ({r.start_date:%d %b %Y})"
    for r in lifts.itertuples(index=False)
}
picked = url_state.selectbox(
    "Campaign", list(choices), param="campaign", key="campaigns_pick", format_func=choices.get
)
row = lifts.set_index("campaign_id").loc[picked]
row["campaign_id"] = picked

with st.container(border=True):
    st.markdown(f"**{md(row['track_title'])}** — {md(row['artist_name'])}, {md(row['country'])}")
    st.markdown(campaign_view.summary_text(row))
    daily = services.query(campaign_queries.campaign_daily, scope, picked)
    if daily.empty:
        st.caption("No chart: this campaign could not be estimated.")
    else:
        st.plotly_chart(campaign_view.lift_figure(daily, row), key="campaigns_chart")
        st.caption(
            "Grey area: the campaign. Before it the dashed line is the model's fit; during it, "
            "the forecast without the campaign and its 90 % band."
        )
        widgets.csv_download(
            campaign_view.daily_table(daily),
            f"campaign-{picked}-daily",
            key="campaigns_daily_csv",
            label="Download observed vs counterfactual (CSV)",
        )

with st.container(border=True):
    st.subheader("Where the spend sat on the territory's response curve")
    rows = services.query(campaign_queries.territory_response_rows, scope, picked)
    base = row["counterfactual_streams"]
    base = None if base is None or base != base else float(base)
    curve = campaign_view.curve_points(rows, float(lifts["spend_usd"].max()), base)
    if rows.empty:
        st.caption(campaign_view.NO_CURVES)
    elif curve.empty:
        st.caption(campaign_view.NO_BASE)
    else:
        lift = row["incremental_streams"]
        st.plotly_chart(
            campaign_view.spend_on_curve_figure(
                curve,
                float(row["spend_usd"]),
                None if lift != lift else float(lift),
                row["country"],
            ),
            key="campaigns_curve",
        )
        st.caption(campaign_view.curve_caption(base))
        widgets.csv_download(
            curve,
            f"response-{row['country']}",
            key="campaigns_curve_csv",
            label="Download curve (CSV)",
        )

with st.container(border=True):
    st.subheader("Who the ads moved: uplift by audience segment")
    segments = services.query(uplift_queries.uplift_segments, scope, flt)
    if segments.empty:
        st.caption(
            "No segment estimate yet: uplift by segment needs campaigns with listener segments "
            "in the weeks before them, and `labelradar refresh` after they load."
        )
    else:
        widgets.table(
            uplift_view.segment_table(segments),
            csv_df=segments,
            key="campaigns_uplift",
            file_name="campaign-uplift-by-segment",
            height=320,
        )
        st.caption(
            "Uplift: streams the ads added in the segment over the streams expected there "
            "without them, with its 90 % range over campaigns. Significant: the whole range is "
            "above zero; those segments come first, by the streams the ads added, and are "
            "offered as audience groups on Territory budgets. A segment of a few campaigns "
            "on a small base can show a large percent with no range: read it as a lead."
        )
        st.plotly_chart(uplift_view.qini_figure(segments), key="campaigns_qini")
        widgets.csv_download(
            uplift_view.qini_frame(segments),
            "campaign-uplift-qini",
            key="campaigns_qini_csv",
            label="Download uplift curve (CSV)",
        )
