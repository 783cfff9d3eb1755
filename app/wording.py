"""The vocabulary: every metric a manager sees, named in words, with its technical name in
the help tooltip.

One entry per technical key (a result column, a model quantity): its plain label, the help
text (which names the technical quantity) and its unit. Tables (`widgets.table` applies it
to every column it knows), metric cards and chart axes read their wording from here, so a
metric is called the same on every page and in the stakeholder report.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import streamlit as st

from analytics.catalog.names import (  # noqa: F401  (the app names them through here)
    dsp_name,
    source_name,
)


@dataclass(frozen=True)
class Term:
    label: str  # what the manager reads
    help: str | None = None  # what it means, naming the technical quantity
    unit: str | None = None  # for axis titles: "label (unit)"


# Model quantities whose technical names must never be a label on their own.
TECHNICAL_NAMES = (
    "S(T)",
    "expected_streams_per_usd",
    "p10",
    "p50",
    "p90",
    "CPA",
    "P(effect > 0)",
    "t-SNE",
    "NDCG@10",
)

TERMS: dict[str, Term] = {
    # -- territory budgets -----------------------------------------------------------------
    "audience_fit_score": Term(
        "Audience fit score",
        "S(T), in log engagement units: the weighted mean of the goal-weighted predicted "
        "engagement of the territory's top audience groups. Higher means the track's audience "
        "there fits the campaign goal better.",
        "higher = better fit",
    ),
    "expected_streams_per_100usd": Term(
        "Extra streams per $100",
        "expected_streams_per_usd x 100: incremental streams a campaign is expected to add "
        "for each $100 spent, up to the territory's cap.",
        "streams",
    ),
    "cap_usd": Term(
        "Spending cap ($)",
        "cap_usd: above this, each extra stream costs more than 3x the usual or the audience "
        "is exhausted.",
        "USD",
    ),
    "top_group_score": Term(
        "Top group's score",
        "The goal-weighted predicted engagement E* of the territory's best audience group, "
        "in the audience fit score's units. A territory is recommended when it is at least "
        "the best territory's audience fit score: one strong group can make a territory "
        "ranked lower a recommendation.",
        "higher = better fit",
    ),
    "selected": Term(
        "Recommended",
        "Selected by the territory rule: the territory's top group scores at least the best "
        "audience fit score S(T).",
    ),
    "top groups": Term("Top audience groups", "The groups (gender, age band) that engage most."),
    "interests": Term("Interests", "Artists and genres the territory's top groups stream."),
    "why": Term("Why", "One sentence on why the territory ranks where it does."),
    "plan": Term("Plan"),
    # the forecast with and without a plan (app/budget/forecast_plan.py: totals_table)
    "forecast": Term("Forecast"),
    "days": Term("Days", "days: the forecast days the totals sum over.", "days"),
    "expected": Term("Expected streams", unit="streams"),
    "spend_usd": Term("Spend ($)", "spend_usd: the money spent or planned.", "USD"),
    "usd": Term("Spend ($)", "usd: the money planned for the territory.", "USD"),
    "streams": Term("Streams", unit="streams"),
    "expected_streams": Term(
        "Extra streams expected",
        "expected_streams: incremental streams the model expects, over what would have "
        "streamed without the campaign.",
        "streams",
    ),
    "incremental_streams": Term(
        "Streams added",
        "incremental_streams: streams over the forecast without the campaign.",
        "streams",
    ),
    "low": Term("Low end of the range", "The lower bound of the interval.", "streams"),
    "high": Term("High end of the range", "The upper bound of the interval.", "streams"),
    "your_usd": Term("Your spend ($)", "your_usd", "USD"),
    "your_streams": Term("Your extra streams", "your_streams: expected incremental streams"),
    "your_low": Term("Your low end (80 %)", "your_low: 10th percentile of your plan's outcome"),
    "your_high": Term("Your high end (80 %)", "your_high: 90th percentile of your plan's outcome"),
    "optimiser_usd": Term("Optimiser's spend ($)", "optimiser_usd", "USD"),
    "optimiser_streams": Term(
        "Optimiser's extra streams", "optimiser_streams: expected incremental streams"
    ),
    "optimiser_low": Term("Optimiser's low end (80 %)", "optimiser_low: 10th percentile"),
    "optimiser_high": Term("Optimiser's high end (80 %)", "optimiser_high: 90th percentile"),
    "territory": Term("Territory"),
    "rank": Term("#", "Rank, 1 = first."),
    "proposal_id": Term("Proposal", "proposal_id"),
    "status": Term("Status"),
    "track_title": Term("Track"),
    "artist_name": Term("Artist"),
    "label": Term("Label"),
    "isrc": Term("ISRC", "International Standard Recording Code: the track's id."),
    "goal": Term("Goal"),
    "total_usd": Term("Total ($)", "total_usd", "USD"),
    "countries": Term("Countries"),
    "created_by": Term("Proposed by"),
    "created_at": Term("Created"),
    "updated_at": Term("Updated"),
    "groups": Term("Audience groups"),
    "when (UTC)": Term("When (UTC)"),
    "who": Term("Who"),
    "action": Term("Action"),
    "comment": Term("Comment"),
    "plan before": Term("Plan before"),
    "plan after": Term("Plan after"),
    # -- campaigns and uplift ----------------------------------------------------------------
    "uplift_pct": Term(
        "Extra streams from the ads (%)",
        "uplift_pct: streams the ads added in the segment over the streams expected there "
        "without them.",
        "%",
    ),
    "low_pct": Term("Low end, 90 % range (%)", "low_pct: 5th percentile of the uplift", "%"),
    "high_pct": Term("High end, 90 % range (%)", "high_pct: 95th percentile of the uplift", "%"),
    "model_uplift_pct": Term(
        "Modelled extra streams from the ads (%)",
        "model_uplift_pct: the segment's response to ads pooled over all campaigns, each "
        "campaign's lift taken half-way to the average (it ranks the list).",
        "%",
    ),
    "significant": Term("Clearly positive", "Significant: the whole 90 % range is above zero."),
    "campaigns": Term("Campaigns"),
    "p_effect": Term(
        "Chance the campaign helped (%)",
        "P(effect > 0): the posterior probability that the campaign added streams.",
        "%",
    ),
    "cpa_usd": Term(
        "Cost per added stream ($)",
        "CPA (cost per acquisition): spend divided by the streams added, shown only when the "
        "lift is positive.",
        "USD per stream",
    ),
    "pre_fit_mape": Term(
        "Forecast error before the campaign (%)",
        "pre_fit_mape: mean absolute percentage error of the counterfactual model on the "
        "8 weeks before the campaign.",
        "%",
    ),
    # -- forecasts ---------------------------------------------------------------------------
    "p10": Term(
        "Low (1 day in 10 below)", "p10: the 10th percentile of the forecast", "streams per day"
    ),
    "p50": Term("Expected (median)", "p50: the median forecast", "streams per day"),
    "p90": Term(
        "High (1 day in 10 above)", "p90: the 90th percentile of the forecast", "streams per day"
    ),
    "total_p10": Term("90-day low", "total_p10: 10th percentile of the 90-day total", "streams"),
    "total_p50": Term("90-day expected", "total_p50: median of the 90-day total", "streams"),
    "total_p90": Term("90-day high", "total_p90: 90th percentile of the 90-day total", "streams"),
    "days_of_data": Term("Days of data"),
    "young": Term("New track (< 4 weeks)", "young: under four weeks of streams"),
    # -- audiences (recommendations) -----------------------------------------------------------
    "listener_id": Term("Listener (hashed id)", "listener_id: a one-way hash of the DSP's id"),
    "score": Term(
        "Likelihood score", "The recommendation model's score: higher = more likely to stream."
    ),
    "age_band": Term("Age band"),
    "age band": Term("Age band"),
    "gender": Term("Gender"),
    "fan_type": Term("Fan type"),
    "fan type": Term("Fan type"),
    "audience group": Term(
        "Audience group", "Age band, gender and subscription: the unit audiences are built from."
    ),
    "subscription": Term("Subscription"),
    "country": Term("Country"),
    "country name": Term("Country name"),
    "adopters": Term("Likely adopters", "Listed listeners most likely to stream the track."),
    "expected_adopters": Term(
        "Expected to adopt",
        "expected_adopters: likely adopters x the model's held-out hit rate.",
        "listeners",
    ),
    "lift": Term(
        "Lift", "How much more often this track's listeners stream it than listeners overall."
    ),
    "reason": Term("Why"),
    # -- fan types -----------------------------------------------------------------------------
    "listeners": Term("Listeners", unit="listeners"),
    "passive + casual": Term("Passive and casual fans", "Expected passive and casual listeners"),
    "diehard (expected)": Term("Diehard fans (expected)"),
    "segment diehard %": Term("Diehard share in the segment (%)"),
    "artist diehard %": Term("Diehard share, whole artist (%)"),
    "conversion gap": Term(
        "Fans to convert",
        "conversion gap: expected diehard fans the segment would have at the artist's "
        "overall diehard share, minus those it has.",
    ),
    # -- alerts --------------------------------------------------------------------------------
    "event_id": Term("Event id", "event_id: the id the CLI and links use."),
    "alert_key": Term("Alert id", "alert_key: the id the CLI and links use."),
}


def term(key: str) -> Term:
    """The entry of `key`; an unknown key is its own label (so a new column still shows)."""
    return TERMS.get(key) or Term(key)


def label(key: str) -> str:
    return term(key).label


def help_text(key: str) -> str | None:
    return term(key).help


def axis_title(key: str) -> str:
    """A chart axis title: the plain label with its unit."""
    t = term(key)
    return f"{t.label} ({t.unit})" if t.unit else t.label


def column(key: str, kind: str = "number", **options: Any) -> Any:
    """A column config for `key` with its plain label and help (`kind`: number, text)."""
    make = st.column_config.NumberColumn if kind == "number" else st.column_config.TextColumn
    return make(label(key), help=help_text(key), **options)


def column_config(
    columns: Iterable[str], overrides: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """Column configs for a table: the page's own configs first (given the term's help when
    they have none), then the vocabulary's label and help for every other known column."""
    out: dict[str, Any] = {}
    given = dict(overrides or {})
    for col in columns:
        col = str(col)
        if col in given:
            cfg = given[col]
            if isinstance(cfg, dict) and not cfg.get("help") and col in TERMS and term(col).help:
                cfg = {**cfg, "help": term(col).help}
            out[col] = cfg
        elif col in TERMS:
            t = TERMS[col]
            out[col] = {"label": t.label, **({"help": t.help} if t.help else {})}
    out.update({k: v for k, v in given.items() if k not in out})
    return out


def technical_names() -> set[str]:
    """What must not be a visible label: the model quantities' symbols and every
    snake_case key of the vocabulary."""
    return set(TECHNICAL_NAMES) | {k for k in TERMS if "_" in k}
