"""What a stakeholder report says about one artist or one track, read through the scoped
queries for the reader's scope (the page's user, or `--as USER` on the CLI).

It calls the @scoped queries with the store directly (not through the page caches) so the
CLI and the page build the same report. Sections without data say so instead of failing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from app import charts, geo, wording
from app.alerts import view as alerts_view
from app.fans import view as fans_view
from app.forecast import view as forecast_view
from app.safe_text import plot as plot_text
from data.queries import Filters
from data.queries import alerts as alerts_queries
from data.queries import budget as budget_queries
from data.queries import catalog as catalog_queries
from data.queries import fans as fans_queries
from data.queries import forecast as forecast_queries
from data.queries import similar as similar_queries
from data.scope import Scope
from data.store import Store

WINDOW_DAYS = 90
TOP = 10


class ReportError(Exception):
    """The subject is unknown or outside the reader's labels (one clear message)."""


@dataclass
class Section:
    title: str
    note: str | None = None  # one or two sentences of plain text
    figure: go.Figure | None = None
    table: pd.DataFrame | None = None  # columns already named in words


@dataclass
class Report:
    kind: str  # "artist" | "track"
    subject: str  # the artist name, or "title — artist"
    labels: list[str]
    period: str
    facts: list[tuple[str, str]] = field(default_factory=list)  # (label, value)
    sections: list[Section] = field(default_factory=list)


def _window(store: Store, scope: Scope) -> tuple[dt.date, dt.date] | None:
    first, last = catalog_queries.data_range(store, scope)
    if first is None or last is None:
        return None
    return max(first, last - dt.timedelta(days=WINDOW_DAYS - 1)), last


def _fmt(value: float) -> str:
    return f"{value:,.0f}"


def _forecast(store: Store, scope: Scope, kind: str, ident: str, name: str) -> Section:
    title = "Streams per day and the next 90 days"
    if kind == "track":
        daily = forecast_queries.forecast_track_daily(store, scope, ident)
        totals = forecast_queries.forecast_track_status(store, scope, ident)
        history = forecast_queries.forecast_track_history(store, scope, ident)
    else:
        daily = forecast_queries.forecast_artist_daily(store, scope, ident)
        totals = forecast_queries.forecast_artists(store, scope, Filters(artist_ids=(ident,)))
        history = forecast_queries.forecast_artist_history(store, scope, ident)
    if daily.empty or totals.empty:
        return Section(title, "No forecast yet: it needs at least a week of streams.")
    total = tuple(float(totals[f"total_{q}"].iloc[0]) for q in ("p10", "p50", "p90"))
    out = None
    if kind != "track":
        out = forecast_view.tracks_out_of(
            forecast_queries.forecast_portfolio_total(store, scope, Filters(artist_ids=(ident,)))
        )
    fan = forecast_view.Fan(history, daily, total, out)  # type: ignore[arg-type]
    parts = forecast_view.tracks_out_text(fan)
    return Section(
        title,
        f"Expected over the next {len(daily)} days: {forecast_view.total_text(fan.total)}. "
        "The shaded band holds 8 days in 10." + (f" {parts}" if parts else ""),
        figure=forecast_view.fan_figure(fan, name),
    )


def _territories(by_country: pd.DataFrame) -> Section:
    title = f"Top territories, last {WINDOW_DAYS} days"
    if by_country.empty:
        return Section(title, "No streams in the period.")
    top = by_country.head(TOP)
    names = [plot_text(f"{geo.country_name(c)} ({c})") for c in top["country"]]
    fig = go.Figure(go.Bar(x=names, y=top["streams"], marker_color=charts.PALETTE[0]))
    fig.update_layout(
        title=title,
        xaxis_title="Territory",
        yaxis_title="Streams",
        height=340,
        margin={"t": 50, "b": 80, "l": 60, "r": 10},
    )
    return Section(title, figure=fig)


def _fan_mix(store: Store, scope: Scope, artist_id: str) -> Section:
    title = "Fan mix: how committed the listeners are"
    mixes = fans_queries.fan_mixes(store, scope, Filters(artist_ids=(artist_id,)))
    if mixes.empty:
        return Section(title, "No fan-type model for this artist (no listener-level streams).")
    units = [fans_view.Unit(artist_id, str(lab)) for lab in dict.fromkeys(mixes["label"])]
    return Section(
        title,
        "Share of the artist's listeners of each fan type, with its 90 % interval.",
        figure=fans_view.mix_figure(mixes, units),
    )


