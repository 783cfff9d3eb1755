"""View models of the Alerts page: feed, chart, attribution and growth tables, status."""

from __future__ import annotations

import json

import pandas as pd
import plotly.graph_objects as go

from analytics.alerts.bands import MAX_BAND_SPAN
from app import charts, services, wording
from app.widgets import plot_text
from data.queries import Filters
from data.queries import alerts as alerts_queries
from data.scope import Scope
from data.workflow import alerts as alert_status

KIND_LABELS = {
    "spike": "Spike (sudden rise)",
    "drop": "Drop (sudden fall)",
    "growth": "Growth (sustained rise)",
    "decline": "Decline (sustained fall)",
    "release": "Release (a new track's first days)",
}
# a DSP's and a source's value in words; other values (playlist ids, ISRCs) as they are
VALUE_NAMES = {"dsp": wording.dsp_name, "source": wording.source_name}
DIMENSION_LABELS = {
    "dsp": "DSP",
    "context": "Active / passive",
    "source": "Source",
    "playlist_id": "Playlist",
    "isrc": "Track (ISRC)",
}


def can_change_status(scope: Scope) -> bool:
    return scope.role in alert_status.STATUS_ROLES


def feed(scope: Scope, flt: Filters, kind: str | None, status: str | None) -> pd.DataFrame:
    """One row per alert in scope, with the artist named per label where it must be."""
    df = services.query(alerts_queries.alerts_feed, scope, flt, kind=kind, status=status)
    return with_artist_units(df)


def feed_table(df: pd.DataFrame) -> pd.DataFrame:
    """The downloadable feed: one row per alert, plain columns."""
    return pd.DataFrame(
        {
            "Change started": pd.to_datetime(df.event_date).dt.date,
            "Detected": pd.to_datetime(df.detected_on).dt.date,
            "Kind": df.kind,
            "Track": df.track_title.fillna("(artist total)"),
            "ISRC": df.isrc,
            "Artist": df.artist_name,  # the Label column tells an artist's units apart
            "Label": df.label,
            "Probability (%)": (df.probability * 100).round(4),
            "Observed (streams/day)": df.observed.round(0),
            "Expected (streams/day)": df.expected.round(0),
            "Cause": df.cause,
            "Opportunity": df.opportunity,
            "Goal": df.goal,
            "Status": df.status,
            "alert_key": df.alert_key,
        }
    )


def fmt_probability(p: float) -> str:
    """A probability as a manager reads it: '> 99.99 %' rather than a rounded '1.0000'."""
    return "> 99.99 %" if p > 0.9999 else f"{p * 100:.2f} %"


def with_artist_units(df: pd.DataFrame) -> pd.DataFrame:
    """The feed with `artist_unit`: the artist's name, plus " · Label" when the feed holds
    the artist under more than one label (an artist's alerts are per label)."""
    labels = df.groupby("artist_id").label.transform("nunique")
    names = df.artist_name.astype(str)
    return df.assign(artist_unit=names.where(labels <= 1, names + " · " + df.label.astype(str)))


def alert_title(row: pd.Series) -> str:
    who = row.track_title if isinstance(row.track_title, str) else "all tracks"
    artist = getattr(row, "artist_unit", row.artist_name)
    return f"{row.event_date:%d %b %Y} · {row.kind} · {who} — {artist}"


def band(scope: Scope, row: pd.Series) -> pd.DataFrame:
    """The inspected alert's band: the track's, or the artist's on the alert's label only."""
    if row.subject == "track":
        return services.query(alerts_queries.alert_band_track, scope, isrc=row.isrc)
    return services.query(
        alerts_queries.alert_band_artist, scope, artist_id=row.artist_id, label=row.label
    )


MIN_SPAN_DAYS = 14  # the band chart's shortest date axis


def _runs(part: pd.DataFrame) -> list[pd.DataFrame]:
    """The band's rows split into runs of consecutive days."""
    day = pd.to_datetime(part.date)
    run = (day.diff().dt.days != 1).cumsum()
    return [g for _, g in part.groupby(run.to_numpy(), sort=True)]


def band_note(b: pd.DataFrame) -> str:
    """What the chart leaves out on purpose: days with observed streams but no band (a
    series' first days, before the model has learnt its level), or "" when none."""
    vague = int((b.observed.notna() & b.expected.isna()).sum())
    if not vague:
        return ""
    return (
        f" No band on {vague} of the series' days with streams (its first days), and no "
        "forecast before it has one: until the model has learnt the level, its 80% band "
        f"would span more than {MAX_BAND_SPAN:.0f}-fold."
    )


