"""Every scoped query module, imported once so that SCOPED_QUERIES is complete.

The app and the scoping test go through this module; a feature adds its query module here.
"""

from __future__ import annotations

from data import (  # noqa: F401  (imported for their @scoped registrations)
    queries,
    queries_alerts,
    queries_budget,
    queries_fans,
    queries_similar,
)
from data.queries import SCOPED_QUERIES

QUERY_MODULES = (queries, queries_fans, queries_similar, queries_alerts, queries_budget)

__all__ = ["QUERY_MODULES", "SCOPED_QUERIES"]
