"""View model of the Territory budgets page: cached scoring, the territory table and chart,
the editable plan and its outcome. Streamlit only for caching."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import streamlit as st

from analytics.budget import ScoreResult
from analytics.budget import caps as bc
from app import geo, services, wording
from app.budget import response, territories
from app.campaigns import uplift_view
from data.queries import Filters
from data.queries import budget as budget_queries
from data.queries import campaign_uplift as uplift_queries
from data.results.runs import ModelRun
from data.scope import Scope

YES, NO = "Yes", "No"
DEFAULT_BUDGET = 2000.0


def tracks(scope: Scope, filters: Filters) -> pd.DataFrame:
    return services.query(budget_queries.budget_tracks, scope, filters)


def all_tracks(scope: Scope) -> pd.DataFrame:
    """Every modelled track in scope, ignoring the sidebar filters (for hand-offs)."""
    return tracks(scope, Filters())


@st.cache_data(ttl=services.TTL_SECONDS, show_spinner=False, max_entries=500)
def _score(
    path: str,
    key: services.LabelsKey,
    isrc: str,
    goal: str,
    run_id: int,
    params: dict[str, Any],
    include: tuple[str, ...] = (),
) -> ScoreResult | None:
    frames = services.query(budget_queries.budget_inputs, services.scope_for_labels(key), isrc)
    if not frames:
        return None
    return territories.rank(frames, goal, params, include)


def score(
    scope: Scope, run: ModelRun, isrc: str, goal: str, include: tuple[str, ...] = ()
) -> ScoreResult | None:
    """Ranked territories for an in-scope track (None when out of scope or unmodelled): the
    best ones, plus the territories in `include` (a hand-off's) wherever they rank.
    Cached per label set and budget run."""
    key = services.labels_key(scope)
    return _score(
        services.db_key(), key, isrc, goal, run.run_id, run.params, tuple(sorted(include))
    )


def responsive_segments(scope: Scope, isrc: str, result: ScoreResult) -> pd.DataFrame:
    """The track's label's segments that respond to ads, in the ranked territories (from
    campaign uplift; empty before any campaign was measured)."""
    segments = services.query(uplift_queries.responsive_segments, scope, isrc)
    return uplift_view.responsive_table(segments, [t.country for t in result.territories])


def territory_table(result: ScoreResult) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "rank": t.rank,
                "territory": f"{geo.country_name(t.country)} ({t.country})",
                "audience_fit_score": round(t.score, 3),
                "top_group_score": round(t.top_score, 3),
                "selected": YES if t.selected else NO,
                "top groups": ", ".join(t.groups[:4]),
                "interests": ", ".join(t.interests[:5]),
                "cap_usd": round(t.cap_usd, 0),
                "expected_streams_per_100usd": round(100 * t.expected_streams_per_usd, 1),
                "why": t.why,
            }
            for t in result.territories
        ]
    )


# -- the editable plan ----------------------------------------------------------------------
def plan_key(isrc: str, goal: str) -> str:
    return f"budget_plan:{isrc}:{goal}"


def initial_plan(result: ScoreResult, wanted: tuple[str, ...]) -> pd.DataFrame:
    """One row per ranked territory: Yes for the requested (else the selected) territories."""
    chosen = set(wanted) or {t.country for t in result.territories if t.selected}
    return pd.DataFrame(
        {
            "country": [t.country for t in result.territories],
            "territory": [geo.country_name(t.country) for t in result.territories],
            "run": [YES if t.country in chosen else NO for t in result.territories],
            "usd": [0.0] * len(result.territories),
        }
    )


def responses(result: ScoreResult) -> dict[str, bc.TerritoryResponse]:
    return {t.country: t.response for t in result.territories}


def caps(result: ScoreResult) -> dict[str, float]:
    return {t.country: t.cap_usd for t in result.territories}


def apply_edits(plan: pd.DataFrame, edited_rows: dict[int, dict[str, Any]]) -> pd.DataFrame:
    """The data editor's delta applied to the plan (only run and usd are editable)."""
    out = plan.copy()
    for pos, change in edited_rows.items():
        for col in ("run", "usd"):
            if col in change:
                value = change[col]
                if col == "usd":
                    value = np.nan if value is None else value
                out.loc[out.index[int(pos)], col] = value
    return out


def enforce_caps(plan: pd.DataFrame, result: ScoreResult) -> tuple[pd.DataFrame, list[str]]:
    """Amounts over a territory's cap reduced to it, with a notice saying so."""
    amounts = {
        c: float(u) for c, u in zip(plan["country"], plan["usd"], strict=True) if pd.notna(u)
    }
    names = dict(zip(plan["country"], plan["territory"], strict=True))
    fixed, notices = bc.apply_caps(amounts, caps(result), names)
    out = plan.copy()
    out["usd"] = [fixed.get(c, u) for c, u in zip(out["country"], out["usd"], strict=True)]
    return out, [n.message for n in notices]


@dataclass(frozen=True)
class Outcome:
    errors: list[str]
    planned: float
    expected: float
    rows: pd.DataFrame  # country, territory, run, usd, cap_usd, expected_streams


def outcome(plan: pd.DataFrame, result: ScoreResult, budget: float) -> Outcome:
    """Validation messages and expected incremental streams of the plan as edited."""
    resp, cap = responses(result), caps(result)
    active = plan[plan["run"] == YES]
    errors = bc.validate_plan(dict(zip(active["territory"], active["usd"], strict=True)), budget)
    rows = plan.copy()
    rows["cap_usd"] = rows["country"].map(cap).round(0)
    rows["expected_streams"] = [
        round(_expected(result, resp[c], c, float(u)), 1)
        if r == YES and pd.notna(u) and u >= 0
        else 0.0
        for c, r, u in zip(rows["country"], rows["run"], rows["usd"], strict=True)
    ]
    valid = pd.to_numeric(active["usd"], errors="coerce").fillna(0).clip(lower=0)
    return Outcome(errors, float(valid.sum()), float(rows["expected_streams"].sum()), rows)


def _expected(result: ScoreResult, r: bc.TerritoryResponse, country: str, usd: float) -> float:
    """Expected incremental streams for `usd`: the measured response curve where there is
    one, else the all-campaign response."""
    curve = result.curves.get(country)
    if curve is None:
        return r.expected(usd)
    return result.curve_base.get(country, 0.0) * float(curve.uplift(usd))


def plan_amounts(rows: pd.DataFrame) -> dict[str, float]:
    """Country -> USD of the Yes territories with a valid amount."""
    usd = pd.to_numeric(rows["usd"], errors="coerce")
    keep = (rows["run"] == YES) & usd.notna() & (usd >= 0)
    return dict(zip(rows.loc[keep, "country"], usd[keep].astype(float), strict=True))


def suggest(plan: pd.DataFrame, result: ScoreResult, budget: float) -> pd.DataFrame:
    """The split of `budget` over the Yes territories maximising expected streams (the
    optimiser on the measured curves when there are any)."""
    resp = responses(result)
    yes = [c for c, r in zip(plan["country"], plan["run"], strict=True) if r == YES]
    if result.curves:
        split = response.optimise(result, budget, yes)
    else:
        split = bc.allocate([resp[c] for c in yes], budget, caps(result))
    out = plan.copy()
    out["usd"] = [round(split.get(c, 0.0), 0) for c in out["country"]]
    return out


def plan_items(
    rows: pd.DataFrame, result: ScoreResult, extra_groups: dict[str, list[str]] | None = None
) -> list[dict[str, Any]]:
    """The proposal's plan: targeting description per Yes territory. `extra_groups` (a
    hand-off's audience groups per territory, e.g. likely adopters) come first."""
    by = {t.country: t for t in result.territories}
    items = []
    for r in rows.itertuples():
        if r.run != YES:
            continue
        t = by[r.country]
        items.append(
            {
                "country": r.country,
                "include": True,
                "usd": float(r.usd),
                "cap_usd": round(t.cap_usd, 2),
                "expected_streams": float(r.expected_streams),
                "groups": list(
                    dict.fromkeys([*(extra_groups or {}).get(r.country, []), *t.groups])
                ),
                "artists": t.artists,
                "genres": t.genres,
            }
        )
    return items


def scores_figure(result: ScoreResult) -> Any:
    """Bar chart of the audience fit score S(T) per ranked territory, selected ones
    highlighted."""
    import plotly.graph_objects as go

    from app.charts import PALETTE
    from app.widgets import plot_text

    terr = result.territories
    fig = go.Figure(
        go.Bar(
            x=[plot_text(geo.country_name(t.country)) for t in terr],
            y=[t.score for t in terr],
            marker_color=[PALETTE[0] if t.selected else PALETTE[8] for t in terr],
            hovertemplate="%{x}: audience fit score %{y:.2f}<extra></extra>",
        )
    )
    fig.update_layout(
        title=f"Audience fit score per territory, '{result.goal}' goal (purple: recommended)",
        xaxis_title="Territory",
        yaxis_title=wording.axis_title("audience_fit_score"),
        height=320,
        margin={"t": 50, "b": 40, "l": 60, "r": 10},
    )
    return fig
