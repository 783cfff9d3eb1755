"""Similar artists (seed 001, "Artist Clustering"): embeddings, clusters, neighbours.

Pure functions on arrays and frames. The artist model:

1. the artist x listener stream matrix (listener-level rows only),
2. a weighting that damps heavy listeners and ubiquitous artists (BM25 or log scaling),
3. truncated SVD (or implicit's ALS) to a few dozen dimensions, rows L2-normalised so that
   similarity is about *who* listens, not how many,
4. a Bayesian Gaussian mixture with a Dirichlet-process prior on the embedding (the number
   of clusters is inferred, up to a cap),
5. cosine nearest neighbours over all artists, explained by the listeners they share.

The geographic model (`potential_streams`) lives in `analytics.similar_geo`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.decomposition import TruncatedSVD
from sklearn.mixture import BayesianGaussianMixture

WEIGHTINGS = ("bm25", "log", "none")
EMBEDDERS = ("svd", "als")
GRAM_MAX_ARTISTS = 4000  # above this, randomized SVD (the dense Gram matrix gets large)


@dataclass(frozen=True)
class ListenerMatrix:
    """Artist x listener streams (CSR, float64) with the row and column keys."""

    matrix: sp.csr_matrix
    artist_ids: np.ndarray
    listener_ids: np.ndarray


def listener_matrix(rows: pd.DataFrame) -> ListenerMatrix:
    """Build the matrix from rows with columns artist_id, listener_id, streams (summed)."""
    a_codes, artist_ids = pd.factorize(rows["artist_id"], sort=True)
    l_codes, listener_ids = pd.factorize(rows["listener_id"], sort=True)
    m = sp.csr_matrix(
        (rows["streams"].to_numpy(dtype=float), (a_codes, l_codes)),
        shape=(len(artist_ids), len(listener_ids)),
    )
    m.sum_duplicates()
    return ListenerMatrix(m, np.asarray(artist_ids), np.asarray(listener_ids))


def weight(
    m: sp.csr_matrix, method: str = "bm25", k1: float = 1.2, b: float = 0.75
) -> sp.csr_matrix:
    """Weight the stream counts before factorising.

    bm25: the term-frequency saturation of Okapi BM25 (a listener's 200 streams count little
    more than 20) times the inverse document frequency of the listener (a listener who
    streams every artist says little about any pair), with length normalisation per artist.
    log: log1p(streams). none: raw counts (for comparison only).
    """
    if method not in WEIGHTINGS:
        raise ValueError(f"unknown weighting {method!r}: choose one of {', '.join(WEIGHTINGS)}")
    m = sp.csr_matrix(m, dtype=float, copy=True)
    if method == "none":
        return m
    if method == "log":
        m.data = np.log1p(m.data)
        return m
    n_artists = m.shape[0]
    df = np.bincount(m.indices, minlength=m.shape[1])
    idf = np.log((n_artists - df + 0.5) / (df + 0.5) + 1.0)
    length = np.asarray(m.sum(axis=1)).ravel()
    avg = length.mean() if len(length) and length.mean() > 0 else 1.0
    row_of = np.repeat(np.arange(n_artists), np.diff(m.indptr))
    norm = k1 * (1.0 - b + b * length[row_of] / avg)
    tf = m.data * (k1 + 1.0) / (m.data + norm)
    m.data = tf * idf[m.indices]
    return m


def _normalise_rows(x: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return x / np.where(norms > 0, norms, 1.0)


def embed(m: sp.csr_matrix, dim: int = 32, method: str = "svd", seed: int = 0) -> np.ndarray:
    """Artist embeddings (rows L2-normalised) from a weighted artist x listener matrix.

    `dim` is capped below the matrix rank bound (artists - 1), so a small catalogue still
    gets an embedding (with fewer dimensions) rather than an error.
    """
    if method not in EMBEDDERS:
        raise ValueError(f"unknown embedder {method!r}: choose one of {', '.join(EMBEDDERS)}")
    n_artists, n_listeners = m.shape
    dim = max(1, min(dim, n_artists - 1, n_listeners - 1))
    if n_artists < 2:
        return np.ones((n_artists, 1))
    if method == "svd" and n_artists <= GRAM_MAX_ARTISTS:
        # Artists are few and listeners many: the exact truncated SVD scores U S come from
        # the small artist x artist Gram matrix M M^T = U S^2 U^T (measured ~60x faster than
        # randomized SVD over 60,000 listener columns; bench/similar_bench.py).
        gram = (m @ m.T).toarray()
        eigval, eigvec = np.linalg.eigh(gram)
        top = np.argsort(-eigval, kind="stable")[:dim]
        x = eigvec[:, top] * np.sqrt(np.clip(eigval[top], 0.0, None))
    elif method == "svd":
        svd = TruncatedSVD(n_components=dim, algorithm="randomized", n_iter=7, random_state=seed)
        x = svd.fit_transform(m)
    else:
        from implicit.cpu.als import AlternatingLeastSquares

        als = AlternatingLeastSquares(
            factors=dim,
            regularization=0.05,
            iterations=20,
            random_state=seed,
            calculate_training_loss=False,
            num_threads=1,
        )
        als.fit(sp.csr_matrix(m, dtype=np.float32), show_progress=False)  # users = artists
        x = np.asarray(als.user_factors, dtype=float)
    return _normalise_rows(x)


@dataclass(frozen=True)
class Clusters:
    labels: np.ndarray  # [A] cluster number, renumbered 0.. by size (largest first)
    probability: np.ndarray  # [A] posterior probability of the assigned cluster
    n_clusters: int


def signal_dims(x: np.ndarray, max_dims: int = 20) -> int:
    """How many principal directions of the embedding carry cluster structure.

    The eigengap heuristic: with g well-separated groups the centred embedding has g - 1
    large singular values and then a drop to the noise floor; take the position of the
    largest ratio s[i] / s[i + 1] (at least 2 directions).
    """
    n = len(x)
    if n < 4:
        return 1
    # At most n // 3 directions: a cluster needs a few members, and the trailing singular
    # values of a small, rank-deficient embedding fall to ~0 and would fake a huge gap.
    top = max(2, min(max_dims, n // 3))
    s = np.linalg.svd(x - x.mean(axis=0), compute_uv=False)[: top + 1]
    if len(s) < 3:
        return max(1, len(s))
    ratio = s[:-1] / np.maximum(s[1:], 1e-12)  # ratio[i]: the drop after i + 1 directions
    return int(np.argmax(ratio[1:]) + 2)  # at least 2 directions


def cluster(
    x: np.ndarray, max_clusters: int = 20, dims: int | None = None, seed: int = 0
) -> Clusters:
    """Bayesian Gaussian mixture with a Dirichlet-process prior on the embedding.

    The mixture is fitted on the leading principal directions of the (normalised) embedding
    (`dims`, by default chosen by `signal_dims`): the trailing directions are listener-level
    noise, and a mixture over ~100 artists in 32 dimensions splits communities on that
    noise. The DP prior switches unused components off, so `max_clusters` is a cap, not a
    choice of the number of clusters.
    """
    n = len(x)
    if n < 3:
        return Clusters(np.zeros(n, dtype=int), np.ones(n), 1 if n else 0)
    centred = x - x.mean(axis=0)
    u, s, _ = np.linalg.svd(centred, full_matrices=False)
    d = signal_dims(x) if dims is None else dims
    d = max(1, min(d, n - 2, len(s)))
    z = u[:, :d] * s[:d]
    k = max(1, min(max_clusters, n // 2))
    bgm = BayesianGaussianMixture(
        n_components=k,
        weight_concentration_prior_type="dirichlet_process",
        weight_concentration_prior=1.0 / k,
        covariance_type="diag",
        max_iter=500,
        n_init=3,
        init_params="k-means++",
        random_state=seed,
    )
    bgm.fit(z)
    proba = bgm.predict_proba(z)
    raw = proba.argmax(axis=1)
    # Renumber by size so cluster numbers start at 0 with the largest cluster.
    used, counts = np.unique(raw, return_counts=True)
    order = used[np.argsort(-counts, kind="stable")]
    remap = {old: new for new, old in enumerate(order)}
    labels = np.array([remap[r] for r in raw])
    return Clusters(labels, proba[np.arange(n), raw], len(used))


def projection_2d(x: np.ndarray, seed: int = 0, tsne_max: int = 400) -> np.ndarray:
    """A 2-D map of the embedding for the cluster view.

    t-SNE (cosine distance, PCA start) for catalogues up to `tsne_max` artists: the first
    two principal components alone show only 2 of the g - 1 directions that separate g
    clusters, so clusters overlap on screen. Larger catalogues fall back to those two
    principal components (t-SNE cost grows quickly). Positions have no unit.
    """
    n = len(x)
    out = np.zeros((n, 2))
    if n < 2:
        return out
    centred = x - x.mean(axis=0)
    u, s, _ = np.linalg.svd(centred, full_matrices=False)
    d = min(2, len(s))
    out[:, :d] = u[:, :d] * s[:d]
    if n < 5 or n > tsne_max:
        return out
    from sklearn.manifold import TSNE

    perplexity = float(min(30.0, max(2.0, (n - 1) / 3.0)))
    return TSNE(
        n_components=2,
        perplexity=perplexity,
        metric="cosine",
        init=out / max(np.abs(out).max(), 1e-12) * 1e-2 if np.abs(out).max() > 0 else "random",
        method="exact",
        max_iter=500,
        random_state=seed,
    ).fit_transform(x)


def neighbours(
    x: np.ndarray, k: int | None = None, block: int = 1024
) -> tuple[np.ndarray, np.ndarray]:
    """Cosine nearest neighbours of every artist among all others.

    Returns (index [A, k], score [A, k]) sorted by score, best first; k defaults to A - 1
    (the full ranking, so a scoped reader can filter and still have a list). Computed in
    row blocks so memory stays O(block x A) for large catalogues.
    """
    n = len(x)
    k = n - 1 if k is None else min(k, n - 1)
    if k <= 0:
        return np.zeros((n, 0), dtype=int), np.zeros((n, 0))
    idx = np.empty((n, k), dtype=np.int64)
    score = np.empty((n, k))
    for lo in range(0, n, block):
        hi = min(n, lo + block)
        sim = x[lo:hi] @ x.T
        sim[np.arange(hi - lo), np.arange(lo, hi)] = -np.inf
        if k < n - 1:
            part = np.argpartition(-sim, k - 1, axis=1)[:, :k]
        else:
            part = np.tile(np.arange(n), (hi - lo, 1))
        part_sim = np.take_along_axis(sim, part, axis=1)
        # best first; ties broken by artist order so runs are reproducible
        order = np.lexsort((part, -part_sim), axis=1)[:, :k]
        idx[lo:hi] = np.take_along_axis(part, order, axis=1)
        score[lo:hi] = np.take_along_axis(part_sim, order, axis=1)
    return idx, score


def shared_listeners(
    m: sp.csr_matrix, idx: np.ndarray, block: int = 1024
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For each artist a and its neighbours b: (shared, shared / listeners_a,
    shared / listeners_b).

    The explanation of a neighbour in words a manager can check: "x % of A's listeners also
    stream B, and y % of B's listeners stream A".
    """
    binary = sp.csr_matrix(m, copy=True)
    binary.data = np.ones_like(binary.data)
    counts = np.asarray(binary.sum(axis=1)).ravel()
    shared = np.zeros(idx.shape)
    for lo in range(0, len(idx), block):
        hi = min(len(idx), lo + block)
        co = (binary[lo:hi] @ binary.T).toarray()
        shared[lo:hi] = np.take_along_axis(co, idx[lo:hi], axis=1)
    share_a = shared / np.maximum(counts[:, None], 1)
    share_b = shared / np.maximum(counts[idx], 1)
    return shared, share_a, share_b


def neighbour_frame(
    artist_ids: np.ndarray, idx: np.ndarray, score: np.ndarray, m: sp.csr_matrix
) -> pd.DataFrame:
    """Long table: artist_id, rank (1 = most similar), neighbor_id, score, shared counts."""
    shared, share_a, share_b = shared_listeners(m, idx)
    n, k = idx.shape
    return pd.DataFrame(
        {
            "artist_id": np.repeat(artist_ids, k),
            "rank": np.tile(np.arange(1, k + 1), n),
            "neighbor_id": artist_ids[idx].ravel(),
            "score": score.ravel(),
            "shared_listeners": shared.ravel().astype(np.int64),
            "shared_share_a": share_a.ravel(),
            "shared_share_b": share_b.ravel(),
        }
    )