def _potential(store: Store, scope: Scope, artist_id: str, labels: list[str]) -> Section:
    title = "Where similar artists do better (potential gap)"
    rows = [similar_queries.similar_potential(store, scope, artist_id, lab) for lab in labels]
    found = pd.concat([r for r in rows if not r.empty] or [pd.DataFrame()], ignore_index=True)
    if found.empty:
        return Section(title, "No similar-artist model for this artist yet.")
    gaps = found[found["gap"] > 0].sort_values("gap", ascending=False).head(TOP)
    if gaps.empty:
        return Section(title, "The artist meets or beats its most similar artists everywhere.")
    table = pd.DataFrame(
        {
            "Territory": [f"{geo.country_name(c)} ({c})" for c in gaps["country"]],
            "Actual streams": gaps["actual"].round(0).astype(int),
            "Expected from similar artists": gaps["expected"].round(0).astype(int),
            "Gap (streams)": gaps["gap"].round(0).astype(int),
        }
    )
    return Section(
        title,
        "Countries where the artist streams less than its 10 most similar artists predict, "
        "largest gap first.",
        table=table,
    )


def _alerts(store: Store, scope: Scope, artist_id: str, isrc: str | None) -> Section:
    title = "Recent alerts"
    feed = alerts_queries.alerts_feed(store, scope, Filters(artist_ids=(artist_id,)))
    if isrc is not None and not feed.empty:
        feed = feed[feed["isrc"] == isrc]
    if feed.empty:
        return Section(title, "No significant change in daily streams was detected.")
    shown = alerts_view.feed_table(alerts_view.with_artist_units(feed.head(TOP)))
    cols = ["Change started", "Kind", "Track", "Probability (%)", "Cause", "Goal", "Status"]
    return Section(title, "Newest first.", table=shown[cols])


def _budgets(store: Store, scope: Scope, artist_id: str, isrc: str | None) -> Section:
    title = "Territory budgets"
    props = budget_queries.budget_proposals(store, scope, Filters(artist_ids=(artist_id,)))
    if isrc is not None and not props.empty:
        props = props[props["isrc"] == isrc]
    if props.empty:
        return Section(title, "No budget has been proposed yet.")
    table = pd.DataFrame(
        {
            wording.label("proposal_id"): props["proposal_id"].astype(int),
            wording.label("track_title"): props["track_title"],
            wording.label("goal"): props["goal"],
            wording.label("total_usd"): props["total_usd"].round(0),
            wording.label("status"): props["status"],
            wording.label("updated_at"): pd.to_datetime(props["updated_at"]).dt.date,
        }
    )
    return Section(title, "Newest first.", table=table.head(TOP))


def build(
    store: Store, scope: Scope, *, artist_id: str | None = None, isrc: str | None = None
) -> Report:
    """The report on one artist (all its tracks in scope) or one track."""
    if (artist_id is None) == (isrc is None):
        raise ReportError("name either an artist or a track")
    catalog = catalog_queries.tracks(store, scope)
    if isrc is not None:
        rows = catalog[catalog["isrc"] == isrc]
        if rows.empty:
            raise ReportError(f"no track {isrc!r} in your labels")
        row = rows.iloc[0]
        artist_id, kind = str(row["artist_id"]), "track"
        subject = f"{row['track_title']} — {row['artist_name']}"
    else:
        rows = catalog[catalog["artist_id"] == artist_id]
        if rows.empty:
            raise ReportError(f"no artist {artist_id!r} in your labels")
        kind, subject = "artist", str(rows["artist_name"].iloc[0])
    labels = sorted({str(lab) for lab in rows["label"]})
    assert artist_id is not None

    window = _window(store, scope)
    report = Report(kind, subject, labels, "no streams yet")
    by_country = pd.DataFrame(columns=["country", "streams"])
    if window is not None:
        report.period = f"{window[0]:%d %b %Y} – {window[1]:%d %b %Y}"
        flt = Filters(artist_ids=(artist_id,), date_from=window[0], date_to=window[1])
        by_country = catalog_queries.streams_by_country(store, scope, flt, isrc=isrc)
    total = float(by_country["streams"].sum()) if not by_country.empty else 0.0
    report.facts = [
        (f"Streams, last {WINDOW_DAYS} days", _fmt(total)),
        ("Territories streaming", _fmt(len(by_country))),
        ("Label" if len(labels) == 1 else "Labels", ", ".join(labels)),
    ]
    if kind == "artist":
        report.facts.append(("Tracks", _fmt(len(rows))))
    name = subject
    report.sections = [
        _forecast(store, scope, kind, isrc or artist_id, name),
        _territories(by_country),
        _potential(store, scope, artist_id, labels),
        _fan_mix(store, scope, artist_id),
        _alerts(store, scope, artist_id, isrc),
        _budgets(store, scope, artist_id, isrc),
    ]
    return report


def figure_titles(report: Report) -> list[str]:
    """The title text of every chart in the report (tests and the page caption use it)."""
    out: list[Any] = []
    for s in report.sections:
        if s.figure is not None:
            out.append(s.figure.layout.title.text)
    return [str(t) for t in out]
