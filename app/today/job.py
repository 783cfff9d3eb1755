"""Batch job "today": rank the opportunities across the catalogue for the Today page.

Runs last (app/features.py): it reads what the other jobs persisted (response curves,
potential streams, removals and releases among the alerts, forecasts, fan mixes, campaign
uplift), ranks them with analytics.today.fit and writes the ranking and its model_runs row in
one transaction. The page only reads the ranking: nothing is fitted on page load."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import replace
from typing import Any

from analytics import today as model
from app import geo
from data.progress import ProgressFn
from data.results import runs as model_runs
from data.results import today as tdata
from data.store import Store


def read_inputs(store: Store) -> tuple[model.TodayInputs, dt.date | None]:
    """What the ranking reads (the other jobs' results) and the data's last day."""
    cur = store.cursor()
    last, days = tdata.data_span(cur)
    # No data yet (a fresh store): nothing recent to read, and date.min has no days before it.
    since = dt.date.min if last is None else last - dt.timedelta(days=tdata.RECENT_DAYS - 1)
    inputs = model.TodayInputs(
        response=tdata.response(cur),
        potential=tdata.potential(cur),
        track_country=tdata.track_country(cur),
        catalog=tdata.catalog(cur),
        removals=tdata.removals(cur, since),
        releases=tdata.releases(cur, since),
        forecast=tdata.forecast(cur),
        passive=tdata.passive(cur),
        uplift=tdata.uplift(cur),
        data_days=days,
        min_spend_usd=tdata.min_campaign_spend(cur),
    )
    names = set(inputs.potential["country"]) | set(inputs.track_country["country"])
    return replace(inputs, country_names={c: geo.country_name(c) for c in names}), last


def run(store: Store, progress: ProgressFn, **_options: Any) -> dict[str, Any]:
    started = time.perf_counter()
    progress("reading the other models' results", 0.0)
    inputs, last = read_inputs(store)
    progress("ranking opportunities", 0.5)
    fitted = model.fit(inputs)
    summary = fitted.summary()
    progress("writing the ranking", 0.9)
    with store.transaction() as tx:
        run_id = model_runs.record(
            tx,
            "today",
            data_through=last,
            seconds=time.perf_counter() - started,
            params={"recent_days": tdata.RECENT_DAYS, "window_days": fitted.window_days},
            summary=summary,
        )
        tdata.replace(tx, run_id, fitted.opportunities)
    progress("done", 1.0)
    return summary
