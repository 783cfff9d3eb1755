"""The seam for forecasting with a planned budget: a campaign plan's expected incremental
streams are added on top of the baseline forecast.

What it needs from the campaign-outcomes work (response curves): for the plan being looked
at, the expected incremental streams of the track per territory and per day over the
forecast's days (`date`, `territory`, `incremental_streams`), i.e. each territory's response
curve read at the plan's spend in that territory, spread over the days the campaign acts.
No response curve exists yet, so nothing calls this; the territory budget page is the place
to call it with its plan's increments and draw the forecast with and without the plan."""

from __future__ import annotations

import pandas as pd

INCREMENT_COLUMNS = ("date", "territory", "incremental_streams")


def with_plan(daily: pd.DataFrame, incremental: pd.DataFrame) -> pd.DataFrame:
    """`daily`: date, p10, p50, p90 of one series (the baseline forecast). `incremental`:
    date, territory, incremental_streams (expected extra streams of that day in that
    territory; days or territories missing from it add nothing, days outside the forecast
    are ignored). Each quantile moves up by the day's expected increment summed over the
    territories: the plan's own uncertainty is not modelled here. The baseline is left
    unchanged; the result has the same rows."""
    missing = [c for c in INCREMENT_COLUMNS if c not in incremental.columns]
    if missing:
        raise ValueError(f"plan increments need columns {', '.join(missing)}")
    per_day = (
        incremental.assign(date=pd.to_datetime(incremental["date"]))
        .groupby("date")["incremental_streams"]
        .sum()
    )
    extra = pd.to_datetime(daily["date"]).map(per_day).fillna(0.0).to_numpy()
    out = daily.copy()
    for q in ("p10", "p50", "p90"):
        out[q] = out[q] + extra
    return out
