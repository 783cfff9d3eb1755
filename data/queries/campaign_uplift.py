"""Scoped reads of the campaign uplift per audience segment (`campaign_uplift`).

Segment rows are per label: a row is returned only when its own label is in the user's scope
(and, with filters, among the labels of the filtered labels / artists). Every public function
is registered with `@scoped` from data.queries."""

from __future__ import annotations

import pandas as pd

from data.queries import Filters, model_where, read_df, scoped
from data.scope import Scope
from data.store import Store

COLUMNS = (
    "label, country, age_band, gender, subscription, fan_type, n_campaigns, baseline_streams, "
    "incremental_streams, uplift, low, high, score"
)


@scoped
def uplift_segments(store: Store, scope: Scope, filters: Filters | None = None) -> pd.DataFrame:
    """Every segment of the user's labels (label, country, age band, gender, subscription,
    fan type) with its uplift, 90 % interval and score; the sidebar's countries apply."""
    cond, params = model_where(scope, filters)
    sql = (
        f"SELECT {COLUMNS} FROM campaign_uplift r "
        f"WHERE r.label IN (SELECT DISTINCT c.label FROM catalog c WHERE {cond})"
    )
    countries = (filters or Filters()).countries
    if countries:
        sql += f" AND r.country IN ({', '.join('?' * len(countries))})"
        params = [*params, *countries]
    order = " ORDER BY score DESC, country, age_band, gender, subscription, fan_type, label"
    return read_df(store, sql + order, params)


@scoped
def responsive_segments(store: Store, scope: Scope, isrc: str) -> pd.DataFrame:
    """Segments of the track's label where ads had a significant positive effect (the whole
    90 % interval above zero), largest uplift first. Empty for a track out of scope."""
    cond, params = model_where(scope, None)
    return read_df(
        store,
        f"SELECT {COLUMNS} FROM campaign_uplift r WHERE r.low > 0 AND r.label IN "
        f"(SELECT c.label FROM catalog c WHERE c.isrc = ? AND {cond}) "
        "ORDER BY uplift DESC, incremental_streams DESC, country, age_band, gender, "
        "subscription, fan_type",
        [isrc, *params],
    )
