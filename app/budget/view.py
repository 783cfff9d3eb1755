"""View models of the Territory budgets page: cached scoring, the editable plan and its
outcome, proposal actions and exports. Streamlit only for caching and session state."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import streamlit as st

from analytics.budget import caps as bc
from analytics.budget import scoring as budget_scoring
from app import geo, services
from data.queries import Filters
from data.queries import budget as budget_queries
from data.results.budget import ModelInputs
from data.scope import Scope
from data.workflow import budget as bp

YES, NO = "Yes", "No"
DEFAULT_BUDGET = 2000.0


def run_info(scope: Scope) -> dict[str, Any]:
    return services.query(budget_queries.audience_run, scope)


def tracks(scope: Scope, filters: Filters) -> pd.DataFrame:
    return services.query(budget_queries.budget_tracks, scope, filters)


def _inputs(frames: dict[str, Any]) -> ModelInputs:
    a = frames["asset"].iloc[0]
    return ModelInputs(
        isrc=str(a["isrc"]),
        category=int(a["category"]),
        in_model=bool(a["in_model"]),
        row_idx=None if pd.isna(a["row_idx"]) else int(a["row_idx"]),
        e_row=frames["e_row"]["e"].to_numpy(float),
        e=frames["e"].to_numpy(float),
        x=frames["x"].to_numpy(float),
        y=frames["y"].to_numpy(float),
        lam=float(a["lam"]),
        groups=frames["groups"],
        assets=frames["assets"],
        territories=frames["territories"],
        base=frames["base"],
    )


@st.cache_data(ttl=services.TTL_SECONDS, show_spinner=False, max_entries=500)
def _score(
    path: str,
    key: services.LabelsKey,
    isrc: str,
    goal: str,
    computed_at: str,
    include: tuple[str, ...] = (),
) -> budget_scoring.ScoreResult | None:
    scope = services.scope_for_labels(key)
    frames = services.query(budget_queries.audience_inputs, scope, isrc)
    if not frames:
        return None
    params = json.loads(run_info(scope).get("params") or "{}")
    a = frames["assets"]
    artist_of = {
        i: n for i, n in zip(a["isrc"], a["artist_name"], strict=True) if isinstance(i, str) and n
    }
    own = str(frames["asset"].iloc[0]["artist_name"])
    return budget_scoring.score(
        _inputs(frames), goal, artist_of=artist_of, own_artist=own, params=params, include=include
    )


def score(
    scope: Scope, isrc: str, goal: str, include: tuple[str, ...] = ()
) -> budget_scoring.ScoreResult | None:
    """Ranked territories for an in-scope track (None when out of scope or unmodelled): the
    best ones, plus the territories in `include` (a hand-off's) wherever they rank."""
    computed = str(run_info(scope).get("computed_at"))
    key = services.labels_key(scope)
    return _score(services.db_path(), key, isrc, goal, computed, tuple(sorted(include)))


def territory_table(result: budget_scoring.ScoreResult) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "rank": t.rank,
                "territory": f"{geo.country_name(t.country)} ({t.country})",
                "score": round(t.score, 3),
                "selected": YES if t.selected else NO,
                "top groups": ", ".join(t.groups[:4]),
                "interests": ", ".join(t.interests[:5]),
                "cap_usd": round(t.cap_usd, 0),
                "streams_per_usd": round(t.expected_streams_per_usd, 3),
                "why": t.why,
            }
            for t in result.territories
        ]
    )


# -- the editable plan ----------------------------------------------------------------------
def plan_key(isrc: str, goal: str) -> str:
    return f"budget_plan:{isrc}:{goal}"


def initial_plan(result: budget_scoring.ScoreResult, wanted: tuple[str, ...]) -> pd.DataFrame:
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


def responses(result: budget_scoring.ScoreResult) -> dict[str, bc.TerritoryResponse]:
    return {t.country: t.response for t in result.territories}


def caps(result: budget_scoring.ScoreResult) -> dict[str, float]:
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


def enforce_caps(
    plan: pd.DataFrame, result: budget_scoring.ScoreResult
) -> tuple[pd.DataFrame, list[str]]:
    """Amounts over a territory's cap reduced to it, with the patent's notice."""
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


def outcome(plan: pd.DataFrame, result: budget_scoring.ScoreResult, budget: float) -> Outcome:
    """Validation messages and expected incremental streams of the plan as edited."""
    resp, cap = responses(result), caps(result)
    active = plan[plan["run"] == YES]
    errors = bc.validate_plan(dict(zip(active["territory"], active["usd"], strict=True)), budget)
    rows = plan.copy()
    rows["cap_usd"] = rows["country"].map(cap).round(0)
    rows["expected_streams"] = [
        round(resp[c].expected(float(u)), 1) if r == YES and pd.notna(u) and u >= 0 else 0.0
        for c, r, u in zip(rows["country"], rows["run"], rows["usd"], strict=True)
    ]
    valid = pd.to_numeric(active["usd"], errors="coerce").fillna(0).clip(lower=0)
    return Outcome(errors, float(valid.sum()), float(rows["expected_streams"].sum()), rows)


