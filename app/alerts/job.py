"""Batch job "alerts": change detection, attribution and growth potential for every track
and artist, persisted for the Alerts page and the CLI."""

from __future__ import annotations

import time
from typing import Any

import duckdb

from analytics import alerts as alerts_model
from analytics.alerts import events as alert_events
from data.progress import ProgressFn
from data.results import alerts as alerts_results
from data.results import runs as model_runs
from data.store import Store
from data.vocab import ACTIVE_SOURCES


def read_inputs(store: Store, refit: bool = False) -> alerts_model.AlertsInputs:
    """What the model needs up front; the last run's state only when it may be continued
    (refit=True forces a full run)."""
    totals, repeats, catalog = alerts_results.daily_streams(store.cursor())
    last = None if refit else model_runs.latest(store, "alerts")
    previous = None
    if last is not None:
        state = alerts_results.read_filter_state(store)
        previous = alerts_model.Previous(last.params, last.data_through, state)
    cur = store.cursor()
    floors = alerts_results.chart_floors(cur)
    countries = alerts_results.chart_country_streams(cur)
    return alerts_model.AlertsInputs(
        totals, repeats, catalog, ACTIVE_SOURCES, previous, floors=floors, country_rows=countries
    )


def _summary(model: alerts_model.AlertsModel) -> dict[str, Any]:
    if model.note is not None:
        return {"alerts": 0, "note": model.note}
    alerts = model.alerts
    return {
        "mode": model.mode,
        "days_filtered": model.days_filtered,
        "new_alerts": len(alerts),
        "kinds": alerts.kind.value_counts().to_dict() if not alerts.empty else {},
        "opportunities": int(alerts.opportunity.sum()) if not alerts.empty else 0,
        "monitored_tracks": model.monitored_tracks,
    }


def write_events(tx: duckdb.DuckDBPyConnection) -> int:
    """Regroup every saved alert into events (an online run's new alerts join the earlier
    ones) inside the caller's transaction; returns how many events there are."""
    alerts, catalog = alerts_results.event_inputs(tx)
    active = alerts_results.active_artists(tx)
    events, members = alert_events.group_events(alerts, catalog, active_artists=active)
    alerts_results.replace_events(tx, events, members)
    return len(events)


def run(store: Store, progress: ProgressFn, refit: bool = False) -> dict[str, Any]:
    """Detect and save. refit=True forces a full run (hyperparameters refitted, history
    refiltered) even when the saved state could simply be continued."""
    started = time.perf_counter()
    progress("reading daily series", 0.02)
    inputs = read_inputs(store, refit)
    reads = alerts_results.JobReads(store.cursor())
    model = alerts_model.fit(inputs, reads, progress=progress)
    summary = _summary(model)
    recorded = summary
    progress("saving", 0.95)
    with store.transaction() as tx:
        online = model.mode == "online"
        alerts_results.replace_results(tx, model.alerts, model.bands, model.state, append=online)
        n_events = write_events(tx)
        if model.note is None:
            summary["alerts"] = alerts_results.count_alerts(tx)
            summary["events"] = n_events
            recorded = summary | {"tracks": model.tracks, "artists": model.artists}
        model_runs.record(
            tx,
            "alerts",
            data_through=model.data_through,
            seconds=time.perf_counter() - started,
            params=model.params,
            summary=recorded,
        )
    return summary
