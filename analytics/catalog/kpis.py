"""Period-over-period KPI arithmetic for the dashboard cards (pure, no I/O)."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Change:
    """A value for the current period against the previous period of equal length.

    `pct` is the relative change (0.25 = +25 %), None when there is no previous value
    to compare with (previous missing or zero) or the current value is unknown.
    """

    current: float | None
    previous: float | None
    pct: float | None

    @property
    def comparable(self) -> bool:
        return self.pct is not None


def previous_period(date_from: dt.date, date_to: dt.date) -> tuple[dt.date, dt.date]:
    """The period of equal length that ends the day before `date_from` (inclusive bounds).

    >>> previous_period(dt.date(2025, 3, 1), dt.date(2025, 3, 10))
    (datetime.date(2025, 2, 19), datetime.date(2025, 2, 28))
    """
    if date_to < date_from:
        raise ValueError("date_to is before date_from")
    length = (date_to - date_from).days + 1
    prev_to = date_from - dt.timedelta(days=1)
    return prev_to - dt.timedelta(days=length - 1), prev_to


def pct_change(current: float | None, previous: float | None) -> float | None:
    """(current - previous) / previous, or None when it is not defined."""
    if current is None or previous is None:
        return None
    if _missing(current) or _missing(previous) or previous == 0:
        return None
    return (float(current) - float(previous)) / float(previous)


def compare(current: float | None, previous: float | None) -> Change:
    return Change(current, previous, pct_change(current, previous))


def share(part: float | None, whole: float | None) -> float | None:
    """part / whole, or None when whole is zero or unknown."""
    if part is None or whole is None or _missing(part) or _missing(whole) or whole == 0:
        return None
    return float(part) / float(whole)


def default_window(
    data_min: dt.date | None, data_max: dt.date | None, days: int = 90
) -> tuple[dt.date, dt.date] | None:
    """The last `days` days of data (clamped to the first day), or None without data."""
    if data_min is None or data_max is None:
        return None
    start = max(data_min, data_max - dt.timedelta(days=days - 1))
    return start, data_max


def format_pct(pct: float | None) -> str | None:
    """'+12.5 %' style text for a delta, None when not comparable."""
    if pct is None:
        return None
    return f"{pct * 100:+.1f} %"


def _missing(value: float) -> bool:
    try:
        return math.isnan(float(value))
    except (TypeError, ValueError):
        return True
