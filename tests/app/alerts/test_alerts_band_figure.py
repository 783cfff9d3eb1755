"""The Alerts page's band chart on a chart track with days off the chart: no band and no
expected line drawn across the gap, one legend entry per band."""

from __future__ import annotations

import pandas as pd

from app.alerts.view import band_figure, band_note

DAYS = pd.date_range("2026-01-01", periods=40)
GAP = DAYS[10:20]  # off the chart: the job stores no band there


def _band() -> pd.DataFrame:
    b = pd.DataFrame(
        {
            "date": DAYS.date,
            "observed": 100.0,
            "expected": 100.0,
            "lo80": 90.0,
            "hi80": 110.0,
            "lo95": 80.0,
            "hi95": 120.0,
            "is_forecast": False,
        }
    )
    return b[~DAYS.isin(GAP)]


def _row() -> pd.Series:
    return pd.Series(
        {
            "event_date": DAYS[25].date(),
            "detected_on": DAYS[27].date(),
            "kind": "spike",
            "track_title": "Song",
            "artist_name": "Artist",
            "subject": "track",
        }
    )


def test_nothing_is_drawn_across_days_off_the_chart():
    fig = band_figure(_band(), _row())
    for trace in fig.data:
        if trace.name == "observed":
            continue
        xs = [pd.Timestamp(x) for x in trace.x if x is not None]
        # no point inside the gap, and no run spans it: every run is on one side
        assert not any(x in GAP for x in xs)
        if "interval" in trace.name:
            assert max(xs) < GAP[0] or min(xs) > GAP[-1]
    line = next(t for t in fig.data if t.name.startswith("expected"))
    assert None in list(line.y)  # the line breaks at the gap
    names = [t.name for t in fig.data if t.showlegend is not False]
    assert len(names) == len(set(names))


def test_a_series_first_days_show_streams_without_a_band():
    """The job stores no band on a series' first days (analytics.alerts.bands): the chart
    draws their observed streams, no band or expected line there, and says why."""
    b = _band().copy()
    first = pd.to_datetime(b.date) < DAYS[5]
    b.loc[first, ["expected", "lo80", "hi80", "lo95", "hi95"]] = float("nan")
    fig = band_figure(b, _row())
    observed = next(t for t in fig.data if t.name == "observed")
    assert len(observed.x) == len(b)  # every day's streams
    for trace in fig.data:
        if trace.name != "observed":
            assert all(pd.Timestamp(x) >= DAYS[5] for x in trace.x if x is not None)
            assert not any(pd.isna(y) for y in trace.y if y is not None)
    assert "No band on 5 of the series' days" in band_note(b)
    assert band_note(_band()) == ""


def test_a_series_of_two_days_is_drawn_on_a_day_axis():
    """A release's first two days (no band yet): the axis spans two weeks with a tick per
    day, not the two days' 24 hours."""
    b = _band().iloc[:2].copy()
    b[["expected", "lo80", "hi80", "lo95", "hi95"]] = float("nan")
    row = _row()
    row["event_date"] = row["detected_on"] = DAYS[0].date()
    fig = band_figure(b, row)
    lo, hi = (pd.Timestamp(x) for x in fig.layout.xaxis.range)
    assert (hi - lo).days == 15 and fig.layout.xaxis.dtick == 86_400_000
    assert band_figure(_band(), _row()).layout.xaxis.range is None  # 40 days: as they are
