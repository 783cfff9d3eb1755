"""Scoped reads of the similar feature's persisted results (see data/migrations/013).

The modelled unit is an artist on one label: result rows carry artist_id and label, and an
artist whose tracks sit on two labels has one row (one model) per label. Scope policy: a
result row is returned only when its own label is in scope (not when the artist has some
track in scope); a neighbour list keeps only neighbours whose row is in scope; track-level
rows are filtered by the track's label. The potential-streams figures of an in-scope unit
are shown as computed by the batch job (expected values learned from similar units across
the whole catalogue).

`label` names one unit of an artist; None means every unit of the artist in scope (one
for a single-label artist or a single-label scope).
"""

# Sums of streams fit BIGINT for any store the ingest bounds allow (docs/spec-bounds.md).

from __future__ import annotations

from typing import Any

import pandas as pd

from data import rollups
from data.queries import Filters, model_where, read_df, scoped, where
from data.scope import Scope
from data.store import Store

# One row per (artist, label) of the catalog, for the artist's name on that label.
_UNITS = (
    "(SELECT artist_id, label, any_value(artist_name) AS artist_name "
    "FROM catalog GROUP BY artist_id, label)"
)


def _unit_in_scope(scope: Scope, label: str | None, alias: str) -> tuple[str, list[Any]]:
    """The scope condition on the label of result row `alias`, narrowed to `label`."""
    return where(scope, Filters(labels=() if label is None else (label,)), catalog_alias=alias)


@scoped
def similar_artist_options(
    store: Store, scope: Scope, filters: Filters | None = None
) -> pd.DataFrame:
    """artist_id, artist_name, label, cluster, streams, listeners: the modelled units in
    scope and the sidebar's label / artist filters (for the page's artist picker). A split
    artist has one row per label."""
    cond, params = model_where(scope, filters, catalog_alias="s")
    return read_df(
        store,
        f"SELECT s.artist_id, c.artist_name, s.label, s.cluster, s.streams, s.listeners "
        f"FROM similar_artists s JOIN {_UNITS} c USING (artist_id, label) WHERE {cond} "
        f"ORDER BY c.artist_name, s.artist_id, s.label",
        params,
    )


@scoped
def similar_cluster_points(
    store: Store, scope: Scope, filters: Filters | None = None
) -> pd.DataFrame:
    """artist_id, artist_name, label, cluster, cluster_prob, x, y, streams: the cluster view's
    points, one per unit in scope and filter."""
    cond, params = model_where(scope, filters, catalog_alias="s")
    return read_df(
        store,
        f"SELECT s.artist_id, c.artist_name, s.label, s.cluster, s.cluster_prob, s.x, s.y, "
        f"s.streams FROM similar_artists s JOIN {_UNITS} c USING (artist_id, label) "
        f"WHERE {cond} ORDER BY s.cluster, s.artist_id, s.label",
        params,
    )


@scoped
def similar_neighbors(
    store: Store, scope: Scope, artist_id: str, label: str | None = None, limit: int = 10
) -> pd.DataFrame:
    """The most similar in-scope units of an in-scope unit: rank, neighbor_id, artist_name,
    label (the neighbour's), cluster, score, shared_listeners, shared_share_a,
    shared_share_b. Ranks count only the units in scope, so the list does not reveal how
    many of another label's artists rank between. Empty when the unit is out of scope."""
    cond_a, params_a = _unit_in_scope(scope, label, "n")
    cond_b, params_b = _unit_in_scope(scope, None, "s")
    order = "PARTITION BY n.label ORDER BY n.rank"
    return read_df(
        store,
        f"SELECT row_number() OVER ({order}) AS rank, n.neighbor_id, b.artist_name, "
        f"n.neighbor_label AS label, s.cluster, n.score, n.shared_listeners, "
        f"n.shared_share_a, n.shared_share_b "
        f"FROM similar_neighbors n "
        f"JOIN similar_artists s ON s.artist_id = n.neighbor_id AND s.label = n.neighbor_label "
        f"JOIN {_UNITS} b ON b.artist_id = n.neighbor_id AND b.label = n.neighbor_label "
        f"WHERE n.artist_id = ? AND {cond_a} AND {cond_b} "
        f"QUALIFY row_number() OVER ({order}) <= ? ORDER BY n.label, n.rank",
        [artist_id, *params_a, *params_b, int(limit)],
    )


@scoped
def similar_artist_model(
    store: Store, scope: Scope, artist_id: str, label: str | None = None
) -> pd.DataFrame:
    """One row per in-scope modelled unit of the artist (one when `label` is given):
    artist_id, artist_name, label, cluster, cluster_prob, cluster_size (units in the cluster
    across the catalogue), listeners, streams. Empty when out of scope or not modelled."""
    cond, params = _unit_in_scope(scope, label, "s")
    return read_df(
        store,
        f"SELECT s.artist_id, c.artist_name, s.label, s.cluster, s.cluster_prob, "
        f"(SELECT count(*) FROM similar_artists t WHERE t.cluster = s.cluster) AS cluster_size, "
        f"s.listeners, s.streams FROM similar_artists s JOIN {_UNITS} c USING (artist_id, label) "
        f"WHERE s.artist_id = ? AND {cond} ORDER BY s.label",
        [artist_id, *params],
    )


@scoped
def similar_potential(
    store: Store, scope: Scope, artist_id: str, label: str | None = None
) -> pd.DataFrame:
    """Potential streams per country of an in-scope unit, largest gap first: rank,
    country, actual, expected, low, high, gap, ratio. Expected values are learned by the
    batch job from similar units across the catalogue (aggregate figures)."""
    cond, params = _unit_in_scope(scope, label, "p")
    return read_df(
        store,
        f"SELECT p.rank, p.country, p.actual, p.expected, p.low, p.high, p.gap, p.ratio "
        f"FROM similar_potential p WHERE p.artist_id = ? AND {cond} ORDER BY p.label, p.rank",
        [artist_id, *params],
    )


@scoped
def similar_top_track(
    store: Store, scope: Scope, artist_id: str, label: str | None = None
) -> pd.DataFrame:
    """The in-scope artist's most streamed track (isrc, track_title, streams) over all
    data, on `label` when given, for the hand-off to the budget page. Empty when out of
    scope."""
    labels = () if label is None else (label,)
    cond, params = where(scope, Filters(labels=labels, artist_ids=(artist_id,)))
    return read_df(
        store,
        f"SELECT c.isrc, c.track_title, coalesce(sum(a.streams), 0) AS streams "
        f"FROM catalog c LEFT JOIN {rollups.choose({'label', 'isrc'}).relation} a "
        f"ON a.isrc = c.isrc WHERE {cond} "
        f"GROUP BY c.isrc, c.track_title ORDER BY streams DESC, c.isrc LIMIT 1",
        params,
    )
