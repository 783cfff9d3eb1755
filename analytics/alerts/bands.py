"""Forecast bands: the one-step band over the filtered days and the forecast after them."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import norm

from analytics.alerts.detect import Detection
from analytics.alerts.kalman import FilterState, Hyper, forecast
from analytics.alerts.series import Series, label_list

HORIZON = 28  # days forecast after the last one
# The trend ahead is damped: an undamped local trend carries a week's move on for four
# weeks (a track recovering from a drop "forecast" +45 % a month later). Rolling backtests
# 28 days ahead from 3 cut-offs (bench/alerts_band_damping.py, bench/RESULTS.md): phi 0.9
# cuts the mean absolute log error to 0.93x on planted worlds (fresh seeds too), 0.92x on
# the US chart and 0.98x on Coldplay's, and the planted 80 % intervals hold 0.82-0.83 of
# days instead of 0.86.
DAMPING = 0.9
Z80, Z95 = float(norm.ppf(0.9)), float(norm.ppf(0.975))
# A band whose 80 % interval spans more than this factor says nothing: the filter's first
# days on a series (its prior is diffuse until it has seen about a week) and forecasts
# made from them. Real US chart: releases' first-day 80 % bands spanned 1e14-fold and their
# 28-day forecasts up to 1e27-fold; a settled series' spans 1.1- to 3.2-fold.
MAX_BAND_SPAN = 50.0
MAX_BAND_SD = float(np.log(MAX_BAND_SPAN) / (2 * Z80))
BAND_COLUMNS = ("expected", "lo80", "hi80", "lo95", "hi95")


def _band(mean: np.ndarray, var: np.ndarray) -> dict[str, np.ndarray]:
    """Expected streams and 80% / 95% intervals from a predictive on the log scale (on
    log(1 + streams): a mean below 0 is fewer than no streams, drawn as 0). NaN where
    the predictive is too wide to say anything (MAX_BAND_SPAN)."""
    sd = np.sqrt(var)
    vague = ~(sd <= MAX_BAND_SD)
    out = {
        "expected": np.maximum(np.expm1(mean), 0.0),
        "lo80": np.maximum(np.expm1(mean - Z80 * sd), 0.0),
        "hi80": np.maximum(np.expm1(mean + Z80 * sd), 0.0),
        "lo95": np.maximum(np.expm1(mean - Z95 * sd), 0.0),
        "hi95": np.maximum(np.expm1(mean + Z95 * sd), 0.0),
    }
    for v in out.values():
        v[vague] = np.nan
    return out


def bands(
    subject: str,
    series: Series,
    det: Detection,
    hp: Hyper,
    censored: np.ndarray | None = None,
) -> pd.DataFrame:
    """One-step forecast band over the days of `series` and the 28-day forecast, for every
    monitored subject (the page draws any alert's band from these).

    censored [N] (chart imports: a track is listed only on its days in the top N): such a
    series has no band on its unlisted days and no forecast when it is off the chart on
    the last day. Those days are below the chart's cutoff, by how much nobody knows; the
    filter's prediction carried over weeks off the chart ran down to "4 streams" (real US
    chart: 286,456 of 363,133 track band rows, 25 alerted tracks below 0 streams).

    A day whose band would span more than MAX_BAND_SPAN keeps its observed streams with no
    band (NaN), and a forecast day so vague is not written."""
    out = det.output
    mon = np.flatnonzero(det.monitored)
    if len(mon) == 0:
        return pd.DataFrame()
    cen = np.zeros(len(mon), dtype=bool) if censored is None else np.asarray(censored)[mon]
    listed = ~np.isnan(series.counts[mon])
    b = _band(out.pred_mean[mon], out.pred_var[mon])
    labels = np.asarray(label_list(series), dtype=object)[mon]
    days = np.arange(len(series.dates))
    shown = (days[None, :] >= det.start[mon, None]) & (listed | ~cen[:, None])
    keep = shown.ravel()  # from each series' first day; a chart's listed days only
    history = pd.DataFrame(
        {
            "subject": subject,
            "subject_id": np.repeat(series.ids[mon], len(days)),
            "label": np.repeat(labels, len(days)),
            "date": np.tile(series.dates, len(mon)),
            "observed": series.counts[mon].ravel(),
            **{k: v.ravel() for k, v in b.items()},
            "is_forecast": False,
        }
    )[keep]
    ahead_of = ~cen | listed[:, -1]  # a chart's series off it on the last day: no level
    mon, labels = mon[ahead_of], labels[ahead_of]
    state = FilterState(out.state.a[mon], out.state.P[mon])
    mean, var = forecast(state, hp, det.obs_var[mon], HORIZON, damping=DAMPING)
    b = _band(mean, var)
    future = pd.date_range(series.dates[-1] + pd.Timedelta(days=1), periods=HORIZON)
    ahead = pd.DataFrame(
        {
            "subject": subject,
            "subject_id": np.repeat(series.ids[mon], HORIZON),
            "label": np.repeat(labels, HORIZON),
            "date": np.tile(future, len(mon)),
            "observed": np.nan,
            **{k: v.ravel() for k, v in b.items()},
            "is_forecast": True,
        }
    )
    ahead = ahead[ahead.expected.notna()]  # a forecast from a vague state: none
    return pd.concat([history, ahead], ignore_index=True)
