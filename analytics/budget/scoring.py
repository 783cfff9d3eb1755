"""Online scoring of one track on the persisted audience model (no fitting, no Streamlit).

Shared by the CLI (`labelradar budget`) and the Territory budgets page: look-up or fold-in,
Delta classes, goal scores, S(T), interests, then each territory's response curve, cap and
expected streams per USD.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from analytics.budget import audience as aud
from analytics.budget import caps as bc
from analytics.budget.inputs import ModelInputs
from analytics.campaigns import response as rc

TOP_TERRITORIES = 10
POTENTIAL_MAX = 10.0
CAMPAIGN_DAYS = 28
# Share of the people in the selected groups an ad platform can target for a music campaign
# (an assumption standing in for the platforms' reach APIs; see docs/features/budget.md).
REACHABLE = 0.05
# Contributing assets considered per territory: genres come from the top GENRE_ASSETS, artists
# from the best that may be shown (the user's own labels), at most MAX_ARTISTS.
INTEREST_CANDIDATES, GENRE_ASSETS, MAX_ARTISTS = 30, 5, 3


@dataclass
class TerritoryPlan:
    country: str
    score: float
    selected: bool
    rank: int
    groups: list[str]
    interests: list[str]
    artists: list[str]
    genres: list[str]
    cap_usd: float
    expected_streams_per_usd: float
    response: bc.TerritoryResponse
    why: str
    top_score: float = float("nan")  # E* of its best group: the selection rule reads it

    def as_json(self) -> dict[str, Any]:
        return {
            "country": self.country,
            "score": round(self.score, 4),
            "rank": self.rank,
            "selected": self.selected,
            "groups": self.groups,
            "interests": self.interests,
            "cap_usd": round(self.cap_usd, 2),
            "expected_streams_per_usd": round(self.expected_streams_per_usd, 4),
        }


@dataclass
class ScoreResult:
    isrc: str
    goal: str
    folded_in: bool
    category: int
    territories: list[TerritoryPlan] = field(default_factory=list)
    # Response curves from measured campaign lifts (empty without any) and the track's
    # counterfactual streams per territory over the curves' campaign window.
    curves: dict[str, rc.Curve] = field(default_factory=dict)
    curve_base: dict[str, float] = field(default_factory=dict)


def score(
    inputs: ModelInputs,
    goal: str,
    *,
    artist_of: dict[str, str],
    own_artist: str | None,
    params: dict[str, Any],
    rho: float = aud.DEFAULT_RHO,
    kappa_share: float = aud.DEFAULT_KAPPA_SHARE,
    multiple: float = bc.DEFAULT_MULTIPLE,
    top: int = TOP_TERRITORIES,
    include: tuple[str, ...] = (),
) -> ScoreResult:
    """Ranked territories for `inputs.isrc` and `goal`.

    `artist_of` maps model assets' ISRCs to artist names that may be shown (the caller
    filters it to the user's scope); `params` is the budget job's model_runs params.
    """
    g = inputs.groups
    countries = g["country"].to_numpy()
    weights = g["weight"].to_numpy(float)
    res = aud.audience(
        inputs.e,
        inputs.x,
        inputs.y,
        inputs.lam,
        countries,
        weights,
        goal,
        i0=inputs.row_idx if inputs.in_model else None,
        e_row=None if inputs.in_model else inputs.e_row,
        rho=rho,
        kappa_share=kappa_share,
        top_territories=top,
        top_interests=INTEREST_CANDIDATES,
        include=include,
    )
    pricing = _Pricing.of(inputs, params, res)
    group_labels = (g["gender"] + " " + g["age_band"] + " " + g["subscription"]).to_numpy()
    isrcs = inputs.assets["isrc"].to_numpy()
    genres_all = inputs.assets["genre"].to_numpy()
    responses, rows = [], []
    for t in res.territories:
        cols = np.asarray(t.groups)
        response, hist = pricing.response(t.country, cols)
        responses.append(response)
        picks = [i for i, _ in res.interests.get(t.country, []) if i < len(isrcs)]
        artists, genres = _interests(picks, isrcs, genres_all, artist_of, own_artist)
        n_goal = int((res.classes[cols] == aud.GOAL_CLASS[goal]).sum())
        why = (
            f"{n_goal} of its {len(cols)} top groups are in the '{goal}' class "
            f"(Delta = predicted - actual engagement); model {'fold-in' if res.folded_in else 'look-up'}"
            f"; {hist}."
        )
        rows.append((t, list(group_labels[cols]), artists, genres, why))
    limits = bc.caps(responses, multiple=multiple)
    out = ScoreResult(inputs.isrc, goal, res.folded_in, inputs.category)
    out.curves, out.curve_base = curve_inputs(inputs)
    for (t, labels, artists, genres, why), r in zip(rows, responses, strict=True):
        cap = limits[r.country]
        per_usd = r.expected(cap) / cap if cap > 0 else 0.0
        curve = out.curves.get(r.country)
        if curve is not None:
            # the measured curve sets the cap (its plateau), still bounded by reach
            cap = min(curve.plateau_usd, r.reach_limit())
            gain = out.curve_base.get(r.country, 0.0) * float(curve.uplift(cap))
            per_usd = gain / cap if cap > 0 else 0.0
            source = (
                f"{curve.n_campaigns} measured campaigns here"
                if curve.n_campaigns
                else "no measured campaigns here: the all-territory curve"
            )
            why = f"{why[:-1]}; cap at the response curve's plateau ({source})."
        out.territories.append(
            TerritoryPlan(
                country=t.country,
                score=t.score,
                selected=t.selected,
                rank=t.rank,
                groups=labels,
                interests=artists + [f"genre: {gn}" for gn in genres],
                artists=artists,
                genres=genres,
                cap_usd=cap,
                expected_streams_per_usd=per_usd if math.isfinite(per_usd) else 0.0,
                response=r,
                why=why,
                top_score=t.top_score,
            )
        )
    return out


def curve_inputs(inputs: ModelInputs) -> tuple[dict[str, rc.Curve], dict[str, float]]:
    """The persisted response curves and the track's streams per territory over their
    campaign window (its last 28 days' streams scaled to the window)."""
    if inputs.response is None or inputs.response.empty:
        return {}, {}
    window = float(inputs.response["window_days"].iloc[0])
    base = {
        c: float(v) * window / 28.0
        for c, v in zip(inputs.base["country"], inputs.base["streams_28d"], strict=True)
    }
    return rc.from_frame(inputs.response), base


def _interests(
    picks: list[int],
    isrcs: np.ndarray,
    genres: np.ndarray,
    artist_of: dict[str, str],
    own_artist: str | None,
) -> tuple[list[str], list[str]]:
    """(artists, genres) of the contributing assets `picks` (model rows, best first), each
    once: only artists the reader may see and never the track's own; a fold-in track's own
    row (past the model's assets) names nothing."""
    artists = dict.fromkeys(
        artist_of[isrcs[i]]
        for i in picks
        if isrcs[i] in artist_of and artist_of[isrcs[i]] != own_artist
    )
    return list(artists), list(dict.fromkeys(str(genres[i]) for i in picks if genres[i]))


@dataclass(frozen=True)
class _Pricing:
    """What prices spend in a territory: its fitted cost and response (or the all-territory
    figures), the track's streams there and the reach of the chosen groups."""

    territories: dict[str, dict[str, Any]]
    base: dict[str, float]
    countries: np.ndarray
    weights: np.ndarray
    e: np.ndarray  # the track's actual engagement (model scale)
    best: np.ndarray  # max(predicted, actual) engagement
    streams_per_listener: float
    uplift_all: float
    cost_per_result_all: float
    scale_a: float
    scale_b: float

    @classmethod
    def of(cls, inputs: ModelInputs, params: dict[str, Any], res: aud.Audience) -> _Pricing:
        g = inputs.groups
        # plain dicts and arrays: pandas indexing per territory was most of a request's time
        return cls(
            territories=inputs.territories.set_index("country").to_dict("index"),
            base=dict(zip(inputs.base["country"], inputs.base["streams_28d"], strict=True)),
            countries=g["country"].to_numpy(),
            weights=g["weight"].to_numpy(float),
            e=res.e,
            best=np.maximum(res.ehat, res.e),
            streams_per_listener=float(params.get("streams_per_listener") or 1.0),
            uplift_all=float(params.get("uplift_all") or 0.0),
            cost_per_result_all=float(params.get("cost_per_result_all") or 0.01),
            scale_a=float(params.get("scale_a") or 0.0),
            scale_b=float(params.get("scale_b") or 0.0),
        )

    def response(self, country: str, cols: np.ndarray) -> tuple[bc.TerritoryResponse, str]:
        """The territory's response curve for the groups `cols`, and where its figures
        come from (for the 'why' text)."""
        actual = np.expm1(np.clip(self.e[cols], 0, None)).sum()
        potential = np.expm1(np.clip(self.best[cols], 0, None)).sum()
        factor = min(POTENTIAL_MAX, potential / actual) if actual > 0 else 1.0
        b_t = float(self.base.get(country, 0.0) or 0.0) * max(1.0, factor) * CAMPAIGN_DAYS / 28
        r = self.territories.get(country)
        if r is not None and int(r["campaigns"]) > 0:
            cpr, u, s = float(r["cost_per_result"]), float(r["uplift"]), float(r["spend_scale"])
            hist = f"cost and response from {int(r['campaigns'])} past campaigns here"
        else:
            cpr, u = self.cost_per_result_all, self.uplift_all
            s = max(self.scale_a * cpr + self.scale_b, 1.0)
            hist = "no past campaigns here: all-territory cost and response"
        pop = None if r is None else r.get("population")
        population = float(pop) if pop is not None and pd.notna(pop) else None
        in_t = self.weights[self.countries == country].sum()
        share = float(self.weights[cols].sum() / in_t) if in_t > 0 else 0.0
        # reach: people in the selected groups (census population x their share of the
        # territory's listening); without a population, the groups' current listeners
        audience = (
            population * share * REACHABLE
            if population
            else float(self.weights[cols].sum()) / self.streams_per_listener
        )
        return bc.TerritoryResponse(country, b_t, u, s, cpr, audience), hist
