"""Stream forecasts: one entry point, `fit`, from the series panel to daily p10/p50/p90 for
90 days and the 90-day total of every track and artist total (see `model`)."""

from analytics.forecast.model import ForecastModel, ForecastParams, fit
from analytics.forecast.panel import Panel, build_panel, truncate
from analytics.forecast.plan import with_plan

__all__ = [
    "ForecastModel",
    "ForecastParams",
    "Panel",
    "build_panel",
    "fit",
    "truncate",
    "with_plan",
]
