"""View models of the Fan types page: figures, wording and the passive/casual map."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pydeck as pdk

from app import charts, geo
from app.charts import PALETTE
from app.widgets import plot_text
from data.results.runs import ModelRun
from data.vocab import AGE_BANDS, GENDERS

FEW_LISTENERS = 50  # below this an artist's mix is flagged as uncertain
PROFILE_COLOURS = {
    "passive": PALETTE[5],
    "occasional": PALETTE[6],
    "casual": PALETTE[4],
    "committed": PALETTE[1],
    "diehard": PALETTE[3],
}


def colour(name: str, i: int) -> str:
    return PROFILE_COLOURS.get(name, PALETTE[i % len(PALETTE)])


def description(run: ModelRun | None) -> str:
    """The page's description, naming the modelled window of the latest run."""
    window = (
        f"the {run.params['window_days']} days to {run.data_through:%d %b %Y}"
        if run is not None and run.params.get("window_days") and run.data_through
        else "the whole history"
    )
    return (
        "Passive, casual and diehard listeners from listener-level streams (DSP rows with a "
        f"listener id) over {window} (the window is set by `labelradar refresh --fans-window "
        "DAYS`). The sidebar's date and country filters do not apply; its label and artist "
        "filters do."
    )


class Unit(NamedTuple):
    """What has a fan mix: an artist's tracks on one label."""

    artist_id: str
    label: str


@dataclass(frozen=True)
class ArtistChoice:
    """The artists offered by the page, one option per (artist, label): names and listeners
    with ids (0: not modelled), keyed by the option's key.

    The key is the artist id, or for an artist offered on two labels "artist id · label" (a
    key of this page only: queries get the artist id and the label apart). Such an artist is
    named "Name · Label" so the user can tell its units apart."""

    names: dict[str, str]
    listeners: dict[str, int]
    units: dict[str, Unit]

    @classmethod
    def of(cls, artists: pd.DataFrame) -> ArtistChoice:
        """From the fan_artists query (artist_id, artist_name, label, listeners)."""
        split = set(artists["artist_id"][artists["artist_id"].duplicated()])
        names: dict[str, str] = {}
        listeners: dict[str, int] = {}
        units: dict[str, Unit] = {}
        for row in artists.itertuples(index=False):
            aid, label = str(row.artist_id), str(row.label)
            key = f"{aid} · {label}" if aid in split else aid
            names[key] = f"{row.artist_name} · {label}" if aid in split else str(row.artist_name)
            listeners[key] = int(row.listeners)
            units[key] = Unit(aid, label)
        return cls(names, listeners, units)

    @property
    def ids(self) -> list[str]:
        """The option keys, in the query's order (most listeners first)."""
        return list(self.names)

    def label(self, key: str) -> str:
        return f"{self.listeners[key]:,} listeners with ids · {self.names[key]}"

    def others(self, key: str) -> list[str]:
        """Modelled units to compare `key` with."""
        return [a for a in self.names if a != key and self.listeners[a] > 0]

    def file_part(self, key: str) -> str:
        """The option in a download's file name: the artist id, and the label when split."""
        unit = self.units[key]
        return unit.artist_id if key == unit.artist_id else f"{unit.artist_id}-{unit.label}"


def k_note(k: int) -> str:
    return (
        f"{k} profiles: chosen by held-out likelihood over several random splits (three is "
        "kept when more or fewer fit no better)."
    )


def targets_caption(top_name: str) -> str:
    return (
        f"Age × gender × country segments ranked by their conversion gap: listeners × the "
        f"artist's {top_name} share − the segment's expected {top_name} fans, i.e. how many "
        f"more {top_name} fans the segment would have if it converted like the artist's "
        "audience as a whole. Segments with fewer than 5 listeners are left out."
    )


