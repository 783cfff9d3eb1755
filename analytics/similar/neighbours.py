"""Cosine nearest neighbours over all units (artists on a label), explained by the listeners they share."""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp

from analytics.similar.units import NEIGHBOUR_KEYS, as_units


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
    units: pd.DataFrame | np.ndarray, idx: np.ndarray, score: np.ndarray, m: sp.csr_matrix
) -> pd.DataFrame:
    """Long table: the unit's keys (artist_id[, label]), rank (1 = most similar), the
    neighbour's keys (neighbor_id[, neighbor_label]), score, shared counts.

    `units`: the matrix rows' unit keys (a frame), or their artist ids (an array)."""
    units = as_units(units)
    shared, share_a, share_b = shared_listeners(m, idx)
    n, k = idx.shape
    subject = {key: np.repeat(units[key].to_numpy(), k) for key in units.columns}
    other = {NEIGHBOUR_KEYS[key]: units[key].to_numpy()[idx].ravel() for key in units.columns}
    return pd.DataFrame(
        {
            **subject,
            "rank": np.tile(np.arange(1, k + 1), n),
            **other,
            "score": score.ravel(),
            "shared_listeners": shared.ravel().astype(np.int64),
            "shared_share_a": share_a.ravel(),
            "shared_share_b": share_b.ravel(),
        }
    )
