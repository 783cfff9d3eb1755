"""Scoped reads of the similar feature's persisted results (see data/migrations/004).

Scope policy: a row about an artist is returned only when that artist is in scope; the
neighbour list is filtered to artists in scope; the potential-streams figures of an
in-scope artist are shown as computed by the batch job (expected values learned from
similar artists across the whole catalogue). Every function joins the catalog for the
label condition itself, because the result tables carry no label.
"""

# Sums of streams fit BIGINT for any store the ingest bounds allow (docs/spec-bounds.md).

from __future__ import annotations

import pandas as pd

from data.queries import Filters, model_where, read_df, scoped, where
from data.scope import Scope
from data.store import Store

# One row per artist of the catalog (artist_id -> label, name) to join results against.
_ARTISTS = (
    "(SELECT artist_id, any_value(artist_name) AS artist_name, any_value(label) AS label "
    "FROM catalog GROUP BY artist_id)"
)


def _artist_in_scope(scope: Scope, alias: str = "c") -> tuple[str, list]:
    return where(scope, None, catalog_alias=alias)


@scoped
def similar_artist_options(
    store: Store, scope: Scope, filters: Filters | None = None
) -> pd.DataFrame:
    """artist_id, artist_name, label, cluster, streams, listeners: the modelled artists in
    scope and the sidebar's label / artist filters (for the page's artist picker)."""
    cond, params = model_where(scope, filters)
    return read_df(
        store,
        f"SELECT s.artist_id, c.artist_name, c.label, s.cluster, s.streams, s.listeners "
        f"FROM similar_artists s JOIN {_ARTISTS} c USING (artist_id) WHERE {cond} "
        f"ORDER BY c.artist_name, s.artist_id",
        params,
    )


@scoped
def similar_cluster_points(
    store: Store, scope: Scope, filters: Filters | None = None
) -> pd.DataFrame:
    """artist_id, artist_name, label, cluster, cluster_prob, x, y, streams: the cluster view's
    points, for artists in scope and filter only."""
    cond, params = model_where(scope, filters)
    return read_df(
        store,
        f"SELECT s.artist_id, c.artist_name, c.label, s.cluster, s.cluster_prob, s.x, s.y, "
        f"s.streams FROM similar_artists s JOIN {_ARTISTS} c USING (artist_id) "
        f"WHERE {cond} ORDER BY s.cluster, s.artist_id",
        params,
    )


@scoped
def similar_neighbors(store: Store, scope: Scope, artist_id: str, limit: int = 10) -> pd.DataFrame:
    """The most similar in-scope artists of an in-scope artist: rank (among the artists in
    scope, so the list does not reveal how many other labels' artists rank between), neighbor_id, artist_name, label, cluster, score, shared_listeners, shared_share_a,
    shared_share_b. Empty when `artist_id` is out of scope."""
    cond_a, params_a = _artist_in_scope(scope, "a")
    cond_b, params_b = _artist_in_scope(scope, "b")
    return read_df(
        store,
        f"SELECT row_number() OVER (ORDER BY n.rank) AS rank, n.neighbor_id, b.artist_name, b.label, s.cluster, n.score, "
        f"n.shared_listeners, n.shared_share_a, n.shared_share_b "
        f"FROM similar_neighbors n JOIN {_ARTISTS} a ON a.artist_id = n.artist_id "
        f"JOIN {_ARTISTS} b ON b.artist_id = n.neighbor_id "
        f"JOIN similar_artists s ON s.artist_id = n.neighbor_id "
        f"WHERE n.artist_id = ? AND {cond_a} AND {cond_b} ORDER BY n.rank LIMIT ?",
        [artist_id, *params_a, *params_b, int(limit)],
    )


@scoped
def similar_artist_model(store: Store, scope: Scope, artist_id: str) -> pd.DataFrame:
    """One row for an in-scope modelled artist: artist_id, artist_name, label, cluster,
    cluster_prob, cluster_size (artists in the cluster across the catalogue), listeners,
    streams. Empty when out of scope or not modelled."""
    cond, params = _artist_in_scope(scope)
    return read_df(
        store,
        f"SELECT s.artist_id, c.artist_name, c.label, s.cluster, s.cluster_prob, "
        f"(SELECT count(*) FROM similar_artists t WHERE t.cluster = s.cluster) AS cluster_size, "
        f"s.listeners, s.streams FROM similar_artists s JOIN {_ARTISTS} c USING (artist_id) "
        f"WHERE s.artist_id = ? AND {cond}",
        [artist_id, *params],
    )


@scoped
def similar_potential(store: Store, scope: Scope, artist_id: str) -> pd.DataFrame:
    """Potential streams per country of an in-scope artist, largest gap first: rank,
    country, actual, expected, low, high, gap, ratio. Expected values are learned by the
    batch job from similar artists across the catalogue (aggregate figures)."""
    cond, params = _artist_in_scope(scope)
    return read_df(
        store,
        f"SELECT p.rank, p.country, p.actual, p.expected, p.low, p.high, p.gap, p.ratio "
        f"FROM similar_potential p JOIN {_ARTISTS} c USING (artist_id) "
        f"WHERE p.artist_id = ? AND {cond} ORDER BY p.rank",
        [artist_id, *params],
    )


@scoped
def similar_top_track(store: Store, scope: Scope, artist_id: str) -> pd.DataFrame:
    """The in-scope artist's most streamed track (isrc, track_title, streams) over all
    data, for the hand-off to the budget page. Empty when out of scope."""
    cond, params = where(scope, Filters(artist_ids=(artist_id,)))
    return read_df(
        store,
        f"SELECT c.isrc, c.track_title, coalesce(sum(a.streams), 0) AS streams "
        f"FROM catalog c LEFT JOIN agg_daily a USING (isrc) WHERE {cond} "
        f"GROUP BY c.isrc, c.track_title ORDER BY streams DESC, c.isrc LIMIT 1",
        params,
    )
