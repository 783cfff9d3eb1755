"""Batch job for the fans feature (placeholder until the feature lands)."""
