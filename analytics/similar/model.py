"""The whole similar-artists model as one pure function (used by the job, tests and bench).

listener rows + country rows -> per-unit table (cluster, 2-D position, embedding), neighbour
table and potential-streams table. A unit is an artist on one label (`units`): every table
carries its key columns artist_id and label (artist_id alone for inputs without labels).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd

from analytics.similar import clusters as cl
from analytics.similar import embedding as emb
from analytics.similar import neighbours as nb
from analytics.similar import potential as pot
from analytics.similar.units import unit_keys

Progress = Callable[[str, float], None]


@dataclass(frozen=True)
class SimilarParams:
    # log + truncated SVD won the evaluation in docs/features/similar.md (ties BM25 on the
    # planted communities, cheaper; ALS was clearly worse at this catalogue size).
    weighting: str = "log"
    embedder: str = "svd"
    dim: int = 32
    max_clusters: int = 20
    k: int = 10  # neighbours behind each expected value
    # neighbours persisted per artist: all of them for a label-sized catalogue (so a scoped
    # list still has entries), capped so the table stays O(A) for very large catalogues
    max_neighbors: int = 500
    level: float = 0.9  # interval coverage
    seed: int = 0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class SimilarModel:
    # keys = artist_id, label (the unit); neighbours name the other unit neighbor_id,
    # neighbor_label
    artists: pd.DataFrame  # keys, cluster, cluster_prob, x, y, listeners, streams, embedding
    neighbors: pd.DataFrame  # keys, rank, neighbor_id, neighbor_label, score, shared_*, ...
    potential: pd.DataFrame  # keys, country, actual, expected, low, high, gap, ratio, rank
    n_clusters: int

    def summary(self) -> dict[str, int]:
        """The sizes a run reports (JSON-able); "artists" counts units (artist x label)."""
        return {
            "artists": int(len(self.artists)),
            "clusters": int(self.n_clusters),
            "neighbor_rows": int(len(self.neighbors)),
            "potential_rows": int(len(self.potential)),
        }


def _silent(stage: str, fraction: float) -> None:
    return None


def fit(
    listener_rows: pd.DataFrame,
    country_rows: pd.DataFrame,
    params: SimilarParams | None = None,
    progress: Progress = _silent,
) -> SimilarModel:
    """Fit embeddings, clusters, neighbours and potential streams per unit.

    listener_rows: artist_id, label, listener_id, streams (listener-level data only).
    country_rows: artist_id, label, country, streams (all streams).
    The unit is (artist_id, label): the artist's tracks on that label only. Without a label
    column in both inputs the unit is the artist. Units without listener-level rows cannot
    be embedded and are left out.
    """
    p = params or SimilarParams()
    keys = unit_keys(listener_rows)
    if len(country_rows.columns) and unit_keys(country_rows) != keys:
        raise ValueError(f"listener and country rows must both be keyed by {', '.join(keys)}")
    progress("building the artist x listener matrix", 0.05)
    lm = emb.listener_matrix(listener_rows, keys)
    units = lm.units
    if len(units) == 0:
        empty = pd.DataFrame()
        return SimilarModel(empty, empty, empty, 0)
    progress("embedding artists", 0.2)
    x = emb.embed(emb.weight(lm.matrix, p.weighting), p.dim, p.embedder, p.seed)
    progress("clustering artists", 0.45)
    clusters = cl.cluster(x, p.max_clusters, seed=p.seed)
    xy = cl.projection_2d(x)
    progress("finding neighbours", 0.65)
    idx, score = nb.neighbours(x, p.max_neighbors)
    neighbors = nb.neighbour_frame(units, idx, score, lm.matrix)
    progress("modelling potential streams", 0.8)
    streams, countries = pot.country_matrix(country_rows, units)
    potential = _potential(units, countries, streams, idx, score, p)
    artists = _artist_frame(lm, x, clusters, xy, streams if len(countries) else None)
    return SimilarModel(artists, neighbors, potential, clusters.n_clusters)


def _potential(
    units: pd.DataFrame,
    countries: np.ndarray,
    streams: np.ndarray,
    idx: np.ndarray,
    score: np.ndarray,
    p: SimilarParams,
) -> pd.DataFrame:
    """The potential-streams table; empty (with its columns) without countries or
    neighbours to learn from."""
    if not len(countries) or not idx.shape[1]:
        return pd.DataFrame(columns=pot.frame_columns(list(units.columns)))
    result = pot.potential_streams(streams, idx, score, k=p.k, level=p.level)
    return pot.potential_frame(units, countries, result)


def _artist_frame(
    lm: emb.ListenerMatrix,
    x: np.ndarray,
    clusters: cl.Clusters,
    xy: np.ndarray,
    streams: np.ndarray | None,
) -> pd.DataFrame:
    """One row per modelled unit; `streams` [U, C] by country, None when there are none."""
    listeners = np.diff(lm.matrix.indptr)  # stored entries per row: distinct listeners
    return pd.DataFrame(
        {
            **{key: lm.units[key].to_numpy() for key in lm.units.columns},
            "cluster": clusters.labels.astype(int),
            "cluster_prob": clusters.probability,
            "x": xy[:, 0],
            "y": xy[:, 1],
            "listeners": listeners.astype(np.int64),
            "streams": 0 if streams is None else streams.sum(axis=1).round().astype(np.int64),
            "embedding": list(x),
        }
    )
