"""The "budget" batch job: audience models per category of tracks and the campaign response
per territory.

Reads its inputs, fits them with analytics.budget.fit, and writes every result table plus
the model_runs row in one transaction (a failed run leaves the previous results intact).
"""

from __future__ import annotations

import time
from typing import Any

from analytics import budget
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
    model = budget.fit(cons, genres, lifts, populations, progress=progress)
    progress("writing results", 0.97)
    seconds = time.perf_counter() - started
    summary = model.summary()
    params = (
        model.settings
        | {"window_weeks": bdata.WINDOW_WEEKS, "streams_per_listener": spl}
        | model.response
    )
    with store.transaction() as cur:
        bdata.replace_results(
            cur, model.models, model.assets, model.groups, model.territories, base
        )
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
