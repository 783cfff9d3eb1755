"""Campaign outcomes: what each past campaign added, against a counterfactual forecast of the
targeted series from its own pre-period and untouched control series (see `lift`)."""

from analytics.campaigns.groups import CampaignGroup, group_campaigns
from analytics.campaigns.lift import LiftParams, LiftResult, estimate
from analytics.campaigns.model import SeriesFit, fit_series

__all__ = [
    "CampaignGroup",
    "LiftParams",
    "LiftResult",
    "SeriesFit",
    "estimate",
    "fit_series",
    "group_campaigns",
]
