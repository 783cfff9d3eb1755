"""How many fan profiles: held-out likelihood of k-profile models over several splits.

Also scores the baseline model (sklearn LDA with stream-level bins as unordered words) on
the same splits, so the smooth model can be compared with it."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.decomposition import LatentDirichletAllocation

from analytics.fans.binning import count_matrix, log_bins, quantile_bins
from analytics.fans.smooth import fit_smooth, integer_pmf

MODELS = ("smooth", "lda_log", "lda_quantile150")


def fit_lda(counts: np.ndarray, k: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """The baseline model: sklearn LDA with bins as unordered words.

    Returns (phi [k, bins] profile pmfs over bins, theta [artists, k] mixes)."""
    lda = LatentDirichletAllocation(
        n_components=k,
        learning_method="batch",
        max_iter=50,
        evaluate_every=-1,
        random_state=seed,
    )
    theta = lda.fit_transform(counts)
    phi = lda.components_ / lda.components_.sum(axis=1, keepdims=True)
    return phi, theta


def heldout_loglik(per_pair: np.ndarray, theta: np.ndarray, artist_idx: np.ndarray) -> float:
    """Mean log-probability per held-out pair of its exact total; `per_pair` is [k, n]
    the probability of each pair's total under each profile (per integer, so models with
    different binnings are compared on the same outcome space)."""
    p = np.einsum("nk,kn->n", theta[artist_idx], per_pair)
    return float(np.mean(np.log(np.maximum(p, 1e-300))))


def split_pairs(n: int, test_share: float, seed: int) -> np.ndarray:
    """Boolean test mask: a random share of listener-artist pairs held out."""
    return np.random.default_rng(seed).random(n) < test_share


def evaluate_k(
    artist_idx: np.ndarray,
    streams: np.ndarray,
    n_artists: int,
    k: int,
    seed: int,
    *,
    model: str = "smooth",
    test_share: float = 0.2,
) -> float:
    """Held-out log-likelihood per pair of a k-profile model fitted on the other pairs.

    model: "smooth" (this feature), "lda_log" (sklearn LDA on the same log bins) or
    "lda_quantile150" (the baseline: 150 quantile bins as unordered words). The LDA
    variants predict a total by its bin's mass spread evenly over the bin's integers."""
    test = split_pairs(len(streams), test_share, seed)
    train = ~test
    bins = quantile_bins(streams[train]) if model == "lda_quantile150" else log_bins(streams[train])
    counts = count_matrix(artist_idx[train], bins.index(streams[train]), n_artists, len(bins))
    if model == "smooth":
        f = fit_smooth(counts, bins, k, seed)
        return heldout_loglik(integer_pmf(f, streams[test]), f.theta, artist_idx[test])
    phi, theta = fit_lda(counts, k, seed)
    per = (phi / bins.width[None, :])[:, bins.index(streams[test])]
    return heldout_loglik(per, theta, artist_idx[test])


@dataclass(frozen=True)
class KChoice:
    k: int
    scores: pd.DataFrame  # k, seed, loglik
    flat: bool  # no k beat the default clearly: the default was kept


def choose_k(
    artist_idx: np.ndarray,
    streams: np.ndarray,
    n_artists: int,
    ks: tuple[int, ...] = (2, 3, 4, 5),
    seeds: tuple[int, ...] = (0, 1, 2),
    default: int = 3,
    min_gain: float = 0.002,
) -> KChoice:
    """The number of profiles by mean held-out log-likelihood over several seeds/splits.

    A k is 'as good as the best' when its mean is within max(min_gain nats per pair, one
    standard error of the difference over seeds). Among those, the default is kept when
    present (the evidence is flat), otherwise the smallest such k."""
    rows = [(k, s, evaluate_k(artist_idx, streams, n_artists, k, s)) for k in ks for s in seeds]
    scores = pd.DataFrame(rows, columns=["k", "seed", "loglik"])
    wide = scores.pivot(index="seed", columns="k", values="loglik")
    means = wide.mean()
    best = int(means.idxmax())
    ok = []
    for k in wide.columns:
        diff = wide[best] - wide[k]
        se = float(diff.std(ddof=1) / np.sqrt(len(diff))) if len(diff) > 1 else 0.0
        if float(diff.mean()) <= max(min_gain, se):
            ok.append(int(k))
    chosen = default if default in ok else min(ok)
    return KChoice(chosen, scores, flat=default in ok and len(ok) > 1)


def given_k(k: int) -> KChoice:
    """A k fixed by the caller: no scores."""
    return KChoice(k, pd.DataFrame(columns=["k", "seed", "loglik"]), flat=False)
