"""The Today page's view model: what changed since the last visit, the ranked opportunities
with their hand-off links, the budget workflow's open items and the data-health warnings.

Everything here reads persisted results through cached scoped queries; nothing is fitted."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from app import geo, services, wording
from app.alerts import event_view
from app.budget import proposals as bp
from app.health import view as health_view
from data import signin
from data.queries import Filters
from data.queries import today as today_queries
from data.scope import Scope

DEFAULT_DAYS = 7  # what "recently" means without an earlier sign-in
SHOWN_EVENTS = 8
SHOWN_OPPORTUNITIES = 10
ACTION_TITLES = {
    "push": "Push in a territory",
    "sustain": "Sustain after a playlist removal",
    "promote": "Promote alongside a release",
    "re-engage": "Re-engage passive fans",
}
# The budget page's campaign goal for each action (app.links.GOALS).
ACTION_GOALS = {"push": "expand", "sustain": "sustain", "promote": "accelerate"}


@dataclass(frozen=True)
class Window:
    since: dt.date
    note: str  # one sentence: which window and why


def window(previous: dt.datetime | None, data_through: dt.date | None) -> Window:
    """Since the previous sign-in; the last DEFAULT_DAYS days of data without one, or when
    no data arrived after it (and the sentence says which)."""
    last = data_through or dt.date.today()
    recent = last - dt.timedelta(days=DEFAULT_DAYS - 1)
    if previous is None:
        return Window(recent, f"No earlier sign-in on record: showing the last {DEFAULT_DAYS} "
                              f"days of data ({recent:%d %b} to {last:%d %b %Y}).")  # fmt: skip
    if previous.date() > last:
        return Window(recent, f"No new data since your last visit ({previous:%d %b %Y}): "
                              f"showing the last {DEFAULT_DAYS} days of data, through "
                              f"{last:%d %b %Y}.")  # fmt: skip
    return Window(previous.date(), f"Since your last visit on {previous:%d %b %Y %H:%M} UTC.")


def previous_visit(scope: Scope) -> dt.datetime | None:
    return signin.previous_sign_in(services.store(), scope.username)


def changes(scope: Scope, since: dt.date) -> pd.DataFrame:
    """Grouped alert events since `since`, newest first, then the most significant (the
    largest move times the number of alerts) first within a day."""
    ev = event_view.events(scope, Filters(date_from=since), None, None)
    if ev.empty:
        return ev
    # no move (a release, a trend: NaN) weighs nothing; the number of alerts breaks ties
    weight = ev["effect"].abs().clip(upper=10.0).fillna(0.0) * ev["alerts"]
    return (
        ev.assign(weight=weight)
        .sort_values(
            ["date", "weight", "alerts", "event_id"], ascending=[False, False, False, True]
        )
        .drop(columns="weight")
    )


def changes_table(ev: pd.DataFrame) -> pd.DataFrame:
    return event_view.events_table(ev)


def opportunities(scope: Scope) -> pd.DataFrame:
    return services.query(today_queries.opportunities, scope)


def asset_name(row: pd.Series) -> str:
    if row["subject"] == "track":
        return f"{row['track_title']} by {row['artist_name']}"
    return str(row["artist_name"])


def asset_names(df: pd.DataFrame) -> pd.Series:
    """asset_name of every row (vectorised: the table holds the whole ranking)."""
    track = df["track_title"].astype(str) + " by " + df["artist_name"].astype(str)
    return track.where(df["subject"] == "track", df["artist_name"].astype(str))


def per_hundred(score: float) -> float:
    """Expected extra streams per $100 of spend."""
    return float(np.round(score * 100.0, 1))


def opportunity_table(df: pd.DataFrame) -> pd.DataFrame:
    """What the table shows and its CSV holds: one row per opportunity, best first."""
    return pd.DataFrame(
        {
            "Rank": df["rank"],
            "Action": df["action"].map(ACTION_TITLES).fillna(df["action"]),
            "Asset": asset_names(df),
            "Label": df["label"],
            "Territory": df["territory"].map(geo.country_name),
            "Extra streams": df["expected_streams"].round(0),
            "Low (80 %)": df["low"].round(0),
            "High (80 %)": df["high"].round(0),
            "Spend (USD)": df["cost_usd"].round(0),
            "Extra streams per $100": (df["score"] * 100.0).round(1),
            "Why": df["reason"],
            "ISRC": df["isrc"],
            "Id": df["id"],
        }
    )


@st.cache_data(max_entries=64, show_spinner=False)
def drawn_ranking(df: pd.DataFrame) -> tuple[pd.DataFrame, go.Figure]:
    """The table and the chart of a ranking, built once per ranking and label set (a plotly
    figure costs more to build than the page's reads)."""
    return opportunity_table(df), opportunity_figure(df.head(SHOWN_OPPORTUNITIES))


def link_label(row: pd.Series) -> str:
    """The hand-off link's words (no data text: a title could carry markup)."""
    place = geo.country_name(row["territory"]) if isinstance(row["territory"], str) else ""
    if row["action"] == "re-engage":
        return "See whom to convert (Fan types)"
    verb = {"push": "Plan the push", "sustain": "Plan a sustain campaign",
            "promote": "Plan the release campaign"}[row["action"]]  # fmt: skip
    return f"{verb} in {place}" if place else verb


def approvals(scope: Scope) -> tuple[pd.DataFrame, pd.DataFrame, bool]:
    """(proposals waiting for this user's decision, this user's own proposals, whether the
    user approves)."""
    props = bp.proposals(scope, Filters())
    approver = bp.can_approve(scope)
    queue = bp.review_queue(props, scope) if approver else props.iloc[0:0]
    mine = props[props["created_by"] == scope.username]
    return queue, mine, approver


def proposal_sentence(row: pd.Series, waiting: bool) -> str:
    """One sentence per proposal (data text goes through md() where it is shown)."""
    amount = f"${row['total_usd']:,.0f}"
    what = f"{row['track_title']} by {row['artist_name']}"
    if waiting:
        return (
            f"{row['created_by']} asks for {amount} to {row['goal']} {what}; it waits for "
            "your decision."
        )
    status = {"submitted": "waits for approval", "approved": "was approved",
              "rejected": "was rejected", "returned": "was returned for changes"}  # fmt: skip
    return f"Your {amount} plan to {row['goal']} {what} {status.get(row['status'], row['status'])}."


def health_warnings(scope: Scope, since: dt.date) -> pd.DataFrame:
    """The data-health issues of the feeds in scope since `since`, newest first."""
    issues = health_view.issues(scope)
    if issues.empty:
        return issues
    recent = issues[pd.to_datetime(issues["date"]).dt.date >= since]
    return recent.sort_values(["date", "dsp"], ascending=[False, True])


def health_sentence(row: pd.Series) -> str:
    kind = health_view.KIND_TITLES.get(row["kind"], row["kind"]).lower()
    return (
        f"{wording.dsp_name(row['dsp'])} had a {kind} on {pd.Timestamp(row['date']):%d %b %Y}: {row['detail']}; "
        "alerts leave that day out, so check the feed before trusting its figures."
    )


def opportunity_figure(df: pd.DataFrame) -> go.Figure:
    """The top opportunities' extra streams per $100 of spend, with the 80 % interval."""
    from app.charts import PALETTE
    from app.widgets import plot_text

    top = df.iloc[::-1]  # best at the top of a horizontal bar chart
    colours = {a: PALETTE[i] for i, a in enumerate(ACTION_TITLES)}
    names = [f"{int(r['rank'])}. {plot_text(asset_name(r))}" for _, r in top.iterrows()]
    per100 = top["score"] * 100.0
    fig = go.Figure(
        go.Bar(
            x=per100,
            y=names,
            orientation="h",
            marker_color=[colours.get(a, PALETTE[0]) for a in top["action"]],
            error_x={
                "type": "data",
                "symmetric": False,
                "array": (top["high"] - top["expected_streams"]) / top["cost_usd"] * 100.0,
                "arrayminus": (top["expected_streams"] - top["low"]) / top["cost_usd"] * 100.0,
            },
            hovertemplate="%{y}: %{x:,.1f} extra streams per $100<extra></extra>",
        )
    )
    fig.update_layout(
        title="Top opportunities: expected extra streams per $100 spent (80 % interval)",
        xaxis_title="Extra streams per $100 of spend",
        yaxis_title="Opportunity (rank, asset)",
        height=120 + 32 * len(top),
        margin={"t": 50, "b": 40, "l": 10, "r": 10},
    )
    return fig
