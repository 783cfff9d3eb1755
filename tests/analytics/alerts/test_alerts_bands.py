"""The alert band on chart data: no band on a censored series' unlisted days, no forecast
for one off the chart on the last day; a complete delivery's gap keeps its band."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analytics.alerts.bands import BAND_COLUMNS, HORIZON, MAX_BAND_SPAN, bands
from analytics.alerts.detect import DetectConfig, detect, fit_hyper
from analytics.alerts.series import Series

DAYS = 150


def _series() -> Series:
    rng = np.random.default_rng(2)
    counts = rng.poisson(800.0, size=(3, DAYS)).astype(float)
    counts[1, 60:95] = np.nan  # off the chart for five weeks, then back
    counts[2, 60:95] = np.nan
    counts[2, -10:] = np.nan  # off the chart at the end
    ids = np.array(["T0", "T1", "T2"], dtype=object)
    labels = np.array(["L"] * 3, dtype=object)
    return Series(ids, pd.date_range("2026-01-01", periods=DAYS), counts, counts.copy(), labels)


def _bands(censored: np.ndarray | None) -> pd.DataFrame:
    s = _series()
    hp, _ = fit_hyper(s.counts)
    det = detect(s.counts, hp, DetectConfig())
    assert det.monitored.all()
    return bands("track", s, det, hp, censored)


def test_a_chart_series_has_a_band_on_its_listed_days_only():
    b = _bands(np.array([False, True, True]))
    hist = b[~b.is_forecast]
    per = hist.groupby("subject_id").size()
    assert per.to_dict() == {"T0": DAYS, "T1": DAYS - 35, "T2": DAYS - 45}
    assert hist.observed.notna().all()
    ahead = b[b.is_forecast].groupby("subject_id").size()
    assert ahead.to_dict() == {"T0": HORIZON, "T1": HORIZON}  # T2 left the chart


def test_a_complete_delivery_s_gap_keeps_its_band_and_forecast():
    b = _bands(None)
    assert b[~b.is_forecast].groupby("subject_id").size().to_dict() == {
        "T0": DAYS,
        "T1": DAYS,
        "T2": DAYS,
    }
    assert b[b.is_forecast].groupby("subject_id").size().eq(HORIZON).all()


def test_no_band_value_is_below_no_streams():
    # a fall carried over a long gap of a complete delivery: the log-scale mean runs below 0
    rng = np.random.default_rng(3)
    level = np.r_[np.full(60, 3000.0), 3000 * 0.85 ** np.arange(1, 41)]
    counts = np.full((2, 200), np.nan)
    counts[0] = rng.poisson(800.0, size=200)
    counts[1, :100] = rng.poisson(level)
    counts[counts == 0] = np.nan
    s = Series(
        np.array(["T0", "T1"], dtype=object),
        pd.date_range("2026-01-01", periods=200),
        counts,
        counts.copy(),
        np.array(["L", "L"], dtype=object),
    )
    hp, _ = fit_hyper(s.counts)
    det = detect(s.counts, hp, DetectConfig())
    assert np.nanmin(det.output.pred_mean[1]) < 0  # fewer than no streams, on the log scale
    b = bands("track", s, det, hp)
    cols = ["expected", "lo80", "hi80", "lo95", "hi95"]
    b = b[b.expected.notna()]  # the first days' vague band is not written (test below)
    assert (b[cols] >= 0).all().all()
    assert ((b.lo95 <= b.lo80) & (b.lo80 <= b.expected) & (b.expected <= b.hi80)).all()
    assert (b.hi80 <= b.hi95).all()


def test_a_new_series_gets_a_band_once_the_filter_has_learnt_its_level():
    """A release entering on day 120 of 150 and one entering 3 days before the end: on
    their first days the filter's prior is diffuse (an 80 % band spanning up to 1e14-fold
    on the real US chart), so no band is written there and no forecast from 3 days; the
    established series and the release after its first week have both."""
    rng = np.random.default_rng(4)
    counts = np.full((3, DAYS), np.nan)
    counts[0] = rng.poisson(800.0, size=DAYS)
    counts[1, 120:] = rng.poisson(20_000.0, size=DAYS - 120)
    counts[2, -3:] = rng.poisson(20_000.0, size=3)
    s = Series(
        np.array(["T0", "T1", "T2"], dtype=object),
        pd.date_range("2026-01-01", periods=DAYS),
        counts,
        counts.copy(),
        np.array(["L"] * 3, dtype=object),
    )
    hp, _ = fit_hyper(s.counts)
    det = detect(s.counts, hp, DetectConfig())
    b = bands("track", s, det, hp, np.ones(3, dtype=bool))
    hist = b[~b.is_forecast]
    assert hist.groupby("subject_id")["observed"].count().to_dict() == {
        "T0": DAYS,
        "T1": DAYS - 120,
        "T2": 3,
    }  # every listed day keeps its observed streams
    has = hist[hist.expected.notna()]
    # every band written spans at most MAX_BAND_SPAN, and its values are all there
    assert ((has.hi80 + 1) / (has.lo80 + 1) <= MAX_BAND_SPAN * 1.001).all()
    assert has[list(BAND_COLUMNS)].notna().all().all()
    first = hist[hist.subject_id == "T1"].sort_values("date")
    assert first.expected.head(2).isna().all()  # its first days: no band
    assert first.expected.tail(20).notna().all()  # after its first week and more: a band
    assert hist[hist.subject_id == "T0"].expected.iloc[30:].notna().all()
    ahead = b[b.is_forecast].groupby("subject_id").size().to_dict()
    assert ahead == {"T0": HORIZON, "T1": HORIZON}  # none from T2's three days
