"""Scoped reads of the fans feature's persisted results.

Rows about an artist are returned only when the artist is in the user's scope (the
catalog's label, checked in SQL). The fan profiles and thresholds are learned from the whole
catalogue by the batch job; they describe no artist and are shown to any user with a scope.

Every public function is registered with `@scoped` from data.queries."""

from __future__ import annotations

from typing import Any

import pandas as pd

from data.queries import Filters, model_where, read_df, scoped, where
from data.scope import Scope
from data.store import Store


def _in_scope(scope: Scope, filters: Filters | None = None) -> tuple[str, list[Any]]:
    """`artist_id IN (...)` for the catalog artists in scope (labels/artists filters only)."""
    cond, params = model_where(scope, filters)
    return f"artist_id IN (SELECT c.artist_id FROM catalog c WHERE {cond})", params


@scoped
def fan_model(store: Store, scope: Scope) -> dict[str, pd.DataFrame]:
    """The fitted profiles: profiles (profile_idx, name, mean_streams, mu, sigma), pmf
    (profile_idx, name, low, high, p), thresholds (lower_name, upper_name, streams) and
    k_scores (k, seed, loglik). Empty frames for a user without labels."""
    cond, params = where(scope, None)
    visible = f"EXISTS (SELECT 1 FROM catalog c WHERE {cond})"
    return {
        "profiles": read_df(
            store,
            f"SELECT * FROM fan_profiles WHERE {visible} ORDER BY profile_idx",
            params,
        ),
        "pmf": read_df(
            store,
            f"SELECT m.profile_idx, p.name, m.bin_idx, m.low, m.high, m.p "
            f"FROM fan_profile_pmf m JOIN fan_profiles p USING (profile_idx) "
            f"WHERE {visible} ORDER BY m.profile_idx, m.bin_idx",
            params,
        ),
        "thresholds": read_df(
            store,
            f"SELECT lower_name, upper_name, streams FROM fan_thresholds WHERE {visible} "
            f"ORDER BY idx",
            params,
        ),
        "k_scores": read_df(
            store,
            f"SELECT k, seed, loglik FROM fan_k_scores WHERE {visible} ORDER BY k, seed",
            params,
        ),
    }


@scoped
def fan_artists(store: Store, scope: Scope, filters: Filters | None = None) -> pd.DataFrame:
    """artist_id, artist_name, label, listeners (0 when the artist has no listener ids in
    the model) for the catalog artists in scope and the label/artist filters."""
    cond, params = model_where(scope, filters)
    return read_df(
        store,
        f"""
        WITH a AS (
            SELECT c.artist_id, any_value(c.artist_name) AS artist_name,
                   any_value(c.label) AS label
            FROM catalog c WHERE {cond} GROUP BY c.artist_id
        ),
        m AS (SELECT artist_id, max(listeners) AS listeners FROM fan_mix GROUP BY artist_id)
        SELECT a.artist_id, a.artist_name, a.label, coalesce(m.listeners, 0) AS listeners
        FROM a LEFT JOIN m USING (artist_id)
        ORDER BY listeners DESC, a.artist_name, a.artist_id
        """,
        params,
    )


@scoped
def fan_mixes(store: Store, scope: Scope, filters: Filters | None = None) -> pd.DataFrame:
    """artist_id, artist_name, profile_idx, profile, share, low, high, listeners for every
    modelled artist in scope and the label/artist filters."""
    where, params = _in_scope(scope, filters)
    return read_df(
        store,
        f"""
        SELECT m.artist_id, n.artist_name, m.profile_idx, m.profile, m.share, m.low, m.high,
               m.listeners
        FROM fan_mix m
        JOIN (SELECT artist_id, any_value(artist_name) AS artist_name FROM catalog
              GROUP BY artist_id) n USING (artist_id)
        WHERE m.{where}
        ORDER BY n.artist_name, m.artist_id, m.profile_idx
        """,
        params,
    )


@scoped
def fan_mix(store: Store, scope: Scope, artist_id: str) -> pd.DataFrame:
    """profile_idx, profile, share, low, high, listeners of one artist (empty when the
    artist is out of scope or has no listener-level streams)."""
    where, params = _in_scope(scope)
    return read_df(
        store,
        f"SELECT profile_idx, profile, share, low, high, listeners FROM fan_mix "
        f"WHERE artist_id = ? AND {where} ORDER BY profile_idx",
        [artist_id, *params],
    )


@scoped
def fan_breakdown(store: Store, scope: Scope, artist_id: str) -> pd.DataFrame:
    """profile, dim (age_band/gender/country), value, listeners (expected) of one artist."""
    where, params = _in_scope(scope)
    return read_df(
        store,
        f"SELECT profile, dim, value, listeners FROM fan_breakdowns "
        f"WHERE artist_id = ? AND {where} ORDER BY dim, value, profile",
        [artist_id, *params],
    )


@scoped
def fan_targets(store: Store, scope: Scope, artist_id: str) -> pd.DataFrame:
    """The artist's conversion targets (age x gender x country segments), best first."""
    where, params = _in_scope(scope)
    return read_df(
        store,
        f"SELECT rank, age_band, gender, country, listeners, passive_casual, diehard, "
        f"segment_diehard_share, artist_diehard_share, gap FROM fan_targets "
        f"WHERE artist_id = ? AND {where} ORDER BY rank",
        [artist_id, *params],
    )
