"""A spike or drop dated on its cause playlist's step (analytics/alerts/onset.py): hand-made
slices with a known first day."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analytics.alerts import onset

START = pd.Timestamp("2026-03-01")
ADD = 15  # the playlist's first day (index)


def _slice(rng: np.random.Generator, days: int = 30, before: float = 1.0, after: float = 40.0):
    """A playlist slice: a stray stream or so a day before the add, ~40 a day from ADD."""
    level = np.where(np.arange(days) < ADD, before, after)
    return pd.date_range(START, periods=days), rng.poisson(level).astype(float)


def test_the_playlist_s_first_day_is_found_when_the_total_split_days_off():
    rng = np.random.default_rng(3)
    days, streams = _slice(rng)
    add = days[ADD]
    for off in (-3, -2, 2, 3):  # the total's date, off by up to SEARCH_DAYS
        got = onset.slice_onset(days, streams, add + pd.Timedelta(days=off), days[-1], up=True)
        assert got == add


def test_a_removal_is_dated_on_the_day_the_slice_stops():
    rng = np.random.default_rng(4)
    days, streams = _slice(rng, before=40.0, after=0.5)
    got = onset.slice_onset(days, streams, days[ADD + 2], days[-1], up=False)
    assert got == days[ADD]
    # the wrong way finds nothing: the slice fell, it did not rise
    assert onset.slice_onset(days, streams, days[ADD + 2], days[-1], up=True) is None


def test_no_date_the_data_had_not_shown_and_none_outside_the_search():
    rng = np.random.default_rng(5)
    days, streams = _slice(rng)
    # decided before the add: the slice's step was not yet data
    assert onset.slice_onset(days, streams, days[ADD - 3], days[ADD - 1], up=True) is None
    # the total's date 5 days off: beyond SEARCH_DAYS, the total's date stands
    assert onset.slice_onset(days, streams, days[ADD + 5], days[-1], up=True) is None


def test_a_flat_noisy_slice_moves_nothing():
    rng = np.random.default_rng(6)
    days = pd.date_range(START, periods=30)
    streams = rng.poisson(30.0, size=30).astype(float)
    assert onset.slice_onset(days, streams, days[ADD], days[-1], up=True) is None


def _alert(kind: str = "spike", dimension: str = "playlist_id", day: int = ADD + 2) -> dict:
    return {
        "alert_key": "T1|spike|x",
        "subject": "track",
        "isrc": "T1",
        "kind": kind,
        "event_date": (START + pd.Timedelta(days=day)).date(),
        "detected_on": (START + pd.Timedelta(days=29)).date(),
        "observed": 999.0,
        "expected": 100.0,
        "cause_dimension": dimension,
        "cause_value": "spotify:editorial:0077",
    }


def test_redate_moves_the_date_and_reads_observed_on_the_new_day():
    rng = np.random.default_rng(7)
    days, streams = _slice(rng)
    alerts = pd.DataFrame([_alert()])
    win = onset.slice_windows(alerts)
    assert (win.lo.iloc[0], win.hi.iloc[0]) == (
        (START + pd.Timedelta(days=ADD + 2 - onset.SEARCH_DAYS - onset.SIDE_DAYS)).date(),
        (START + pd.Timedelta(days=ADD + 2 + onset.SEARCH_DAYS + onset.SIDE_DAYS - 1)).date(),
    )
    total = 200.0 + streams  # the track's other streams: the slice is a fifth of them
    slices = pd.DataFrame(
        {"key": "T1|spike|x", "date": days, "streams": streams, "observed": total}
    )
    out = onset.redate(alerts, slices)
    assert out.event_date.iloc[0] == days[ADD].date()
    assert out.observed.iloc[0] == total[ADD]
    assert out.expected.iloc[0] == 100.0  # the level before the step is the forecast's


def test_a_playlist_that_is_the_whole_track_keeps_the_total_s_date():
    # a track that lives on one playlist: the slice is the total, nothing sharper to date on
    rng = np.random.default_rng(8)
    days, streams = _slice(rng)
    alerts = pd.DataFrame([_alert()])
    slices = pd.DataFrame(
        {"key": "T1|spike|x", "date": days, "streams": streams, "observed": streams}
    )
    out = onset.redate(alerts, slices)
    assert out.event_date.iloc[0] == alerts.event_date.iloc[0]


def test_only_track_spikes_and_drops_put_on_a_playlist_are_read():
    rows = [
        _alert(),
        _alert(kind="growth"),
        _alert(dimension="source"),  # search, radio: under every track all the time
        _alert(dimension="context"),
        {**_alert(), "subject": "artist", "isrc": None},
        {**_alert(), "cause_dimension": None, "cause_value": None},
    ]
    win = onset.slice_windows(pd.DataFrame(rows))
    assert list(win.playlist_id) == ["spotify:editorial:0077"] and len(win) == 1
