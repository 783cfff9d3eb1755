"""Batch job for the similar feature (placeholder until the feature lands)."""
