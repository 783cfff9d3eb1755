"""Forecasts: the next 90 days of streams of an artist or a track, with their 80 % band."""

from __future__ import annotations

import streamlit as st

from app import services, state, url_state, widgets, wording
from app.forecast import view as forecast_view
from app.report import button as report_button
from app.safe_text import md
from data.queries import forecast as forecast_queries

scope = state.current_scope()
flt = state.current_filters()

widgets.page_header(
    "Forecasts",
    "Expected streams per day for the next 90 days, with the range they will fall in "
    "8 times out of 10.",
)

run = widgets.model_run_header("forecast", "stream forecast")
if run is None:
    st.stop()

subject_kind = url_state.segmented_control(
    "Forecast for", ["Artist", "Track"], param="for", key="forecast_kind", default="Artist"
)
if subject_kind == "Track":
    options = services.query(forecast_queries.forecast_tracks, scope, flt)
    choices = {
        r.isrc: f"{r.track_title} — {r.artist_name}" for r in options.itertuples(index=False)
    }
else:
    options = services.query(forecast_queries.forecast_artists, scope, flt)
    choices = {r.artist_id: str(r.artist_name) for r in options.itertuples(index=False)}
if not choices:
    widgets.no_data(
        "Nothing under the sidebar filters has a forecast: a track needs at least a week of "
        "streams. Try clearing the label or artist filters."
    )
    st.stop()

picked = url_state.selectbox(
    subject_kind, list(choices), param="subject", key="forecast_pick", format_func=choices.get
)
subject = choices[picked]
fan = (
    forecast_view.track_fan(scope, picked)
    if subject_kind == "Track"
    else forecast_view.artist_fan(scope, picked)
)
if fan is None:  # e.g. left the scope since the list was drawn
    widgets.no_data("This forecast is not available to you.")
    st.stop()

with st.container(border=True):
    st.markdown(
        f"**{md(subject)}**: next {len(fan.daily)} days, {forecast_view.total_text(fan.total)}."
    )
    parts = forecast_view.tracks_out_text(fan)
    if parts:
        st.caption(parts)
    st.plotly_chart(forecast_view.fan_figure(fan, subject), key="forecast_fan")
    report_button.download_button(
        scope,
        key="forecast_report",
        **({"isrc": picked} if subject_kind == "Track" else {"artist_id": picked}),
    )
    st.caption(
        "Solid line: streams so far. Dashed line: the median forecast; the shaded band runs "
        "from p10 to p90, so 8 days in 10 should fall inside it. One model learns from every "
        "track at once; a track with under four weeks of data follows the decay of tracks "
        "like it rather than its own few days. Sidebar dates and countries do not apply."
    )
    st.markdown("**Daily quantiles**")
    widgets.table(
        forecast_view.quantiles_table(fan.daily),
        key="forecast_daily",
        file_name=f"forecast-{picked}",
        column_config=forecast_view.quantile_columns(),
        height=320,
    )

with st.container(border=True):
    st.subheader("All forecast tracks")
    tracks = services.query(forecast_queries.forecast_tracks, scope, flt)
    tracks = tracks.drop(columns=["artist_id"])
    widgets.table(
        tracks.round({"total_p10": 0, "total_p50": 0, "total_p90": 0}),
        csv_df=tracks,
        key="forecast_tracks",
        file_name="forecast-tracks",
        column_config={
            "isrc": st.column_config.TextColumn("ISRC"),
            "track_title": st.column_config.TextColumn("Track"),
            "artist_name": st.column_config.TextColumn("Artist"),
            "label": st.column_config.TextColumn("Label"),
            "days_of_data": st.column_config.NumberColumn("Days of data"),
            "young": st.column_config.CheckboxColumn(
                wording.label("young"), help=wording.help_text("young")
            ),
            "total_p10": wording.column("total_p10", format="localized"),
            "total_p50": wording.column("total_p50", format="localized"),
            "total_p90": wording.column("total_p90", format="localized"),
        },
    )
