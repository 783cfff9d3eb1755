"""The ranking against the tiny demo world's planted truth (SYNTHETIC): push rows are priced
as the budget page prices the plan they link to, and the planted playlist removal that
detection found ranks about where Today's ranking puts it with the planted curves and
groups' uplift. (Precision@10 on demo-size worlds, where every kind
of planted structure is large enough to recover, is in bench/today_precision.py.)"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analytics import today as today_model
from analytics.today import TodayInputs
from analytics.today import candidates as cand
from app.budget import response, territories
from app.today.job import read_inputs
from data.queries import budget as budget_queries
from data.queries import operator_scope
from data.results import runs as model_runs
from data.store import open_store
from data.synth import opportunities as planted


def _ranking(demo_db: Path) -> pd.DataFrame:
    with open_store(demo_db, read_only=True) as store:
        return (
            store.cursor()
            .execute("SELECT * FROM today_opportunities ORDER BY rank")
            .df()
            .replace({float("nan"): None})
        )


def test_push_rows_are_priced_like_the_budget_page(demo_db: Path) -> None:
    """A push row's expected streams are what Territory budgets expects for the same spend on
    the same track in the same territory: the response curves are lifts over the campaign
    track's own streams there. (They were priced on the similar artists' streams, 2-10x
    the budget page's figure for the very plan the row links to.) The candidate rule still
    finds the planted under-served territories."""
    with open_store(demo_db, read_only=True) as store:
        truth = planted.read(Path(store.get_meta("demo_files")) / "ground_truth")
    ranked = _ranking(demo_db)
    ranked["planted"] = truth.flags(ranked)
    push = ranked[ranked.action == "push"]
    assert len(push) >= 3 and push.planted.sum() >= 3, push
    uncapped = push[push.expected_streams < push.at_stake * (1 - 1e-6)]
    assert len(uncapped) >= 3
    with open_store(demo_db, read_only=True) as store:
        run = model_runs.latest(store, "budget")
        scope = operator_scope(store)
        for r in uncapped.head(5).itertuples():
            result = territories.rank(
                budget_queries.budget_inputs(store, scope, r.isrc), "expand", run.params
            )
            # the page's "Extra streams expected" for this spend: the curve in streams
            curve, base = result.curves[r.territory], result.curve_base[r.territory]
            expected = base * float(curve.uplift(r.cost_usd))
            assert r.expected_streams == pytest.approx(expected, rel=1e-6), (r.isrc, r.territory)
            # and the plan's median over the curve's draws is close to it
            p50, _, _ = response.outcome(result, {r.territory: r.cost_usd}).total
            assert r.expected_streams == pytest.approx(p50, rel=0.1)


def _removal_rank(ranked: pd.DataFrame, truth: planted.PlantedOpportunities) -> int:
    flags = pd.Series(truth.flags(ranked.replace({float("nan"): None})), index=ranked.index)
    removals = ranked[(ranked.action == "sustain") & flags]
    assert len(removals) >= 1  # detection found the planted removal
    return int(removals["rank"].min())


def _perfect_knowledge(inputs: TodayInputs, files: Path, monkeypatch) -> pd.DataFrame:
    """Today's ranking of the same candidates with the planted response curves (every
    draw at the planted point) and each label's planted uplift per audience group (true
    incremental over baseline streams, over the label's campaigns) instead of the fitted."""
    truth = files / "ground_truth"
    curves = pd.read_csv(truth / "country_response.csv").set_index("country")
    resp = inputs.response[inputs.response.country.isin(curves.index)].copy()
    for col, name in (("ceiling", "ceiling"), ("half_saturation_usd", "k"), ("hill", "hill")):
        values = curves.loc[resp.country, col].to_numpy()
        resp[col] = values
        resp[f"{name}_draws"] = [
            np.full(len(d), v) for d, v in zip(resp[f"{name}_draws"], values, strict=True)
        ]
    seg = pd.read_csv(truth / "segment_uplift.csv").merge(inputs.catalog[["isrc", "label"]])
    keys = ["label", "age_band", "gender", "subscription"]
    g = seg.groupby(keys, as_index=False).agg(
        n=("campaign_id", "nunique"),
        baseline=("baseline_streams", "sum"),
        incremental=("true_incremental_streams", "sum"),
    )
    g["uplift"] = g["incremental"] / g["baseline"]
    g["share"] = g["baseline"] / g.groupby("label")["baseline"].transform("sum")
    monkeypatch.setattr(cand, "segments", lambda _uplift: g)
    return today_model.fit(replace(inputs, response=resp)).opportunities


def test_planted_removal_ranks_where_perfect_knowledge_puts_it(demo_db: Path, monkeypatch) -> None:
    """The planted removal detection found (a drop on a track the world took off an
    editorial playlist) ranks no lower than Today's own ranking puts it when the curves and
    the groups' uplift are the planted ones, two places allowed for estimation.

    Was: "in the first ten". That was a known answer of the old planted world only: there
    the removal ranked 8th (perfect knowledge: 10th), riding on a US curve fitted at a
    plateau of $741 against the planted $14,667. Since the generator plans campaigns market
    by market (s7-camp) the fitted US curve is close to the planted one (plateau $9,849) and
    perfect knowledge ranks the removal 14th: six recent releases promoted in the US (their
    forecast streams exceed the removal's capped loss), a playlist add's end on another
    track, four planted groups to re-engage and two pushes pay more per dollar. No ranking can put it in
    the first ten on this world. Measured: 12th (with the fitted curves and the planted
    group uplift 13th). Before the pooled segment multipliers gave no weight to a unit whose
    peer growth is at its bound it was 20th: the two labels' chosen groups scored 0.84 and
    0.87 (planted 0.43 and 0.23) and seven more re-engage rows came ahead of the removal;
    now the chosen groups are the planted best, scored 0.34 and 0.32 (planted 0.43 and
    0.31)."""
    with open_store(demo_db, read_only=True) as store:
        files = Path(store.get_meta("demo_files"))
        inputs, _ = read_inputs(store)
    truth = planted.read(files / "ground_truth")
    got = _removal_rank(_ranking(demo_db), truth)
    best = _removal_rank(_perfect_knowledge(inputs, files, monkeypatch), truth)
    assert got <= best + 2, (got, best)
