"""The whole similar-artists model as one pure function (used by the job, tests and bench).

listener rows + country rows -> per-artist table (cluster, 2-D position, embedding),
neighbour table and potential-streams table.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

from analytics.similar import embedding as similar
from analytics.similar import potential as similar_geo


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

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class SimilarModel:
    artists: pd.DataFrame  # artist_id, cluster, cluster_prob, x, y, listeners, streams, embedding
    neighbors: pd.DataFrame  # artist_id, rank, neighbor_id, score, shared_*, ...
    potential: pd.DataFrame  # artist_id, country, actual, expected, low, high, gap, ratio, rank
    n_clusters: int


def _country_matrix(
    country_rows: pd.DataFrame, artist_ids: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    countries = (
        np.array(sorted(country_rows["country"].unique()))
        if len(country_rows)
        else np.array([], dtype=object)
    )
    wide = (
        country_rows.pivot_table(
            index="artist_id", columns="country", values="streams", aggfunc="sum"
        )
        .reindex(index=artist_ids, columns=countries)
        .fillna(0.0)
    )
    return wide.to_numpy(dtype=float), countries


def fit(
    listener_rows: pd.DataFrame,
    country_rows: pd.DataFrame,
    params: SimilarParams | None = None,
    progress=lambda stage, fraction: None,
) -> SimilarModel:
    """Fit embeddings, clusters, neighbours and potential streams.

    listener_rows: artist_id, listener_id, streams (listener-level data only).
    country_rows: artist_id, country, streams (all streams).
    Artists without listener-level rows cannot be embedded and are left out.
    """
    p = params or SimilarParams()
    progress("building the artist x listener matrix", 0.05)
    lm = similar.listener_matrix(listener_rows)
    ids = lm.artist_ids
    if len(ids) == 0:
        empty = pd.DataFrame()
        return SimilarModel(empty, empty, empty, 0)
    progress("embedding artists", 0.2)
    x = similar.embed(similar.weight(lm.matrix, p.weighting), p.dim, p.embedder, p.seed)
    progress("clustering artists", 0.45)
    clusters = similar.cluster(x, p.max_clusters, seed=p.seed)
    xy = similar.projection_2d(x)
    progress("finding neighbours", 0.65)
    idx, score = similar.neighbours(x, p.max_neighbors)
    neighbors = similar.neighbour_frame(ids, idx, score, lm.matrix)
    progress("modelling potential streams", 0.8)
    streams, countries = _country_matrix(country_rows, ids)
    if len(countries) and idx.shape[1]:
        result = similar_geo.potential_streams(streams, idx, score, k=p.k, level=p.level)
        potential = similar_geo.potential_frame(ids, countries, result)
    else:
        potential = pd.DataFrame(
            columns=[
                "artist_id",
                "country",
                "actual",
                "expected",
                "low",
                "high",
                "gap",
                "ratio",
                "rank",
            ]
        )
    binary = sp.csr_matrix(lm.matrix)
    listeners = np.diff(binary.indptr)
    artists = pd.DataFrame(
        {
            "artist_id": ids,
            "cluster": clusters.labels.astype(int),
            "cluster_prob": clusters.probability,
            "x": xy[:, 0],
            "y": xy[:, 1],
            "listeners": listeners.astype(np.int64),
            "streams": streams.sum(axis=1).round().astype(np.int64) if len(countries) else 0,
            "embedding": list(x),
        }
    )
    return SimilarModel(artists, neighbors, potential, clusters.n_clusters)
