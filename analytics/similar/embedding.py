"""Artist embeddings from who listens: the first steps of the similar-artists model.

1. the artist x listener stream matrix (listener-level rows only),
2. a weighting that damps heavy listeners and ubiquitous artists (BM25 or log scaling),
3. truncated SVD (or implicit's ALS) to a few dozen dimensions, rows L2-normalised so that
   similarity is about *who* listens, not how many.

Clusters of the embedding are in `clusters`, nearest neighbours in `neighbours`, and the
potential-streams model in `potential`; `model.fit` runs them all.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.decomposition import TruncatedSVD

from analytics.similar.units import units_of

WEIGHTINGS = ("bm25", "log", "none")
EMBEDDERS = ("svd", "als")
GRAM_MAX_ARTISTS = 4000  # above this, randomized SVD (the dense Gram matrix gets large)


@dataclass(frozen=True)
class ListenerMatrix:
    """Unit x listener streams (CSR, float64) with the row and column keys; a unit is an
    artist on one label (see `units`)."""

    matrix: sp.csr_matrix
    units: pd.DataFrame  # one row per matrix row: artist_id (and label when given)
    listener_ids: np.ndarray

    @property
    def artist_ids(self) -> np.ndarray:
        """The artist id of each matrix row."""
        return self.units["artist_id"].to_numpy()


def listener_matrix(rows: pd.DataFrame, keys: Sequence[str] = ("artist_id",)) -> ListenerMatrix:
    """Build the matrix from rows with the unit's `keys` (artist_id, or artist_id and label),
    listener_id and streams (summed). Rows are the units in key order."""
    a_codes, units = units_of(rows, list(keys))
    l_codes, listener_ids = pd.factorize(rows["listener_id"], sort=True)
    m = sp.csr_matrix(
        (rows["streams"].to_numpy(dtype=float), (a_codes, l_codes)),
        shape=(len(units), len(listener_ids)),
    )
    m.sum_duplicates()
    return ListenerMatrix(m, units, np.asarray(listener_ids))


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
        x = _gram_svd(m, dim)
    elif method == "svd":
        svd = TruncatedSVD(n_components=dim, algorithm="randomized", n_iter=7, random_state=seed)
        x = svd.fit_transform(m)
    else:
        x = _als(m, dim, seed)
    return _normalise_rows(x)


def _gram_svd(m: sp.csr_matrix, dim: int) -> np.ndarray:
    """Exact truncated SVD scores U S of a matrix with few rows and many columns.

    Artists are few and listeners many: U S comes from the small artist x artist Gram
    matrix M M^T = U S^2 U^T (measured ~60x faster than randomized SVD over 60,000 listener
    columns; bench/similar_bench.py)."""
    gram = (m @ m.T).toarray()
    eigval, eigvec = np.linalg.eigh(gram)
    top = np.argsort(-eigval, kind="stable")[:dim]
    return eigvec[:, top] * np.sqrt(np.clip(eigval[top], 0.0, None))


def _als(m: sp.csr_matrix, dim: int, seed: int) -> np.ndarray:
    """Artist factors of implicit's alternating least squares (artists as its users)."""
    from implicit.cpu.als import AlternatingLeastSquares

    als = AlternatingLeastSquares(
        factors=dim,
        regularization=0.05,
        iterations=20,
        random_state=seed,
        calculate_training_loss=False,
        num_threads=1,
    )
    als.fit(sp.csr_matrix(m, dtype=np.float32), show_progress=False)
    return np.asarray(als.user_factors, dtype=float)
