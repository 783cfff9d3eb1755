"""Recommendations: who will adopt a track, and what to promote to whom next."""

from analytics.recommend.model import RecommendModel, RecommendParams, fit

__all__ = ["RecommendModel", "RecommendParams", "fit"]
