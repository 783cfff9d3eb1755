"""Scoped reads of the data-health results.

Health is a property of a DSP's feed, not of a label: a user sees the issues and coverage
of the feeds that deliver at least one track of the labels in scope (a feed that carries
none of them says nothing about that user's data)."""

from __future__ import annotations

import pandas as pd

from data import rollups
from data.queries import read_df, scoped, where
from data.scope import Scope
from data.store import Store

KINDS = ("missing_day", "partial_day", "duplicate", "late")


def _feeds(scope: Scope) -> tuple[str, list]:
    cond, params = where(scope, None, catalog_alias="a")
    table = rollups.choose({"label", "dsp"}).relation
    return f"(SELECT DISTINCT a.dsp FROM {table} a WHERE {cond})", params


@scoped
def health_issues(store: Store, scope: Scope, kind: str | None = None) -> pd.DataFrame:
    """dsp, date, kind, detail: the issues of the feeds in scope, oldest day first."""
    feeds, params = _feeds(scope)
    extra = ""
    if kind is not None:
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {', '.join(KINDS)}")
        extra, params = " AND kind = ?", [*params, kind]
    return read_df(
        store,
        f"SELECT dsp, date, kind, detail FROM health_issues WHERE dsp IN {feeds}{extra} "
        "ORDER BY date, dsp, kind",
        params,
    )


@scoped
def health_coverage(store: Store, scope: Scope) -> pd.DataFrame:
    """dsp, date, tracks, countries, streams, expected_tracks, expected_countries: every
    day of each feed in scope (0 tracks = nothing delivered)."""
    feeds, params = _feeds(scope)
    return read_df(
        store,
        f"SELECT * FROM health_coverage WHERE dsp IN {feeds} ORDER BY dsp, date",
        params,
    )
