"""The alert band on chart data: no band on a censored series' unlisted days, no forecast
for one off the chart on the last day; a complete delivery's gap keeps its band."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analytics.alerts.bands import HORIZON, bands
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
    assert (b[cols] >= 0).all().all()
    assert ((b.lo95 <= b.lo80) & (b.lo80 <= b.expected) & (b.expected <= b.hi80)).all()
    assert (b.hi80 <= b.hi95).all()
