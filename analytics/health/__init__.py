"""Data health: which (DSP, day) cells of the trend data are not what that feed normally
delivers. Pure pandas; the job reads the inputs and persists the result."""

from analytics.health.rules import HealthConfig, HealthInputs, HealthModel, fit

__all__ = ["HealthConfig", "HealthInputs", "HealthModel", "fit"]
