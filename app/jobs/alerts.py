"""Batch job for the alerts feature (placeholder until the feature lands)."""
