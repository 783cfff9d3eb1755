"""Campaign outcomes: what each past campaign added, against a counterfactual forecast of the
targeted series from its own pre-period and untouched control series (`lift`); response
curves with plateaus per territory (`response`, `hill`) and the spend optimiser (`optimise`).

Pure numpy / scipy: no Streamlit, no store, no file I/O.
"""

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
