"""Batch job for the budget feature (placeholder until the feature lands)."""
