"""What the Alerts page's widgets mean: filter choices to query values, the inspected alert,
and the status buttons to a status change (with the message shown after the rerun)."""

from __future__ import annotations

from typing import NamedTuple

import pandas as pd

from app import state
from app.alerts import view
from data.scope import Scope

ALL_KINDS = "All kinds"
STATUS_CHOICES = ("Open", "Acknowledged", "Dismissed", "All")
FLASH = "alerts"


class StatusButton(NamedTuple):
    label: str
    key: str
    action: str  # the status it sets, or "reopen" (clears it)
    disabled_at: str  # the alert's current status at which the button does nothing


BUTTONS = (
    StatusButton("Acknowledge", "alerts_ack", "acknowledged", "acknowledged"),
    StatusButton("Dismiss", "alerts_dismiss", "dismissed", "dismissed"),
    StatusButton("Reopen", "alerts_reopen", "reopen", "open"),
)


def kind_choices() -> list[str]:
    return [ALL_KINDS, *view.KIND_LABELS.values()]


def kind_of(label: str) -> str | None:
    """The alert kind of a "Kind" choice (None: all kinds)."""
    return next((k for k, v in view.KIND_LABELS.items() if v == label), None)


def status_of(label: str) -> str | None:
    """The status filter of a "Status" choice (None: all)."""
    return None if label == "All" else label.lower()


def inspected(alerts: pd.DataFrame, key: str) -> pd.Series:
    """The feed row of the alert picked for inspection, its key included (the first when
    the key were ever listed twice: a row, never a frame, so its fields are values)."""
    return alerts[alerts.alert_key == key].iloc[0].copy()


def change_status(scope: Scope, key: str, action: str) -> str | None:
    """Apply a status button; returns the error to show, or None (the message for the
    next run is then queued)."""
    error = view.set_status(scope, key, None if action == "reopen" else action)
    if error is None:
        state.flash(FLASH, f"Alert {action}.")
    return error


def pop_message() -> str | None:
    """The message a status change left for this run, once."""
    return state.pop_flash(FLASH)
