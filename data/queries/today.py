"""Scoped reads of the Today ranking.

The ranking carries the catalog label of each asset, so scoping is `label IN (...)` on the
ranking itself; names come from the catalog (the ranking keeps ids only)."""

from __future__ import annotations

import pandas as pd

from data.queries import read_df, scoped, where
from data.scope import Scope
from data.store import Store


@scoped
def opportunities(store: Store, scope: Scope, top: int | None = None) -> pd.DataFrame:
    """The ranked opportunities of the labels in scope, best first, with the asset's name
    (track title or artist name) and artist name; `top` keeps the first rows. `rank` is
    renumbered among the rows in scope (1, 2, 3 ...): the ranking's own numbers would show,
    by their gaps, how many of other labels' opportunities rank between."""
    cond, params = where(scope, None, catalog_alias="o")
    limit = ""
    if top is not None:
        limit, params = " LIMIT ?", [*params, max(int(top), 0)]
    return read_df(
        store,
        "SELECT row_number() OVER (ORDER BY o.rank) AS rank, o.label, o.subject, o.id, o.action, o.territory, o.isrc, o.segment, "
        "o.expected_streams, o.low, o.high, o.cost_usd, o.score, o.at_stake, o.reason, "
        "c.track_title, c.artist_id, c.artist_name "
        "FROM today_opportunities o JOIN catalog c ON c.isrc = o.isrc "
        f"WHERE {cond} ORDER BY o.rank{limit}",
        params,
    )