def profile_figure(pmf: pd.DataFrame) -> go.Figure:
    """Each profile's distribution of a listener's total on a log axis: the bin's mass per
    unit of ln(streams) (a density on the log scale, so the area under each curve is 1 and
    the profiles are comparable; per stream count the diehard curve would be invisible)."""
    fig = go.Figure()
    for i, (_name, g) in enumerate(pmf.groupby("profile_idx", sort=True)):
        label = str(g["name"].iloc[0])
        centre = np.sqrt(g["low"].to_numpy(float) * g["high"].to_numpy(float))
        log_width = np.log((g["high"].to_numpy(float) + 0.5) / (g["low"].to_numpy(float) - 0.5))
        density = g["p"].to_numpy() / log_width
        fig.add_trace(
            go.Scatter(
                x=centre,
                y=density,
                mode="lines+markers",
                name=label,
                line={"color": colour(label, i), "shape": "spline"},
                customdata=np.stack([g["low"], g["high"], g["p"]], axis=1),
                hovertemplate=f"{label}<br>%{{customdata[0]}}–%{{customdata[1]}} streams: "
                "%{customdata[2]:.1%} of these fans<extra></extra>",
            )
        )
    fig.update_layout(
        title={"text": "Fan profiles: how many streams each type of fan gives an artist"},
        xaxis={
            "title": {"text": "Streams per listener over the window (log scale)"},
            "type": "log",
        },
        yaxis={
            "title": {"text": "Probability density per unit of ln(streams)"},
            "rangemode": "tozero",
        },
        legend={"title": {"text": "Fan type"}},
        height=380,
        margin={"t": 60, "b": 40},
    )
    return fig


def mix_figure(mixes: pd.DataFrame, units: list[Unit]) -> go.Figure:
    """Share of each fan type for the chosen (artist, label) units (same 0–100 % scale),
    90% intervals. An artist with more than one unit in `mixes` is shown with its label."""
    fig = go.Figure()
    at = pd.MultiIndex.from_frame(mixes[["artist_id", "label"]])
    chosen = mixes[at.isin([tuple(u) for u in units])]
    split = set(mixes.groupby("artist_id")["label"].nunique().loc[lambda n: n > 1].index)
    label: dict[Unit, str] = {}
    for row in chosen.drop_duplicates(["artist_id", "label"]).itertuples(index=False):
        u = Unit(str(row.artist_id), str(row.label))
        shown = f"{row.artist_name} · {u.label}" if u.artist_id in split else row.artist_name
        label[u] = f"{plot_text(shown)} ({plot_text(u.artist_id)})"
    present = [Unit(*u) for u in units if Unit(*u) in label]
    order = [label[u] for u in present]
    # Horizontal grouped bars stack the first trace at the bottom: add the profiles in
    # reverse so that passive is on top, and reverse the legend to match.
    groups = list(chosen.groupby("profile_idx", sort=True))
    for i, (_prof, g) in reversed(list(enumerate(groups))):
        g = g.set_index(["artist_id", "label"]).reindex(pd.MultiIndex.from_tuples(present))
        pname = str(g["profile"].dropna().iloc[0])
        fig.add_trace(
            go.Bar(
                y=[label[u] for u in present],
                x=g["share"] * 100,
                orientation="h",
                name=pname,
                marker_color=colour(pname, i),
                error_x={
                    "type": "data",
                    "symmetric": False,
                    "array": (g["high"] - g["share"]) * 100,
                    "arrayminus": (g["share"] - g["low"]) * 100,
                    "color": "#444",
                },
                customdata=np.stack([g["low"] * 100, g["high"] * 100, g["listeners"]], axis=1),
                hovertemplate=f"{pname}: %{{x:.1f}} % (90% interval %{{customdata[0]:.1f}}"
                "–%{customdata[1]:.1f} %) of %{customdata[2]:,} listeners<extra></extra>",
            )
        )
    fig.update_layout(
        title={"text": "Fan-type mix with 90% intervals"},
        barmode="group",
        xaxis={"title": {"text": "Share of the artist's listeners (%)"}, "range": [0, 100]},
        yaxis={"title": {"text": "Artist"}, "categoryorder": "array", "categoryarray": order[::-1]},
        legend={"title": {"text": "Fan type"}, "traceorder": "reversed"},
        height=160 + 90 * max(len(order), 1),
        margin={"t": 60, "b": 40},
    )
    return fig


def thresholds_text(thresholds: pd.DataFrame, profiles: pd.DataFrame) -> list[str]:
    """The crossovers in words, one sentence per adjacent pair of profiles."""
    means = dict(zip(profiles["name"], profiles["mean_streams"], strict=True))
    lines = []
    for t in thresholds.itertuples():
        if t.streams is None or (isinstance(t.streams, float) and math.isnan(t.streams)):
            lines.append(
                f"The {t.upper_name} and {t.lower_name} profiles never cross: "
                f"{t.upper_name} is not more likely at any stream count."
            )
            continue
        n = float(t.streams)
        lines.append(
            f"A listener with more than **{n:,.0f}** streams of an artist over the window is "
            f"more likely a **{t.upper_name}** fan (profile mean {means[t.upper_name]:,.0f}) "
            f"than a **{t.lower_name}** fan (mean {means[t.lower_name]:,.0f}); "
            f"below it, more likely {t.lower_name}."
        )
    return lines


