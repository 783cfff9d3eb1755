"""Alerts: significant changes in daily streams, their cause and growth potential."""

from analytics.alerts.continuation import Previous
from analytics.alerts.detect import DetectConfig
from analytics.alerts.model import AlertsInputs, AlertsModel, Reads, fit

__all__ = ["AlertsInputs", "AlertsModel", "DetectConfig", "Previous", "Reads", "fit"]
