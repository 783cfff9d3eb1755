"""The "budget" batch job: audience models per category of tracks, the campaign response
per territory, and the response curves (with plateaus and caps) fitted on the campaigns job's
per-campaign lifts (none when that job has not measured any).

Reads its inputs, fits them with analytics.budget.fit, and writes every result table plus
the model_runs row in one transaction (a failed run leaves the previous results intact).
"""

from __future__ import annotations

import time
from typing import Any

import pandas as pd

from analytics import budget
from analytics.campaigns import pooling
from analytics.campaigns import response as curves
from data.engine import map_groups_of
from data.progress import ProgressFn
from data.results import budget as bdata
from data.results import runs as model_runs
from data.store import Store


def run(store: Store, progress: ProgressFn) -> dict[str, Any]:
    started = time.perf_counter()
    cur = store.cursor()
    progress("reading group consumption", 0.0)
    cons = bdata.group_consumption(cur)
    genres = bdata.genres(cur)
    spl = bdata.streams_per_listener(cur)
    lifts = bdata.campaign_lifts(cur)
    base = bdata.track_country_base(cur)
    populations = bdata.populations(sorted(set(cons["country"]) | set(lifts["country"])))
    model = budget.fit(
        cons, genres, lifts, populations, progress=progress, map_groups=map_groups_of(store)
    )
    progress("fitting response curves", 0.95)
    response = _response_curves(
        bdata.campaign_lift(cur), bdata.market_cost(cur), list(model.territories["country"])
    )
    progress("writing results", 0.97)
    seconds = time.perf_counter() - started
    summary = model.summary() | {
        "response_territories": int((response["n_campaigns"] > 0).sum()) if len(response) else 0
    }
    params = (
        model.settings
        | {"window_weeks": bdata.WINDOW_WEEKS, "streams_per_listener": spl}
        | model.response
    )
    with store.transaction() as cur:
        bdata.replace_results(
            cur, model.models, model.assets, model.groups, model.territories, base
        )
        bdata.replace_response(cur, response)
        model_runs.record(
            cur,
            "budget",
            data_through=model_runs.data_through(cur),
            seconds=seconds,
            params=params,
            summary=summary,
        )
    progress("done", 1.0)
    return summary


def _response_curves(
    lift: pd.DataFrame, cost: dict[str, float], countries: list[str]
) -> pd.DataFrame:
    """territory_response rows from the measured lifts; empty when there are none (the page
    then says the caps come from reach only)."""
    usable = curves.prepare(lift) if len(lift) else lift
    if usable.empty:
        return pd.DataFrame(columns=curves.FRAME_COLS)
    # platforms that move nothing would drag every curve towards zero: fit on the others;
    # robust, so that a few lifts confounded by an unforeseen spike do not set a ceiling
    fit = curves.fit(pooling.shaping_lifts(lift, cost=cost), cost=cost, robust=True)
    return curves.to_frame(fit, countries, lift, float(lift["days"].median()))
