"""Catalog: streams for the signed-in user's labels under the sidebar filters."""

from __future__ import annotations

import streamlit as st

from app import charts, services, state, url_state, widgets
from app.catalog import view as catalog_view
from app.forecast import view as forecast_view
from app.report import button as report_button
from data.queries import catalog as catalog_queries
from data.vocab import SOURCES

SPLITS = {"DSP": "dsp", "Active / passive": "context"}

scope = state.current_scope()
flt = state.current_filters()

period = (
    f"{flt.date_from:%d %b %Y} – {flt.date_to:%d %b %Y}"
    if flt.date_from and flt.date_to
    else "all dates"
)
widgets.page_header("Catalog", f"Streams for your labels · {period}")

totals = services.query(catalog_queries.stream_totals, scope, flt).iloc[0]
if flt.date_from is None or int(totals["streams"]) == 0:
    widgets.no_data()
    st.stop()

# -- KPI cards ------------------------------------------------------------------------------
k = catalog_view.catalog_kpis(scope, flt)
compared = f"vs {k.previous_from:%d %b} – {k.previous_to:%d %b %Y}" if k.previous_from else None
c1, c2, c3, c4 = st.columns(4)
with c1:
    widgets.kpi_card(
        "Streams",
        k.streams,
        compared_with=compared,
        help="All streams in the period, against the previous period of equal length.",
    )
with c2:
    widgets.kpi_card(
        "Listeners (where known)",
        k.listeners,
        compared_with=compared,
        help="Distinct listener ids. Only some DSP rows carry a listener id, so this counts "
        "the listeners we know of; '–' means none are known for this filter.",
    )
with c3:
    share = k.active_share
    widgets.kpi_card(
        "Active share",
        share,
        value_text="–" if share.current is None else f"{share.current * 100:.1f} %",
        delta_text=None if share.pct is None else f"{share.pct * 100:+.1f} pts",
        compared_with=compared,
        help="Streams the listener chose (search, collection, album, artist, own playlists) "
        "as a share of all streams.",
    )
with c4:
    widgets.kpi_card(
        "Tracks streamed",
        k.tracks,
        compared_with=compared,
        help="Tracks with at least one stream in the period.",
    )
quarter = forecast_view.quarter_total(scope, flt)
if quarter is not None:
    st.caption(forecast_view.quarter_text(quarter))

# -- streams over time ----------------------------------------------------------------------
with st.container(border=True):
    split_name = url_state.segmented_control(
        "Split by", list(SPLITS), param="split", key="catalog_split", default="DSP"
    )
    split = SPLITS[split_name or "DSP"]
    title = "Streams per day by DSP" if split == "dsp" else "Streams per day, active vs passive"
    st.plotly_chart(
        charts.daily_figure(
            scope,
            flt,
            split=split,
            title=title,
            series_title="DSP" if split == "dsp" else "Context",
            order=["active", "passive"] if split == "context" else None,
        ),
        key="catalog_daily",
    )

# -- map and top countries ------------------------------------------------------------------
by_country = catalog_view.country_streams(scope, flt)
map_col, country_col = st.columns([3, 2])
with map_col, st.container(border=True):
    st.subheader("Streams by country")
    st.pydeck_chart(charts.streams_map(by_country), height=420, key="catalog_map")
    st.caption("Circle area is proportional to streams. Hover a circle for the figures.")
    worldwide = catalog_view.worldwide_note(scope, flt)
    if worldwide:
        st.caption(worldwide)
with country_col, st.container(border=True):
    st.subheader("Top countries")
    countries = by_country[["name", "country", "streams", "share_pct", "active_pct", "tracks"]]
    widgets.table(
        countries.rename(columns={"name": "country_name"}),
        key="top_countries",
        file_name="top-countries",
        column_config={
            "country_name": st.column_config.TextColumn("Country"),
            "country": st.column_config.TextColumn("Code", width="small"),
            "streams": st.column_config.NumberColumn("Streams", format="localized"),
            "share_pct": st.column_config.NumberColumn("Share", format="%.1f %%"),
            "active_pct": st.column_config.NumberColumn("Active", format="%.1f %%"),
            "tracks": st.column_config.NumberColumn("Tracks"),
        },
    )

# -- top tracks -----------------------------------------------------------------------------
tracks = catalog_view.top_tracks(scope, flt, limit=100)
with st.container(border=True):
    st.subheader("Top tracks")
    widgets.table(
        tracks,
        key="top_tracks",
        file_name="top-tracks",
        column_config={
            "rank": st.column_config.NumberColumn("#", width="small"),
            "track": st.column_config.TextColumn("Track"),
            "artist": st.column_config.TextColumn("Artist"),
            "label": st.column_config.TextColumn("Label"),
            "streams": st.column_config.NumberColumn("Streams", format="localized"),
            "share_pct": st.column_config.NumberColumn("Share", format="%.1f %%"),
            "active_pct": st.column_config.NumberColumn("Active", format="%.1f %%"),
            "countries": st.column_config.NumberColumn("Countries"),
            "isrc": st.column_config.TextColumn("ISRC"),
        },
    )

# -- track drill-down -----------------------------------------------------------------------
with st.container(border=True):
    st.subheader("Track drill-down")
    labels = {row.isrc: f"{row.track} — {row.artist}" for row in tracks.itertuples(index=False)}
    isrc = url_state.selectbox(  # a track outside this filter's top tracks falls back
        "Track (top 100 under the filters)",
        list(labels),
        param="top_track",
        key="catalog_track",
        format_func=lambda i: labels.get(i, i),
    )
    if isrc:
        left, right = st.columns([3, 2])
        with left:
            st.plotly_chart(
                charts.daily_figure(
                    scope,
                    flt,
                    split="source",
                    isrc=isrc,
                    title=f"Streams per day by source: {widgets.plot_text(labels[isrc])}",
                    series_title="Source",
                    order=list(SOURCES),
                ),
                key="track_daily",
            )
        with right:
            track_countries = catalog_view.country_streams(scope, flt, isrc=isrc)
            widgets.table(
                track_countries[["name", "country", "streams", "share_pct"]].rename(
                    columns={"name": "country_name"}
                ),
                key="track_countries",
                file_name=f"track-{isrc}-countries",
                column_config={
                    "country_name": st.column_config.TextColumn("Country"),
                    "country": st.column_config.TextColumn("Code", width="small"),
                    "streams": st.column_config.NumberColumn("Streams", format="localized"),
                    "share_pct": st.column_config.NumberColumn("Share", format="%.1f %%"),
                },
            )
        forecast_view.draw_track_fan(scope, isrc, labels[isrc], key="track_forecast")
        catalog_rows = services.query(catalog_queries.tracks, scope)
        artist_id = str(catalog_rows.loc[catalog_rows["isrc"] == isrc, "artist_id"].iloc[0])
        r1, r2 = st.columns(2)
        with r1:
            report_button.download_button(scope, isrc=isrc, key="catalog_track_report")
        with r2:
            report_button.download_button(scope, artist_id=artist_id, key="catalog_artist_report")
