"""Offline audience models: how strongly each audience group engages with each track.

Per category of assets: the consumption matrix C (assets x geodemographic groups), its
truncation by tau1..tau5, group weights omega_j, the engagement matrix E from active and
passive channel consumption, and an ALS factorisation E ~ X Y^T whose (k, lambda) are chosen
by an adaptive grid on held-out SSE and then refitted on all entries.

Pure numpy / pandas / scikit-learn: no I/O.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

Update = Literal["exact", "approx"]
DEFAULT_UPDATE: Update = "exact"  # bench/budget_als.py: more accurate, fast enough (see docs)


# -- categories ------------------------------------------------------------------------------
def asset_categories(
    features: pd.DataFrame,
    genres: pd.Series,
    *,
    n_categories: int | None = None,
    assets_per_category: int = 150,
    genre_weight: float = 0.5,
    seed: int = 0,
) -> pd.Series:
    """Category per asset from its aggregate geodemographic engagement and its genre.

    `features`: one row per asset (index = asset id), columns = shares of its consumption by
    country / age band / gender / subscription (rows summing to ~1 per facet). `genres`:
    genre per asset (same index; missing allowed). K-means on the shares plus a weighted
    genre one-hot. The number of categories defaults to one per `assets_per_category` assets,
    so each category's model has enough assets to learn from.
    """
    from sklearn.cluster import KMeans

    n = len(features)
    if n == 0:
        return pd.Series(dtype=int)
    k = n_categories or max(1, round(n / assets_per_category))
    k = max(1, min(k, n))
    if k == 1:
        return pd.Series(0, index=features.index, name="category")
    onehot = pd.get_dummies(genres.reindex(features.index).fillna("unknown")).to_numpy(float)
    x = np.hstack([np.sqrt(np.clip(features.to_numpy(float), 0, None)), genre_weight * onehot])
    labels = KMeans(n_clusters=k, n_init=4, random_state=seed).fit_predict(x)
    return pd.Series(labels, index=features.index, name="category")


# -- truncation ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Taus:
    """Truncation thresholds (defaults documented in docs/features/budget.md).

    tau1: share of |C|_1 in the kept rows; tau2: share in the kept columns; tau3: share in the
    kept m x n block; tau4: maximum share of zero entries in the block; tau5: maximum m * n.
    """

    tau1: float = 0.8
    tau2: float = 0.8
    tau3: float = 0.6
    tau4: float = 0.5
    tau5: int = 40_000


@dataclass(frozen=True)
class Truncation:
    rows: np.ndarray  # indices into C's rows (I), by decreasing row sum
    cols: np.ndarray  # indices into C's columns (J), by decreasing column sum
    rule: str  # "all" | "fallback-123" | "fallback-45"
    row_share: float
    col_share: float
    block_share: float
    sparsity: float


def truncate(c: np.ndarray, taus: Taus = Taus()) -> Truncation:
    """Choose the top m rows and top n columns of C meeting five conditions (see Taus).

    Among (m, n) meeting all five, the largest block m * n is kept (the most data the compute
    budget allows). The fallback when none does: the smallest block meeting (1, 2, 3)
    if it also meets (4) or (5), else the largest block meeting at least one of (4) or (5).
    """
    c = np.asarray(c, float)
    m_all, n_all = c.shape
    total = c.sum()
    if total <= 0 or m_all == 0 or n_all == 0:
        return Truncation(np.arange(0), np.arange(0), "all", 0.0, 0.0, 0.0, 1.0)
    ro = np.argsort(-c.sum(axis=1), kind="stable")
    co = np.argsort(-c.sum(axis=0), kind="stable")
    p = c[np.ix_(ro, co)]
    row_share = np.cumsum(p.sum(axis=1)) / total  # (1) for m = 1..M
    col_share = np.cumsum(p.sum(axis=0)) / total  # (2) for n = 1..N
    block = np.cumsum(np.cumsum(p, axis=0), axis=1) / total  # (3) [m-1, n-1]
    nonzero = np.cumsum(np.cumsum(p > 0, axis=0), axis=1)
    size = np.outer(np.arange(1, m_all + 1), np.arange(1, n_all + 1))
    sparsity = 1.0 - nonzero / size
    ok123 = (row_share[:, None] > taus.tau1) & (col_share[None, :] > taus.tau2)
    ok123 &= block > taus.tau3
    ok4 = sparsity < taus.tau4
    ok5 = size < taus.tau5

    def pick(mask: np.ndarray, largest: bool) -> tuple[int, int] | None:
        if not mask.any():
            return None
        sizes = np.where(mask, size, -1 if largest else np.iinfo(np.int64).max)
        flat = int(np.argmax(sizes) if largest else np.argmin(sizes))
        return divmod(flat, n_all)

    chosen, rule = pick(ok123 & ok4 & ok5, largest=True), "all"
    if chosen is None:
        smallest = pick(ok123, largest=False)
        if smallest is not None and (ok4[smallest] or ok5[smallest]):
            chosen, rule = smallest, "fallback-123"
        else:
            chosen, rule = pick(ok4 | ok5, largest=True), "fallback-45"
    if chosen is None:  # a 1 x 1 block always meets (5) unless tau5 <= 1
        chosen, rule = (0, 0), "fallback-45"
    mi, ni = chosen
    return Truncation(
        rows=ro[: mi + 1],
        cols=co[: ni + 1],
        rule=rule,
        row_share=float(row_share[mi]),
        col_share=float(col_share[ni]),
        block_share=float(block[mi, ni]),
        sparsity=float(sparsity[mi, ni]),
    )


def group_weights(c_block: np.ndarray) -> np.ndarray:
    """omega_j := sum_i C_ij over the kept assets: a group weighs what it streamed."""
    return np.asarray(c_block, float).sum(axis=0)


# -- engagement ------------------------------------------------------------------------------
def engagement(a: np.ndarray, p: np.ndarray) -> np.ndarray:
    """E := A^2 / (A + P): active volume discounted by its share of all consumption (0 if none)."""
    a = np.asarray(a, float)
    p = np.asarray(p, float)
    tot = a + p
    return np.divide(a * a, tot, out=np.zeros_like(tot), where=tot > 0)


def model_scale(e: np.ndarray) -> np.ndarray:
    """The scale the factorisation works on: log1p(E). Raw E spans five orders of magnitude,
    so squared error on it would only fit the largest groups."""
    return np.log1p(np.asarray(e, float))


# -- ALS -------------------------------------------------------------------------------------
def _solve_rows(
    e: np.ndarray, mask: np.ndarray, f: np.ndarray, lam: float, update: Update
) -> np.ndarray:
    """Rows R minimising sum_masked (e - R f^T)^2 + lam |R|^2, for fixed f."""
    k = f.shape[1]
    rhs = (e * mask) @ f  # E D^(i) Y
    eye = lam * np.eye(k)
    if update == "approx":  # the cheap approximation: Y^T Y instead of Y^T D^(i) Y
        return np.linalg.solve(f.T @ f + eye, rhs.T).T
    # Y^T D^(i) Y for every row i at once: the mask times the flattened outer products y_j y_j^T
    outer = (f[:, :, None] * f[:, None, :]).reshape(len(f), k * k)
    gram = (mask @ outer).reshape(-1, k, k) + eye
    return np.linalg.solve(gram, rhs[:, :, None])[:, :, 0]


def als(
    e: np.ndarray,
    mask: np.ndarray,
    k: int,
    lam: float,
    *,
    update: Update = DEFAULT_UPDATE,
    iters: int = 30,
    tol: float = 1e-4,
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """Factorise E ~ X Y^T on the masked entries (regularised squared error).

    Returns X (m x k+1) and Y (n x k+1): k latent factors plus the training mean as a last
    column of X against a column of ones in Y.
    """
    rng = np.random.default_rng(seed)
    m, n = e.shape
    mask = mask.astype(float)
    # Centre on the training mean: a zero then means "average", which is what the
    # approximate update implicitly assumes for entries outside the training set.
    mu = float((e * mask).sum() / max(mask.sum(), 1.0))
    ec = e - mu
    x = rng.normal(0, 0.1, (m, k))
    y = rng.normal(0, 0.1, (n, k))
    prev = np.inf
    for _ in range(iters):
        x = _solve_rows(ec, mask, y, lam, update)
        y = _solve_rows(ec.T, mask.T, x, lam, update)
        cost = float((((ec - x @ y.T) * mask) ** 2).sum())
        if np.isfinite(prev) and abs(prev - cost) <= tol * max(prev, 1.0):
            break
        prev = cost
    # The mean rides along as a fixed factor column so that E_hat = X Y^T stays one product.
    return np.hstack([x, np.full((m, 1), mu)]), np.hstack([y, np.ones((n, 1))])


def train_test_mask(shape: tuple[int, int], test_share: float, seed: int) -> np.ndarray:
    """True for training entries; a random `test_share` of entries are held out."""
    rng = np.random.default_rng(seed)
    return rng.random(shape) >= test_share


def sse(e: np.ndarray, est: np.ndarray, where: np.ndarray) -> float:
    return float((((e - est) * where) ** 2).sum())


def baseline_estimate(e: np.ndarray, train: np.ndarray) -> np.ndarray:
    """Row mean + column mean - global mean over the training entries (the obvious model)."""
    w = train.astype(float)
    g = (e * w).sum() / max(w.sum(), 1.0)
    r = np.divide((e * w).sum(1), w.sum(1), out=np.full(e.shape[0], g), where=w.sum(1) > 0)
    c = np.divide((e * w).sum(0), w.sum(0), out=np.full(e.shape[1], g), where=w.sum(0) > 0)
    return r[:, None] + c[None, :] - g


@dataclass
class GridResult:
    k: int
    lam: float
    test_sse: float
    baseline_sse: float
    tried: list[tuple[int, float, float]] = field(default_factory=list)  # (k, lam, sse)
    seconds: float = 0.0


def choose_hyperparameters(
    e: np.ndarray,
    *,
    ks: tuple[int, ...] = (1, 2, 4, 8, 16),
    lams: tuple[float, ...] = (0.01, 0.1, 1.0, 10.0),
    test_share: float = 0.2,
    update: Update = DEFAULT_UPDATE,
    seed: int = 0,
    refine: int = 1,
) -> GridResult:
    """Adaptive grid search of (k, lambda) on held-out SSE.

    A coarse grid first; then `refine` rounds around the best pair (k halfway to its grid
    neighbours, lambda a factor sqrt(10) either side), keeping whichever pair is best.
    """
    started = time.perf_counter()
    m, n = e.shape
    train = train_test_mask(e.shape, test_share, seed)
    test = ~train
    kmax = max(1, min(m, n) - 1)
    ks = tuple(sorted({min(k, kmax) for k in ks}))
    tried: dict[tuple[int, float], float] = {}

    def score(k: int, lam: float) -> float:
        key = (int(k), float(lam))
        if key not in tried:
            x, y = als(e, train, key[0], key[1], update=update, seed=seed)
            tried[key] = sse(e, x @ y.T, test)
        return tried[key]

    for k in ks:
        for lam in lams:
            score(k, lam)
    for _ in range(refine):
        bk, bl = min(tried, key=tried.get)
        i = ks.index(bk) if bk in ks else None
        cand_k = {bk}
        if i is not None:
            if i > 0:
                cand_k.add((ks[i - 1] + bk) // 2)
            if i + 1 < len(ks):
                cand_k.add((ks[i + 1] + bk) // 2)
        for k in sorted(k for k in cand_k if 1 <= k <= kmax):
            for lam in (bl / np.sqrt(10), bl, bl * np.sqrt(10)):
                score(k, lam)
    bk, bl = min(tried, key=tried.get)
    base = sse(e, baseline_estimate(e, train), test)
    return GridResult(
        k=bk,
        lam=bl,
        test_sse=tried[(bk, bl)],
        baseline_sse=base,
        tried=[(k, lam, s) for (k, lam), s in sorted(tried.items())],
        seconds=time.perf_counter() - started,
    )


@dataclass
class CategoryModel:
    """A fitted category model: what the online component needs."""

    e: np.ndarray  # m x n engagement (model scale) of the kept assets I over groups J
    x: np.ndarray  # m x k
    y: np.ndarray  # n x k
    k: int
    lam: float
    test_sse: float
    baseline_sse: float
    grid_seconds: float = 0.0
    tried: int = 0


def fit_category(
    e: np.ndarray, *, update: Update = DEFAULT_UPDATE, seed: int = 0, **grid: object
) -> CategoryModel:
    """Grid-search (k, lambda) on a train/test split, then refit on all entries."""
    res = choose_hyperparameters(e, update=update, seed=seed, **grid)  # type: ignore[arg-type]
    x, y = als(e, np.ones_like(e, bool), res.k, res.lam, update=update, seed=seed)
    return CategoryModel(
        e, x, y, res.k, res.lam, res.test_sse, res.baseline_sse, res.seconds, len(res.tried)
    )
