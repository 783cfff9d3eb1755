"""The Alerts page's choices and picked alert, without a page run."""

from __future__ import annotations

import pandas as pd

from app.alerts import state as alert_state


def test_choices_map_to_query_values():
    assert alert_state.kind_choices()[0] == "All kinds"
    assert alert_state.kind_of("All kinds") is None
    assert alert_state.kind_of("Growth (sustained rise)") == "growth"
    assert alert_state.status_of("All") is None
    assert alert_state.status_of("Acknowledged") == "acknowledged"
    assert [alert_state.status_of(c) for c in alert_state.STATUS_CHOICES] == [
        "open",
        "acknowledged",
        "dismissed",
        None,
    ]


def test_buttons_are_disabled_at_the_status_they_set():
    by_label = {b.label: b for b in alert_state.BUTTONS}
    assert by_label["Acknowledge"].disabled_at == by_label["Acknowledge"].action
    assert (by_label["Reopen"].action, by_label["Reopen"].disabled_at) == ("reopen", "open")


def test_inspected_row_keeps_its_key():
    feed = pd.DataFrame({"alert_key": ["a|spike|d", "b|drop|d"], "kind": ["spike", "drop"]})
    row = alert_state.inspected(feed, "b|drop|d")
    assert (row.kind, row.alert_key) == ("drop", "b|drop|d")