def breakdown_figure(bd: pd.DataFrame, dim: str, title: str, axis: str) -> go.Figure:
    """Expected listeners of each fan type per value of `dim` (grouped bars)."""
    part = bd[bd["dim"] == dim]
    vocab = {"age_band": AGE_BANDS, "gender": GENDERS}.get(dim)
    values = [v for v in vocab if v in set(part["value"])] if vocab else sorted(part["value"])
    fig = go.Figure()
    for i, (pname, g) in enumerate(part.groupby("profile", sort=False)):
        g = g.set_index("value").reindex(values).fillna({"listeners": 0.0})
        fig.add_trace(
            go.Bar(
                x=values,
                y=g["listeners"],
                name=str(pname),
                marker_color=colour(str(pname), i),
                hovertemplate=f"{pname}: %{{y:,.0f}} listeners<extra></extra>",
            )
        )
    fig.update_layout(
        title={"text": title},
        barmode="group",
        xaxis={"title": {"text": axis}, "categoryorder": "array", "categoryarray": values},
        yaxis={"title": {"text": "Listeners (expected)"}, "rangemode": "tozero"},
        legend={"title": {"text": "Fan type"}},
        height=340,
        margin={"t": 60, "b": 40},
    )
    return fig


def profile_order(bd: pd.DataFrame, names: list[str]) -> pd.DataFrame:
    """Breakdown rows sorted so that profiles appear in model order (passive first)."""
    rank = {n: i for i, n in enumerate(names)}
    return bd.assign(_r=bd["profile"].map(rank)).sort_values(["_r", "value"]).drop(columns="_r")


def passive_casual_by_country(bd: pd.DataFrame, top_name: str) -> pd.DataFrame:
    """country, name, lat, lon, listeners (non-diehard, expected), share_pct."""
    part = bd[(bd["dim"] == "country") & (bd["profile"] != top_name)]
    by = part.groupby("value", as_index=False)["listeners"].sum()
    by = by.rename(columns={"value": "country"})
    total = float(by["listeners"].sum())
    by["share_pct"] = by["listeners"] / total * 100 if total > 0 else 0.0
    return geo.with_positions(by).sort_values("listeners", ascending=False)


def passive_casual_map(by_country: pd.DataFrame) -> pdk.Deck:
    """Offline world map (no tiles, no token) with a circle per country, area proportional
    to its passive and casual listeners."""
    pts = by_country.dropna(subset=["lat", "lon"])
    pts = pts[pts["listeners"] > 0]
    top = float(pts["listeners"].max()) if len(pts) else 1.0
    data = pd.DataFrame(
        {
            "name": pts["name"].astype(str),
            "lat": pts["lat"].astype(float),
            "lon": pts["lon"].astype(float),
            "text": [
                f"{n:,.0f} passive/casual listeners ({s:.1f} %)"
                for n, s in zip(pts["listeners"], pts["share_pct"], strict=True)
            ],
            "radius": 900_000.0 * np.sqrt(pts["listeners"].astype(float) / top),
        }
    )
    return charts.point_map(
        data,
        layer_id="passive_casual",
        fill_color=[224, 123, 57, 190],
        tooltip_text="{name}\n{text}",
    )


def targets_table(targets: pd.DataFrame) -> pd.DataFrame:
    """The conversion targets of one unit with readable column names and country names (the
    unit's label is the page's choice, not a column)."""
    t = targets.drop(columns=["label"], errors="ignore")
    t.insert(3, "country name", t["country"].map(geo.country_name))
    t["segment_diehard_share"] = (t["segment_diehard_share"] * 100).round(1)
    t["artist_diehard_share"] = (t["artist_diehard_share"] * 100).round(1)
    for col in ("listeners", "passive_casual", "diehard", "gap"):
        t[col] = t[col].round(1)
    return t.rename(
        columns={
            "age_band": "age band",
            "passive_casual": "passive + casual",
            "diehard": "diehard (expected)",
            "segment_diehard_share": "segment diehard %",
            "artist_diehard_share": "artist diehard %",
            "gap": "conversion gap",
        }
    )
