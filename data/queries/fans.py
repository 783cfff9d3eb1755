"""Scoped reads of the fans feature's persisted results.

Artist-level results are per (artist_id, label): an artist with tracks on two labels has one
unit per label, each computed from that label's tracks only. A result row is returned only
when its own `label` is in the user's scope (checked in SQL on the row, not on the artist:
an artist with some track in scope does not open the other label's unit). The fan profiles
and thresholds are learned from the whole catalogue by the batch job; they describe no
artist and are shown to any user with a scope.

Every public function is registered with `@scoped` from data.queries."""

from __future__ import annotations

from typing import Any

import pandas as pd

from data.queries import Filters, model_where, read_df, scoped, where
from data.scope import Scope
from data.store import Store


def _unit_in_scope(
    scope: Scope, artist_id: str, label: str | None, alias: str = "r"
) -> tuple[str, list[Any]]:
    """The result rows of one artist whose own label is in scope (and is `label` if given)."""
    labels = (label,) if label is not None else ()
    return model_where(scope, Filters(labels=labels, artist_ids=(artist_id,)), catalog_alias=alias)


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
    """artist_id, artist_name, label, listeners (0 when the unit has no listener ids in the
    model): one row per catalog artist and label in scope and the label/artist filters, so
    an artist with tracks on two visible labels appears once per label."""
    cond, params = model_where(scope, filters)
    return read_df(
        store,
        f"""
        WITH a AS (
            SELECT c.artist_id, c.label, any_value(c.artist_name) AS artist_name
            FROM catalog c WHERE {cond} GROUP BY c.artist_id, c.label
        ),
        m AS (
            SELECT artist_id, label, max(listeners) AS listeners FROM fan_mix
            GROUP BY artist_id, label
        )
        SELECT a.artist_id, a.artist_name, a.label, coalesce(m.listeners, 0) AS listeners
        FROM a LEFT JOIN m USING (artist_id, label)
        ORDER BY listeners DESC, a.artist_name, a.artist_id, a.label
        """,
        params,
    )


@scoped
def fan_mixes(store: Store, scope: Scope, filters: Filters | None = None) -> pd.DataFrame:
    """artist_id, label, artist_name, profile_idx, profile, share, low, high, listeners for
    every modelled (artist, label) in scope and the label/artist filters."""
    cond, params = model_where(scope, filters, catalog_alias="m")
    return read_df(
        store,
        f"""
        SELECT m.artist_id, m.label, n.artist_name, m.profile_idx, m.profile, m.share, m.low,
               m.high, m.listeners
        FROM fan_mix m
        JOIN (SELECT artist_id, label, any_value(artist_name) AS artist_name FROM catalog
              GROUP BY artist_id, label) n USING (artist_id, label)
        WHERE {cond}
        ORDER BY n.artist_name, m.artist_id, m.label, m.profile_idx
        """,
        params,
    )


@scoped
def fan_mix(store: Store, scope: Scope, artist_id: str, label: str | None = None) -> pd.DataFrame:
    """label, profile_idx, profile, share, low, high, listeners of one artist's unit on
    `label` (None: its units on every label in scope; empty when none is in scope or
    modelled)."""
    cond, params = _unit_in_scope(scope, artist_id, label)
    return read_df(
        store,
        f"SELECT label, profile_idx, profile, share, low, high, listeners FROM fan_mix r "
        f"WHERE {cond} ORDER BY label, profile_idx",
        params,
    )


@scoped
def fan_breakdown(
    store: Store, scope: Scope, artist_id: str, label: str | None = None
) -> pd.DataFrame:
    """label, profile, dim (age_band/gender/country), value, listeners (expected) of one
    artist's unit on `label` (None: every label in scope)."""
    cond, params = _unit_in_scope(scope, artist_id, label)
    return read_df(
        store,
        f"SELECT label, profile, dim, value, listeners FROM fan_breakdowns r "
        f"WHERE {cond} ORDER BY label, dim, value, profile",
        params,
    )


@scoped
def fan_targets(
    store: Store, scope: Scope, artist_id: str, label: str | None = None
) -> pd.DataFrame:
    """The conversion targets (age x gender x country segments) of one artist's unit on
    `label` (None: every label in scope), best first."""
    cond, params = _unit_in_scope(scope, artist_id, label)
    return read_df(
        store,
        f"SELECT label, rank, age_band, gender, country, listeners, passive_casual, diehard, "
        f"segment_diehard_share, artist_diehard_share, gap FROM fan_targets r "
        f"WHERE {cond} ORDER BY label, rank",
        params,
    )
