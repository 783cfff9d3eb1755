"""Figure builders: plotly time series and the pydeck world map (offline, no token)."""

from __future__ import annotations

import functools
import json
import math
import re

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pydeck as pdk
import streamlit as st
from pydeck.bindings.json_tools import default_serialize

from app import geo, services, wording
from app.widgets import plot_text
from data.queries import Filters
from data.queries import catalog as catalog_queries
from data.scope import Scope

# Categorical palette that reads well on the light theme (colour-blind safe order).
PALETTE = (
    "#5B3CC4",
    "#E07B39",
    "#2A9D8F",
    "#D1495B",
    "#EDAE49",
    "#3D7DD8",
    "#8AB17D",
    "#9C6ADE",
    "#6C757D",
    "#B5838D",
)
MAP_POINT = [91, 60, 196, 190]
MAP_LAND = [232, 229, 240, 255]
MAP_BORDER = [200, 195, 214, 255]


BAND = "rgba(91, 60, 196, 0.18)"  # interval bands on forecast-style charts
DAY_HOVER = "%{x|%a %d %b %Y}<br>"


def band_trace(
    x: pd.Series, low: pd.Series, high: pd.Series, name: str, color: str = BAND
) -> go.Scatter:
    """A shaded interval between `low` and `high` over dates `x` (one closed polygon)."""
    xs = list(x)
    return go.Scatter(
        x=xs + xs[::-1],
        y=list(high) + list(low)[::-1],
        fill="toself",
        fillcolor=color,
        line={"width": 0},
        name=name,
        hoverinfo="skip",
    )


def streams_line(
    x: pd.Series, y: pd.Series, name: str, color: str, *, dash: str | None = None, what: str = ""
) -> go.Scatter:
    """Streams per day as a line; the hover reads "<what> 12,345 streams"."""
    line = {"color": color, "width": 2 if dash else 1.5}
    if dash:
        line["dash"] = dash
    label = f"{what} " if what else ""
    return go.Scatter(
        x=x,
        y=y,
        mode="lines",
        name=name,
        line=line,
        hovertemplate=DAY_HOVER + label + "%{y:,.0f} streams<extra></extra>",
    )


# A horizontal legend between the title and the plot: below the plot it overlapped the date
# axis' title whenever the ticks took two lines ("Aug 2" over "2026").
LEGEND_TOP = {"orientation": "h", "yanchor": "bottom", "y": 1.0, "xanchor": "left", "x": 0}


def streams_layout(fig: go.Figure, title: str) -> go.Figure:
    """The common layout of a streams-per-day chart: titled axes, legend above the plot."""
    fig.update_layout(
        title={"text": title},
        xaxis={"title": {"text": "Date"}},
        yaxis={"title": {"text": "Streams per day"}, "rangemode": "tozero"},
        legend=LEGEND_TOP,
        margin={"l": 10, "r": 10, "t": 60, "b": 10},
        height=380,
    )
    return fig


def stacked_daily(
    df: pd.DataFrame,
    *,
    title: str,
    series_title: str,
    order: list[str] | None = None,
    validate: bool = False,
) -> go.Figure:
    """Stacked area of daily streams per series. `df`: date, series, streams.

    The properties are this function's own, so plotly's validators (most of the ~40 ms a
    chart took to build, on every cold page) are skipped unless `validate`; a test checks
    that both give the same figure.
    """
    wide = df.pivot_table(index="date", columns="series", values="streams", aggfunc="sum")
    wide = wide.fillna(0).sort_index()
    columns = list(wide.columns)
    if order:
        columns = [c for c in order if c in wide.columns] + [c for c in columns if c not in order]
    else:  # biggest series at the bottom of the stack
        columns = list(wide.sum().sort_values(ascending=False).index)
    data = []
    for i, name in enumerate(columns):
        label = plot_text(name)
        data.append(
            {
                "type": "scatter",
                "x": wide.index.to_numpy(),
                "y": wide[name].to_numpy(),
                "name": label,
                "mode": "lines",
                "stackgroup": "one",
                "line": {"width": 0.8, "color": PALETTE[i % len(PALETTE)]},
                "hovertemplate": f"{label}<br>%{{x|%a %d %b %Y}}<br>%{{y:,.0f}} streams"
                "<extra></extra>",
            }
        )
    layout = {
        "title": {"text": title, "y": 0.98, "yanchor": "top"},
        "xaxis": {"title": {"text": "Date"}},
        "yaxis": {"title": {"text": "Streams per day"}, "rangemode": "tozero"},
        "legend": _legend(series_title, len(columns)),
        "hovermode": "x unified",
        "margin": {"l": 10, "r": 10, "t": 80, "b": 10},
        "height": 380,
    }
    if validate:
        return go.Figure(data=data, layout=layout)
    return go.Figure(data=data, layout=layout, _validate=False)


@st.cache_resource(ttl=services.TTL_SECONDS, max_entries=256, show_spinner=False)
def _daily_figure(
    path: str,
    key: services.LabelsKey,
    filters: Filters,
    split: str,
    isrc: str | None,
    title: str,
    series_title: str,
    order: tuple[str, ...],
) -> go.Figure:
    df = services.query(
        catalog_queries.streams_daily,
        services.scope_for_labels(key),
        filters,
        split=split,
        isrc=isrc,
    )
    names = {"dsp": wording.dsp_name, "source": wording.source_name}.get(split)
    if names is not None:  # slugs as words in the legend ("editorial_playlist")
        df = df.assign(series=df["series"].map(names))
        order = tuple(names(o) for o in order)
    return stacked_daily(df, title=title, series_title=series_title, order=list(order) or None)


def clear_caches() -> None:
    _daily_figure.clear()


