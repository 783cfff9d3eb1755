"""Scoped reads of the campaigns feature's persisted lift (see data/migrations/018).

Scope policy: a campaign is shown only when its track is in scope (joined to the catalog on
isrc, label condition as everywhere). The territory response curves, written by the budget
job when it has them, are read through the same scope (restricted by label when the table
carries one)."""

from __future__ import annotations

import pandas as pd

from data.queries import Filters, model_where, read_df, scoped, where
from data.scope import Scope
from data.store import Store

_LIFT_COLS = (
    "l.campaign_id, c.track_title, c.artist_name, c.label, l.isrc, l.country, l.platform, "
    "l.start_date, l.end_date, l.spend_usd, l.incremental_streams, l.low, l.high, l.p_effect, "
    "l.cpa_usd, l.window_streams, l.counterfactual_streams, l.pre_fit_mape, l.flag"
)


@scoped
def campaign_lifts(store: Store, scope: Scope, filters: Filters | None = None) -> pd.DataFrame:
    """Every campaign in scope and the label / artist filters (country filter too) with its
    estimated lift, newest first."""
    cond, params = model_where(scope, filters)
    f = filters or Filters()
    if f.countries:
        cond += f" AND l.country IN ({', '.join('?' * len(f.countries))})"
        params += list(f.countries)
    return read_df(
        store,
        f"SELECT {_LIFT_COLS} FROM campaign_lift l JOIN catalog c USING (isrc) "
        f"WHERE {cond} ORDER BY l.start_date DESC, l.campaign_id",
        params,
    )


@scoped
def campaign_lift_one(store: Store, scope: Scope, campaign_id: str) -> pd.DataFrame:
    """The in-scope campaign's row (empty when unknown or out of scope)."""
    cond, params = where(scope, None)
    return read_df(
        store,
        f"SELECT {_LIFT_COLS} FROM campaign_lift l JOIN catalog c USING (isrc) "
        f"WHERE l.campaign_id = ? AND {cond}",
        [campaign_id, *params],
    )


@scoped
def campaign_daily(store: Store, scope: Scope, campaign_id: str) -> pd.DataFrame:
    """date, observed, counterfactual, low, high: the in-scope campaign's chart rows."""
    cond, params = where(scope, None)
    return read_df(
        store,
        f"SELECT d.date, d.observed, d.counterfactual, d.low, d.high "
        f"FROM campaign_lift_daily d JOIN campaign_lift l USING (campaign_id) "
        f"JOIN catalog c ON c.isrc = l.isrc WHERE d.campaign_id = ? AND {cond} "
        f"ORDER BY d.date",
        [campaign_id, *params],
    )


@scoped
def campaign_store_counts(store: Store, scope: Scope) -> pd.DataFrame:
    """One row: campaigns (loaded campaigns on in-scope tracks), estimated (with a lift row):
    what the page says when there is nothing to show."""
    cond, params = where(scope, None)
    return read_df(
        store,
        f"SELECT count(*) AS campaigns, count(l.campaign_id) AS estimated FROM campaigns m "
        f"JOIN catalog c USING (isrc) LEFT JOIN campaign_lift l USING (campaign_id) "
        f"WHERE {cond}",
        params,
    )


@scoped
def territory_response_rows(store: Store, scope: Scope, campaign_id: str) -> pd.DataFrame:
    """The response curve of the in-scope campaign's territory (`territory_response`, written
    by the budget job; a market benchmark pooled over every label's campaigns, as the budget
    page's territory figures are); empty when the campaign is out of scope or the territory
    has no curve yet."""
    camp = campaign_lift_one(store, scope, campaign_id)
    if camp.empty:
        return pd.DataFrame()
    sql = (
        "SELECT country, platform, n_campaigns, ceiling, half_saturation_usd, hill, "
        "plateau_usd, cap_usd FROM territory_response WHERE country = ? AND platform = 'all'"
    )
    return read_df(store, sql, [str(camp["country"].iloc[0])])
