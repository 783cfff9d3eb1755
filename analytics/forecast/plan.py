"""The seam for forecasting with a planned budget: a campaign plan's expected incremental
streams by day are added on top of the baseline forecast.

No response curve produces those increments yet; once the campaign-outcomes work provides
them, the territory budget page calls `with_plan` with its plan's expected increments."""

from __future__ import annotations

import pandas as pd


def with_plan(daily: pd.DataFrame, incremental: pd.Series) -> pd.DataFrame:
    """`daily`: date, p10, p50, p90 (one series). `incremental`: expected extra streams per
    day indexed by date (days missing from it add nothing). Each quantile is shifted by the
    day's expected increment: the plan's own uncertainty is not modelled here."""
    extra = pd.to_datetime(daily["date"]).map(incremental.rename(lambda d: pd.Timestamp(d)))
    extra = extra.fillna(0.0).to_numpy()
    out = daily.copy()
    for q in ("p10", "p50", "p90"):
        out[q] = out[q] + extra
    return out
