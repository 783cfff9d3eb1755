"""Every scoped query module, imported once so that SCOPED_QUERIES is complete.

The app and the scoping test go through this module; a feature adds its query module here.
"""

from __future__ import annotations

from data import queries
from data.queries import SCOPED_QUERIES
from data.queries import alerts as queries_alerts
from data.queries import budget as queries_budget
from data.queries import fans as queries_fans
from data.queries import similar as queries_similar

QUERY_MODULES = (queries, queries_fans, queries_similar, queries_alerts, queries_budget)

__all__ = ["QUERY_MODULES", "SCOPED_QUERIES"]
