"""Held-out ranking metrics: precision, recall and NDCG at k."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import scipy.sparse as sp

Scorer = Callable[[np.ndarray], np.ndarray]  # rows -> [len(rows), n_items] scores


def ranking_metrics(
    score: Scorer,
    train: sp.csr_matrix,
    test: sp.csr_matrix,
    rows: np.ndarray,
    k: int = 10,
    batch: int = 512,
) -> dict[str, float]:
    """Mean precision@k, recall@k and NDCG@k over `rows` (listeners with held-out items):
    items already streamed in train are never recommended again."""
    discount = 1.0 / np.log2(np.arange(2, k + 2))
    prec, rec, ndcg = [], [], []
    for i in range(0, len(rows), batch):
        r = rows[i : i + batch]
        s = np.asarray(score(r), dtype=np.float64)
        seen = train[r].tocoo()
        s[seen.row, seen.col] = -np.inf
        top = np.argsort(-s, axis=1, kind="stable")[:, :k]
        truth = test[r]
        hits = np.asarray(truth[np.arange(len(r))[:, None], top].todense()) > 0
        n_true = np.diff(truth.indptr)
        prec += list(hits.sum(axis=1) / k)
        rec += list(hits.sum(axis=1) / np.maximum(n_true, 1))
        ideal = np.array([discount[: min(n, k)].sum() for n in n_true])
        # a catalogue smaller than k ranks fewer than k items
        ndcg += list((hits * discount[: hits.shape[1]]).sum(axis=1) / np.maximum(ideal, 1e-12))
    return {
        f"precision@{k}": float(np.mean(prec)) if prec else 0.0,
        f"recall@{k}": float(np.mean(rec)) if rec else 0.0,
        f"ndcg@{k}": float(np.mean(ndcg)) if ndcg else 0.0,
    }


def adopter_precision(scores: np.ndarray, adopters: np.ndarray, k: int) -> float:
    """Share of the k highest-scored listeners who are among the item's held-out adopters
    (`adopters`: boolean per listener)."""
    k = min(k, len(scores))
    top = np.argpartition(-scores, k - 1)[:k] if k else np.zeros(0, dtype=int)
    return float(adopters[top].mean()) if len(top) else 0.0


def eval_rows(test: sp.csr_matrix, train: sp.csr_matrix, limit: int, seed: int) -> np.ndarray:
    """Listeners with held-out items and some history, a seeded sample of at most `limit`."""
    has_test = np.diff(test.indptr) > 0
    has_train = np.diff(train.indptr) > 0
    rows = np.flatnonzero(has_test & has_train)
    if len(rows) > limit:
        rows = np.sort(np.random.default_rng(seed).choice(rows, size=limit, replace=False))
    return rows
