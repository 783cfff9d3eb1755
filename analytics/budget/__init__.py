"""Territory budgets: audience models per category of tracks, territory scores, response
curves and budget caps. `fit` is the batch entry point; `score` rates one track online on
the persisted model."""

from analytics.budget.fitting import BudgetModel, fit
from analytics.budget.inputs import GROUP_COLS, ModelInputs
from analytics.budget.scoring import ScoreResult, TerritoryPlan, score

__all__ = [
    "GROUP_COLS",
    "BudgetModel",
    "ModelInputs",
    "ScoreResult",
    "TerritoryPlan",
    "fit",
    "score",
]
