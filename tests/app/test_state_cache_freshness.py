"""Cached answers that join workflow state follow another app instance's writes at the next
rerun: the state changes without a new published version, so the analytics version alone
cannot key them (tiny SYNTHETIC demo store)."""

from __future__ import annotations

import inspect
from pathlib import Path

from app import services
from data import queries
from data.backup import copy_store
from data.queries import alerts as alert_queries
from data.scope import Scope
from data.store import open_store
from data.workflow import alerts as alert_workflow


def _admin(db: Path) -> Scope:
    with open_store(db, read_only=True, create=False) as store:
        return queries.operator_scope(store)


def test_another_instances_status_change_shows_at_the_next_query(
    demo_db: Path, tmp_path, monkeypatch
):
    db = copy_store(demo_db, tmp_path / "store.duckdb")
    monkeypatch.setenv("LABELRADAR_DB", str(db))
    services.clear_caches()
    scope = _admin(db)
    feed = services.query(alert_queries.alerts_feed, scope)
    assert not feed.empty and set(feed["status"]) == {"open"}
    key = feed["alert_key"].iloc[0]

    # Another instance: its own store handle, and this process's caches are NOT cleared.
    with open_store(db, read_only=True, create=False) as other:
        alert_workflow.set_status(other, scope, key, "acknowledged")

    again = services.query(alert_queries.alerts_feed, scope)
    assert again.set_index("alert_key").loc[key, "status"] == "acknowledged"
    # Queries that do not join state keep their cache entry across state writes.
    assert not queries.reads_state(alert_queries.alert_band_track)


def test_every_query_that_joins_state_is_marked():
    unmarked = [
        name
        for name, fn in queries.all_queries().items()
        if "state=(" in inspect.getsource(fn) and not queries.reads_state(fn)
    ]
    assert unmarked == []
    assert queries.reads_state(alert_queries.events_feed)