def suggest(plan: pd.DataFrame, result: budget_scoring.ScoreResult, budget: float) -> pd.DataFrame:
    """The split of `budget` over the Yes territories maximising expected streams."""
    resp = responses(result)
    chosen = [resp[c] for c, r in zip(plan["country"], plan["run"], strict=True) if r == YES]
    split = bc.allocate(chosen, budget, caps(result))
    out = plan.copy()
    out["usd"] = [round(split.get(c, 0.0), 0) for c in out["country"]]
    return out


def plan_items(rows: pd.DataFrame, result: budget_scoring.ScoreResult) -> list[dict[str, Any]]:
    """The proposal's plan: targeting description per Yes territory."""
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
                "groups": t.groups,
                "artists": t.artists,
                "genres": t.genres,
            }
        )
    return items


# -- proposals ----------------------------------------------------------------------------------
def proposals(scope: Scope, filters: Filters) -> pd.DataFrame:
    return services.query(budget_queries.budget_proposals, scope, filters)


def history(scope: Scope, proposal_id: int) -> pd.DataFrame:
    df = services.query(budget_queries.proposal_audit, scope, None, proposal_id=int(proposal_id))
    out = []
    for r in df.itertuples():
        before = json.loads(r.before) if isinstance(r.before, str) else None
        after = json.loads(r.after) if isinstance(r.after, str) else None
        out.append(
            {
                "when (UTC)": r.logged_at,
                "who": r.actor,
                "action": r.action,
                "status": f"{(before or {}).get('status', '–')} → {(after or {}).get('status')}",
                "total_usd": f"{(before or {}).get('total_usd', '–')} → "
                f"{(after or {}).get('total_usd')}",
                "plan before": _plan_text(before),
                "plan after": _plan_text(after),
                "comment": (after or {}).get("comment") or "",
            }
        )
    return pd.DataFrame(out)


def _plan_text(snap: dict[str, Any] | None) -> str:
    if not snap:
        return "–"
    return ", ".join(f"{i['country']} ${i['usd']:,.0f}" for i in snap.get("plan", []))


def can_approve(scope: Scope) -> bool:
    return bp.can_approve(services.store(), scope)


def submit(scope: Scope, **kwargs: Any) -> str | None:
    """Submit a plan for approval; the refusal message, or None on success."""
    return act(bp.submit, scope, **kwargs)


def decide(scope: Scope, proposal_id: int, decision: str, note: str | None) -> str | None:
    """Approve, reject or return a proposal; the refusal message, or None on success."""
    return act(bp.decide, scope, proposal_id, decision, note)


def resubmit(scope: Scope, proposal_id: int, **kwargs: Any) -> str | None:
    """Resubmit a returned proposal with a new plan; the refusal message, or None."""
    return act(bp.resubmit, scope, proposal_id, **kwargs)


def all_tracks(scope: Scope) -> pd.DataFrame:
    """Every modelled track in scope, ignoring the sidebar filters (for hand-offs)."""
    return tracks(scope, Filters())


def act(fn: Any, *args: Any, **kwargs: Any) -> str | None:
    """Run a workflow write; returns the refusal message, or None on success."""
    try:
        fn(services.store(), *args, **kwargs)
    except bp.ProposalError as exc:
        return str(exc)
    services.clear_caches()
    return None


def targeting(row: pd.Series) -> tuple[pd.DataFrame, str]:
    """CSV rows and JSON of an approved plan's targeting descriptions per territory."""
    plan = json.loads(row["plan"]) if isinstance(row["plan"], str) else row["plan"]
    items = [
        {
            "proposal_id": int(row["proposal_id"]),
            "isrc": row["isrc"],
            "goal": row["goal"],
            "country": i["country"],
            "budget_usd": i["usd"],
            "groups": "; ".join(i.get("groups", [])),
            "interests_artists": "; ".join(i.get("artists", [])),
            "interests_genres": "; ".join(i.get("genres", [])),
        }
        for i in plan
        if i.get("include", True)
    ]
    doc = {
        "proposal_id": int(row["proposal_id"]),
        "isrc": row["isrc"],
        "track": row["track_title"],
        "artist": row["artist_name"],
        "goal": row["goal"],
        "status": row["status"],
        "territories": [
            {
                "country": i["country"],
                "budget_usd": i["usd"],
                "groups": i.get("groups", []),
                "interests": {"artists": i.get("artists", []), "genres": i.get("genres", [])},
            }
            for i in plan
            if i.get("include", True)
        ],
    }
    return pd.DataFrame(items), json.dumps(doc, indent=2, ensure_ascii=False)


def scores_figure(result: budget_scoring.ScoreResult) -> Any:
    """Bar chart of S(T) per ranked territory, selected ones highlighted."""
    import plotly.graph_objects as go

    from app.charts import PALETTE
    from app.widgets import plot_text

    terr = result.territories
    fig = go.Figure(
        go.Bar(
            x=[plot_text(geo.country_name(t.country)) for t in terr],
            y=[t.score for t in terr],
            marker_color=[PALETTE[0] if t.selected else PALETTE[8] for t in terr],
            hovertemplate="%{x}: S(T) %{y:.2f}<extra></extra>",
        )
    )
    fig.update_layout(
        title=f"Territory score S(T) for the '{result.goal}' goal (purple: selected)",
        xaxis_title="Territory",
        yaxis_title="S(T) (log engagement units)",
        height=320,
        margin={"t": 50, "b": 40, "l": 60, "r": 10},
    )
    return fig
