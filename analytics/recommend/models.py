"""The candidate recommenders. Each is fitted on a listener x item play-count matrix and
scores items for listeners (`scores`) or listeners for items (`item_scores`); higher is
more likely to be streamed. All are deterministic for a seed."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from threadpoolctl import threadpool_limits


def _log_plays(plays: sp.csr_matrix) -> sp.csr_matrix:
    # Play counts are heavy-tailed: one obsessive listener should not outweigh ten casual ones.
    m = plays.tocsr().astype(np.float64, copy=True)
    m.data = np.log1p(m.data)
    return m


def _binary(plays: sp.csr_matrix) -> sp.csr_matrix:
    b = plays.tocsr().astype(np.float64, copy=True)
    b.data = np.ones_like(b.data)
    return b


def _top_k_rows(dense: np.ndarray, k: int) -> sp.csr_matrix:
    """Keep each row's k largest positive entries (a sparse neighbour matrix)."""
    n, m = dense.shape
    k = min(k, m)
    if k == 0 or n == 0:
        return sp.csr_matrix((n, m))
    idx = np.argpartition(-dense, k - 1, axis=1)[:, :k]
    vals = np.take_along_axis(dense, idx, axis=1)
    keep = vals > 0
    rows = np.repeat(np.arange(n), k)[keep.ravel()]
    return sp.csr_matrix((vals[keep], (rows, idx[keep])), shape=(n, m))


class Popularity:
    """Items by how many listeners stream them; listeners (for an item) by how many items they
    stream. The baseline every model must beat, and the cold-start fallback."""

    name = "popularity"

    def fit(self, plays: sp.csr_matrix) -> Popularity:
        b = _binary(plays)
        self.item_pop = np.asarray(b.sum(axis=0)).ravel()
        self.user_activity = np.asarray(b.sum(axis=1)).ravel()
        return self

    def scores(self, rows: np.ndarray) -> np.ndarray:
        return np.tile(self.item_pop, (len(rows), 1))

    def item_scores(self, cols: np.ndarray) -> np.ndarray:
        return np.tile(self.user_activity[:, None], (1, len(cols)))


@dataclass
class UserKNN:
    """User-user KNN with a baseline-adjusted Pearson similarity. Ratings are log plays;
    each is centred on its baseline mu + b_user + b_item (regularised means), the similarity
    of two listeners is the correlation of their residuals over the items both stream,
    shrunk towards 0 by (n - 1) / (n - 1 + shrinkage) for n items in common. An item's
    score is the summed similarity of the k nearest listeners who stream it."""

    k: int = 50
    shrinkage: float = 100.0
    reg_item: float = 10.0
    reg_user: float = 15.0
    batch: int = 256
    name: str = "user_knn"
    _w: sp.csr_matrix | None = field(default=None, repr=False)

    def fit(self, plays: sp.csr_matrix) -> UserKNN:
        r = _log_plays(plays)
        self.binary = _binary(plays)
        mu = r.data.mean() if r.nnz else 0.0
        coo = r.tocoo()
        n_i = np.bincount(coo.col, minlength=r.shape[1])
        b_i = np.bincount(coo.col, weights=coo.data - mu, minlength=r.shape[1]) / (
            self.reg_item + n_i
        )
        n_u = np.bincount(coo.row, minlength=r.shape[0])
        b_u = np.bincount(coo.row, weights=coo.data - mu - b_i[coo.col], minlength=r.shape[0]) / (
            self.reg_user + n_u
        )
        resid = coo.data - mu - b_u[coo.row] - b_i[coo.col]
        self.resid = sp.csr_matrix((resid, (coo.row, coo.col)), shape=r.shape)
        self.resid_sq = self.resid.multiply(self.resid).tocsr()
        self._w = None
        return self

    def similarity(self, rows: np.ndarray) -> np.ndarray:
        """Shrunk baseline Pearson similarity of `rows` to every listener (self = 0)."""
        e, e2, b = self.resid, self.resid_sq, self.binary
        num = (e[rows] @ e.T).toarray()
        d_self = (e2[rows] @ b.T).toarray()  # row listener's residuals on common items
        d_other = (b[rows] @ e2.T).toarray()  # other listener's residuals on common items
        common = (b[rows] @ b.T).toarray()
        with np.errstate(divide="ignore", invalid="ignore"):
            sim = num / np.sqrt(d_self * d_other)
        sim = np.nan_to_num(sim, nan=0.0, posinf=0.0, neginf=0.0)
        sim *= np.clip(common - 1, 0, None) / (np.clip(common - 1, 0, None) + self.shrinkage)
        sim[np.arange(len(rows)), rows] = 0.0
        return sim

    def neighbours(self, rows: np.ndarray) -> sp.csr_matrix:
        out = [
            _top_k_rows(self.similarity(rows[i : i + self.batch]), self.k)
            for i in range(0, len(rows), self.batch)
        ]
        return sp.vstack(out).tocsr() if out else sp.csr_matrix((0, self.binary.shape[0]))

    def scores(self, rows: np.ndarray) -> np.ndarray:
        return (self.neighbours(rows) @ self.binary).toarray()

    def item_scores(self, cols: np.ndarray) -> np.ndarray:
        if self._w is None:  # every listener's neighbours: computed once, on demand
            self._w = self.neighbours(np.arange(self.binary.shape[0]))
        return (self._w @ self.binary[:, cols]).toarray()


