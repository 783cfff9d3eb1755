"""Per-artist fan-type mixes with intervals, and each listener's fan type."""

from __future__ import annotations

import numpy as np

from analytics.fans.profiles import Profiles


def mix_posterior(
    counts: np.ndarray,
    phi: np.ndarray,
    *,
    alpha: float = 1.0,
    draws: int = 400,
    burn: int = 100,
    level: float = 0.90,
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Posterior mean and central `level` interval of every artist's mix, profiles fixed.

    Gibbs sampling with a Dirichlet(alpha) prior: assign each bin's listeners to profiles
    (multinomial), then draw the mix (Dirichlet via normalised gammas), for all artists at
    once. An artist with few listeners gets a wide interval (the prior dominates); a
    bootstrap would instead collapse to zero width for an artist whose few listeners share
    one bin."""
    rng = np.random.default_rng(seed)
    # Identical count rows have identical posteriors: sample each distinct row once.
    rows, inverse = np.unique(counts, axis=0, return_inverse=True)
    inverse = inverse.ravel()
    a, k = rows.shape[0], phi.shape[0]
    n = rows.astype(np.int64)
    theta = np.full((a, k), 1.0 / k)
    samples = np.empty((draws, a, k))
    for it in range(burn + draws):
        resp = theta[:, :, None] * phi[None, :, :]  # [a, k, bins]
        resp /= np.maximum(resp.sum(axis=1, keepdims=True), 1e-300)
        z = rng.multinomial(n, np.transpose(resp, (0, 2, 1)))  # [a, bins, k]
        g = rng.gamma(alpha + z.sum(axis=1))
        theta = g / g.sum(axis=1, keepdims=True)
        if it >= burn:
            samples[it - burn] = theta
    tail = (1.0 - level) / 2.0
    return (
        samples.mean(axis=0)[inverse],
        np.quantile(samples, tail, axis=0)[inverse],
        np.quantile(samples, 1.0 - tail, axis=0)[inverse],
    )


def assign(
    profiles: Profiles, theta: np.ndarray, artist_idx: np.ndarray, streams: np.ndarray
) -> np.ndarray:
    """[pairs, k] posterior probability of each profile for each listener-artist pair:
    the artist's mix times the profile's pmf at the pair's stream level."""
    post = theta[artist_idx] * profiles.phi[:, profiles.bins.index(streams)].T
    return post / np.maximum(post.sum(axis=1, keepdims=True), 1e-300)
