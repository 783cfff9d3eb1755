"""Listener x item play-count matrices and the time split the models are chosen on."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp


@dataclass(frozen=True)
class Interactions:
    """Play counts (rows: listeners, columns: items) with the ids behind each index."""

    listeners: np.ndarray  # listener id per row
    items: np.ndarray  # item id (ISRC, or artist in the bench) per column
    plays: sp.csr_matrix  # float64 play counts, zero = never played

    @property
    def shape(self) -> tuple[int, int]:
        return self.plays.shape

    def binary(self) -> sp.csr_matrix:
        b = self.plays.copy()
        b.data = np.ones_like(b.data)
        return b


def from_pairs(
    pairs: pd.DataFrame,
    listeners: np.ndarray | None = None,
    items: np.ndarray | None = None,
    user: str = "listener_id",
    item: str = "isrc",
    value: str = "streams",
) -> Interactions:
    """Sum `value` per (user, item) into a matrix over the given id sets (default: those seen).
    Pairs whose ids are outside the given sets are dropped."""
    listeners = np.sort(pairs[user].unique()) if listeners is None else np.asarray(listeners)
    items = np.sort(pairs[item].unique()) if items is None else np.asarray(items)
    rows = pd.Index(listeners).get_indexer(pairs[user])
    cols = pd.Index(items).get_indexer(pairs[item])
    keep = (rows >= 0) & (cols >= 0)
    m = sp.csr_matrix(
        (pairs[value].to_numpy(float)[keep], (rows[keep], cols[keep])),
        shape=(len(listeners), len(items)),
    )
    m.sum_duplicates()
    return Interactions(listeners, items, m)


@dataclass(frozen=True)
class Split:
    """Train on the earlier months; the test is every (listener, item) pair first played in
    the held-out months: an adoption the model has to predict."""

    train: Interactions
    test: sp.csr_matrix  # binary adoptions, same shape and ids as train


def time_split(monthly: pd.DataFrame, holdout_months: int = 1) -> Split:
    """`monthly`: listener_id, isrc, month, streams. The last `holdout_months` months are
    held out; listeners and items of both periods are kept (so new items and listeners
    exist in train with zero plays: the cold-start cases)."""
    months = np.sort(monthly["month"].unique())
    cut = months[-holdout_months] if len(months) > holdout_months else months[-1]
    listeners = np.sort(monthly["listener_id"].unique())
    items = np.sort(monthly["isrc"].unique())
    early = monthly[monthly["month"] < cut]
    late = monthly[monthly["month"] >= cut]
    train = from_pairs(early, listeners, items)
    later = from_pairs(late, listeners, items).binary()
    seen = train.binary()
    test = (later - later.multiply(seen)).tocsr()
    test.eliminate_zeros()
    return Split(train, test)


def holdout_per_user(
    data: Interactions, fraction: float = 0.2, seed: int = 0
) -> tuple[Interactions, sp.csr_matrix]:
    """Hold out `fraction` of each listener's items at random (at least one when the listener
    has two or more): the evaluation of data without dates, such as listener x artist plays."""
    rng = np.random.default_rng(seed)
    m = data.plays.tocsr()
    train = m.copy().tolil()
    test_rows, test_cols = [], []
    for u in range(m.shape[0]):
        cols = m.indices[m.indptr[u] : m.indptr[u + 1]]
        if len(cols) < 2:
            continue
        n = max(1, int(round(fraction * len(cols))))
        held = rng.choice(cols, size=n, replace=False)
        for c in held:
            train[u, c] = 0
        test_rows += [u] * n
        test_cols += list(held)
    train = train.tocsr()
    train.eliminate_zeros()
    test = sp.csr_matrix(
        (np.ones(len(test_rows)), (test_rows, test_cols)), shape=m.shape, dtype=float
    )
    return Interactions(data.listeners, data.items, train), test