@dataclass
class ItemKNN:
    """Item-item KNN: cosine similarity of items' log-play columns, k neighbours per item; a
    listener's score for an item sums its similarity to the items the listener streams,
    weighted by the listener's log plays."""

    k: int = 100
    batch: int = 1024
    name: str = "item_knn"

    def fit(self, plays: sp.csr_matrix) -> ItemKNN:
        x = _log_plays(plays)
        norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=0)).ravel())
        xn = (x @ sp.diags(1.0 / np.where(norms > 0, norms, 1.0))).tocsc()
        n = x.shape[1]
        parts = []
        for i in range(0, n, self.batch):
            sim = (xn[:, i : i + self.batch].T @ xn).toarray()
            sim[np.arange(sim.shape[0]), np.arange(i, i + sim.shape[0])] = 0.0
            parts.append(_top_k_rows(sim, self.k))
        self.sim = sp.vstack(parts).tocsr() if parts else sp.csr_matrix((0, 0))
        self.x = x
        return self

    def scores(self, rows: np.ndarray) -> np.ndarray:
        return (self.x[rows] @ self.sim).toarray()

    def item_scores(self, cols: np.ndarray) -> np.ndarray:
        return (self.x @ self.sim[:, cols]).toarray()


@dataclass
class _Factors:
    factors: int = 64
    iterations: int = 15
    regularization: float = 0.05
    seed: int = 0

    def scores(self, rows: np.ndarray) -> np.ndarray:
        return self.user_factors[rows] @ self.item_factors.T

    def item_scores(self, cols: np.ndarray) -> np.ndarray:
        return self.user_factors @ self.item_factors[cols].T


@dataclass
class ALS(_Factors):
    """implicit's alternating least squares on the confidence matrix 1 + alpha * log(1 + plays)."""

    alpha: float = 10.0
    name: str = "als"

    def fit(self, plays: sp.csr_matrix) -> ALS:
        from implicit.cpu.als import AlternatingLeastSquares

        with threadpool_limits(1):
            model = AlternatingLeastSquares(
                factors=self.factors,
                regularization=self.regularization,
                alpha=self.alpha,
                iterations=self.iterations,
                random_state=self.seed,
                num_threads=1,  # one thread: the factors are identical on every run
            )
            model.fit(_log_plays(plays).astype(np.float32), show_progress=False)
        self.user_factors = np.asarray(model.user_factors, dtype=np.float64)
        self.item_factors = np.asarray(model.item_factors, dtype=np.float64)
        return self


@dataclass
class BPR(_Factors):
    """implicit's Bayesian personalised ranking on which items each listener streams."""

    learning_rate: float = 0.05
    regularization: float = 0.01
    iterations: int = 100
    name: str = "bpr"

    def fit(self, plays: sp.csr_matrix) -> BPR:
        from implicit.cpu.bpr import BayesianPersonalizedRanking

        model = BayesianPersonalizedRanking(
            factors=self.factors,
            learning_rate=self.learning_rate,
            regularization=self.regularization,
            iterations=self.iterations,
            random_state=self.seed,
            num_threads=1,
        )
        with threadpool_limits(1):
            model.fit(_binary(plays).astype(np.float32), show_progress=False)
        self.user_factors = np.asarray(model.user_factors, dtype=np.float64)
        self.item_factors = np.asarray(model.item_factors, dtype=np.float64)
        return self


Model = Popularity | UserKNN | ItemKNN | ALS | BPR


ALL_MODELS = ("popularity", "user_knn", "item_knn", "als", "bpr")


def candidates(
    names: tuple[str, ...] = ALL_MODELS, seed: int = 0, factors: int = 64
) -> list[Model]:
    """The named models (popularity first when named), unfitted."""
    made = {
        "popularity": lambda: Popularity(),
        "user_knn": lambda: UserKNN(),
        "item_knn": lambda: ItemKNN(),
        "als": lambda: ALS(factors=factors, seed=seed),
        "bpr": lambda: BPR(factors=factors, seed=seed),
    }
    return [made[n]() for n in names]