def daily_figure(
    scope: Scope,
    filters: Filters,
    *,
    split: str,
    title: str,
    series_title: str,
    isrc: str | None = None,
    order: list[str] | None = None,
) -> go.Figure:
    """The stacked daily-streams figure for the scope and filters, cached.

    Building a plotly figure runs its validators (tens of ms), so figures are cached as
    resources: shared, never mutated (st.plotly_chart serialises a copy).
    """
    return _daily_figure(
        services.db_key(),
        services.labels_key(scope),
        filters,
        split,
        isrc,
        title,
        series_title,
        tuple(order or ()),
    )


def _legend(title: str, n: int) -> dict:
    """Across the top for a few series; down the right side for many."""
    common = {"title": {"text": f"{title}: " if n <= 6 else title}, "traceorder": "normal"}
    if n <= 6:
        return common | {
            "orientation": "h",
            "yanchor": "bottom",
            "y": 1.02,
            "xanchor": "right",
            "x": 1.0,
        }
    return common | {"orientation": "v", "yanchor": "top", "y": 1.0, "x": 1.02}


def _radius_m(streams: pd.Series) -> pd.Series:
    """Marker radius in metres: area proportional to streams, largest ~900 km."""
    top = float(streams.max()) if len(streams) else 0.0
    if top <= 0:
        return streams * 0.0
    return 900_000.0 * (streams.astype(float) / top).map(math.sqrt)


_WORLD = "__labelradar_world_outline__"


@functools.lru_cache(maxsize=1)
def _world_json() -> str:
    return json.dumps(geo.world_outline(), separators=(",", ":"))


class _Deck(pdk.Deck):
    """pydeck's to_json pretty-prints with Python's slow pure-Python encoder, which costs
    ~0.1 s per run for the world outline. This one writes compact JSON with the C encoder
    and splices in the outline, serialised once per process."""

    def to_json(self) -> str:
        text = json.dumps(self, sort_keys=True, default=default_serialize, separators=(",", ":"))
        return text.replace(f'"{_WORLD}"', _world_json())


def streams_map(by_country: pd.DataFrame) -> pdk.Deck:
    """World map of streams per country. `by_country`: country, name, lat, lon, streams,
    share_pct. Country outlines come from a local GeoJSON layer, so no base-map tiles or
    token are needed (map_provider=None)."""
    points = by_country.dropna(subset=["lat", "lon"]).copy()
    points = points[points["streams"] > 0]
    points = pd.DataFrame(
        {
            "name": points["name"].astype(str),
            "lat": points["lat"].astype(float),
            "lon": points["lon"].astype(float),
            "streams": points["streams"].astype(float),
            "streams_text": points["streams"].map(lambda v: f"{v:,.0f}"),
            "share_text": points["share_pct"].map(lambda v: f"{v:.1f} %"),
            "radius": _radius_m(points["streams"]),
        }
    )
    # "text" (not "html"): values are inserted as text, never as markup.
    return point_map(
        points,
        layer_id="streams",
        fill_color=MAP_POINT,
        tooltip_text="{name}\n{streams_text} streams ({share_text} of total)",
    )


_FIELD = re.compile(r"\{(\w+)\}")
TOOLTIP = "tooltip"  # the one column a map's tooltip shows


def _tooltips(points: pd.DataFrame, template: str) -> list[str]:
    """The tooltip of each point, filled here in one pass: the browser fills `{field}`s
    one after another, so a name containing "{streams_text}" would take another field's
    place."""
    rows = points.to_dict("records")
    return [_FIELD.sub(lambda m, row=row: str(row[m.group(1)]), template) for row in rows]


def point_map(
    points: pd.DataFrame, *, layer_id: str, fill_color: list[int] | str, tooltip_text: str
) -> pdk.Deck:
    """Circles on the offline world outline: `points` has lon, lat, radius (metres at the
    equator: drawn the same size at any latitude) and the fields `tooltip_text` names;
    `fill_color` is an RGBA list or a column of them. No base-map tiles or token are needed
    (map_provider=None).

    Tooltips are deck.gl "text" tooltips, set as the tooltip's innerText: names from data
    files are shown as typed, never parsed as HTML (an "html" tooltip would need every value
    HTML-escaped)."""
    # deck.gl draws a radius in metres at each circle's own latitude on a Web Mercator map,
    # which stretches lengths by 1 / cos(latitude): Sweden's circle came out twice as wide
    # as Brazil's for the same value. Shrinking by cos(latitude) draws every circle at its
    # equator size, so areas compare as the captions say.
    shrink = np.cos(np.radians(points["lat"].astype(float).clip(-85.0, 85.0)))
    points = points.assign(
        radius=points["radius"] * shrink, **{TOOLTIP: _tooltips(points, tooltip_text)}
    )
    layers = [
        pdk.Layer(
            "GeoJsonLayer",
            data=_WORLD,  # replaced by the cached outline in _Deck.to_json
            id="countries",
            stroked=True,
            filled=True,
            get_fill_color=MAP_LAND,
            get_line_color=MAP_BORDER,
            line_width_min_pixels=0.5,
            pickable=False,
        ),
        pdk.Layer(
            "ScatterplotLayer",
            data=points,
            id=layer_id,
            get_position=["lon", "lat"],
            get_radius="radius",
            radius_min_pixels=3,
            radius_max_pixels=70,
            get_fill_color=fill_color,
            get_line_color=[255, 255, 255, 220],
            line_width_min_pixels=1,
            stroked=True,
            pickable=True,
        ),
    ]
    return _Deck(
        layers=layers,
        initial_view_state=pdk.ViewState(latitude=22, longitude=12, zoom=0.35, min_zoom=0.2),
        map_provider=None,
        tooltip={"text": "{" + TOOLTIP + "}"},
    )