def band_figure(b: pd.DataFrame, row: pd.Series, window_days: int = 120) -> go.Figure:
    """Observed streams against the forecast bands, with the change marked."""
    start = pd.Timestamp(row.event_date) - pd.Timedelta(days=window_days // 2)
    b = b[pd.to_datetime(b.date) >= start]
    hist, fut = b[~b.is_forecast], b[b.is_forecast]
    fig = go.Figure()
    for part, name in ((hist, "one-step forecast"), (fut, "28-day forecast")):
        if part.empty:
            continue
        # A chart import has no band on a track's days off the chart, and no series has
        # one on its first days (bands.MAX_BAND_SPAN): each run of days with a band is
        # drawn on its own, so no band is drawn across a gap.
        runs = _runs(part[part.expected.notna()])
        for lo, hi, label, alpha in (("lo95", "hi95", "95%", 0.15), ("lo80", "hi80", "80%", 0.3)):
            for k, run in enumerate(runs):
                x = pd.to_datetime(run.date)
                fig.add_trace(
                    go.Scatter(
                        x=list(x) + list(x[::-1]),
                        y=list(run[hi]) + list(run[lo][::-1]),
                        fill="toself",
                        fillcolor=f"rgba(31,119,180,{alpha})",
                        line={"width": 0},
                        name=f"{label} interval ({name})",
                        legendgroup=f"{label} {name}",
                        showlegend=k == 0,
                        hoverinfo="skip",
                    )
                )
        xs: list = []
        ys: list = []
        for k, run in enumerate(runs):
            if k:  # a missing point between runs breaks the line
                xs.append(None)
                ys.append(None)
            xs += list(pd.to_datetime(run.date))
            ys += list(run.expected)
        fig.add_trace(
            go.Scatter(
                x=xs,
                y=ys,
                mode="lines",
                name=f"expected ({name})",
                line={"color": "rgb(31,119,180)", "dash": "dot" if name[0] == "2" else "solid"},
                hovertemplate="%{x|%a %d %b %Y}<br>expected %{y:,.0f} streams<extra></extra>",
            )
        )
    fig.add_trace(
        go.Scatter(
            x=pd.to_datetime(hist.date),
            y=hist.observed,
            mode="markers",
            name="observed",
            marker={"color": "black", "size": 5},
            hovertemplate="%{x|%a %d %b %Y}<br>%{y:,.0f} streams<extra></extra>",
        )
    )
    marks = [(row.event_date, "change starts"), (row.detected_on, "detected")]
    if pd.Timestamp(row.event_date) == pd.Timestamp(row.detected_on):
        marks = [(row.detected_on, "change (detected the same day)")]
    for day, label in marks:
        fig.add_vline(
            x=pd.Timestamp(day).timestamp() * 1000,
            line_dash="dash",
            line_color="orange" if label == "change starts" else "crimson",
            annotation_text=label,
            annotation_position="top left" if label == "change starts" else "top right",
        )
    artist = getattr(row, "artist_unit", row.artist_name)
    who = plot_text(row.track_title if isinstance(row.track_title, str) else artist)
    yaxis = {"title": {"text": "Streams per day"}, "rangemode": "tozero"}
    # The axis follows the streams, not the band: a 95 % band can reach far above both.
    top = pd.concat([b.observed, b.expected]).max()
    if pd.notna(top) and top > 0:
        yaxis["range"] = [0, 1.3 * float(top)]
    xaxis: dict = {"title": {"text": "Date"}}
    days = pd.to_datetime(b.date)
    if not days.empty and (days.max() - days.min()).days < MIN_SPAN_DAYS:
        # a series of a few days (a release's first days, no band yet) drawn over two weeks
        # with a tick per day: on its own span the axis counted hours
        first = days.min()
        xaxis["range"] = [first - pd.Timedelta(days=1), first + pd.Timedelta(days=MIN_SPAN_DAYS)]
        xaxis["dtick"] = 86_400_000
        xaxis["tickformat"] = "%d %b"
    fig.update_layout(
        title={"text": f"{who}: observed streams vs forecast ({row.kind})", "y": 0.98},
        xaxis=xaxis,
        yaxis=yaxis,
        # room above the plot for the title and the legend's two rows (seven entries)
        margin={"l": 10, "r": 10, "t": 110, "b": 10},
        height=430,
        legend=charts.LEGEND_TOP,
        showlegend=True,  # also with observed streams alone (a series' first days)
    )
    return fig


def attribution_table(row: pd.Series) -> pd.DataFrame:
    parts = json.loads(row.attribution) if isinstance(row.attribution, str) else []
    if not parts:
        return pd.DataFrame(columns=["Dimension", "Value", "Share of the excess", "Streams"])
    df = pd.DataFrame(parts)
    return pd.DataFrame(
        {
            "Dimension": df.dimension.map(DIMENSION_LABELS).fillna(df.dimension),
            "Value": [
                VALUE_NAMES.get(d, str)(v) for d, v in zip(df.dimension, df.value, strict=True)
            ],
            "Share of the excess": (df.share * 100).round(1),
            "Streams": df.excess.round(0),
        }
    )


def growth_table(row: pd.Series) -> tuple[bool, pd.DataFrame, str]:
    g = json.loads(row.growth) if isinstance(row.growth, str) else {}
    if not g.get("available"):
        return False, pd.DataFrame(), g.get("note", "listener-level rows unavailable")

    def pct(x):
        return None if x is None else round(100 * x, 1)

    df = pd.DataFrame(
        {
            "Metric": [
                "Passive-to-active conversion",
                "Search conversion",
                "Engagement drop-off",
                "Identified listeners",
            ],
            "Value": [
                pct(g["passive_to_active"]),
                pct(g["search_conversion"]),
                pct(g["drop_off"]),
                g["listeners"],
            ],
            "Unit": ["%", "%", "%", "listeners"],
        }
    )
    return True, df, ""


def set_status(scope: Scope, alert_key: str, status: str | None) -> str | None:
    """Change the status; returns an error message for the user, or None."""
    try:
        alert_status.set_status(services.store(), scope, alert_key, status)
    except alert_status.StatusError as exc:
        return str(exc)
    services.clear_caches()
    return None
