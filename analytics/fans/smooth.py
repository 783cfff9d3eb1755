"""The smooth profile model: each fan profile a rounded log-normal over stream levels,
fitted by EM on the artist x bin counts.

It keeps LDA's generative story (an artist's mix over profiles; a listener draws a profile,
then a stream level) but the smooth, ordered profiles are not jagged and stay identifiable
from the pooled distribution even when artists' mixes differ little (unconstrained topics
are then only determined up to mixing with each other)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import ndtr

from analytics.fans.binning import Bins


def _log_edges(bins: Bins) -> tuple[np.ndarray, np.ndarray]:
    """Log bounds of each bin on the continuous scale (totals are rounded, at least 1)."""
    lo = np.log(np.maximum(bins.low - 0.5, 1e-300))
    lo[0] = -np.inf
    hi = np.log(bins.high + 0.5)
    hi[-1] = np.inf
    return lo, hi


def lognormal_bin_pmf(mu: np.ndarray, sigma: np.ndarray, bins: Bins) -> np.ndarray:
    """[k, bins] probability of each bin under rounded log-normal profiles."""
    lo, hi = _log_edges(bins)
    cdf_hi = ndtr((hi[None, :] - mu[:, None]) / sigma[:, None])
    cdf_lo = ndtr((lo[None, :] - mu[:, None]) / sigma[:, None])
    return np.maximum(cdf_hi - cdf_lo, 1e-300)


def _truncated_moments(
    mu: np.ndarray, sigma: np.ndarray, bins: Bins
) -> tuple[np.ndarray, np.ndarray]:
    """[k, bins] mean and variance of log x for x in each bin under each profile (a normal
    truncated to the bin's log bounds): the E-step statistics of binned, rounded totals."""
    lo, hi = _log_edges(bins)
    m, sd = mu[:, None], sigma[:, None]
    a = (lo[None, :] - m) / sd
    b = (hi[None, :] - m) / sd
    z_raw = ndtr(b) - ndtr(a)
    far = z_raw < 1e-10  # a bin deep in the profile's tail: it carries ~no weight anyway
    z = np.where(far, 1.0, z_raw)
    pdf_a = np.where(np.isfinite(a), np.exp(-0.5 * np.where(np.isfinite(a), a, 0) ** 2), 0.0)
    pdf_b = np.where(np.isfinite(b), np.exp(-0.5 * np.where(np.isfinite(b), b, 0) ** 2), 0.0)
    pdf_a, pdf_b = pdf_a / np.sqrt(2 * np.pi), pdf_b / np.sqrt(2 * np.pi)
    a_pdf = np.where(np.isfinite(a), a, 0.0) * pdf_a
    b_pdf = np.where(np.isfinite(b), b, 0.0) * pdf_b
    shift = (pdf_a - pdf_b) / z
    shift = np.where(far, 0.0, shift)
    mean = np.where(far, bins.log_mean[None, :], m + sd * shift)
    var = np.where(
        far,
        bins.log_var[None, :],
        sd**2 * np.maximum(1.0 + np.where(far, 0.0, (a_pdf - b_pdf) / z) - shift**2, 0.0),
    )
    return mean, var


@dataclass(frozen=True)
class SmoothFit:
    mu: np.ndarray  # [k] log-scale location of each profile
    sigma: np.ndarray  # [k] log-scale spread
    phi: np.ndarray  # [k, bins]
    theta: np.ndarray  # [artists, k] maximum-likelihood mixes
    loglik: float  # training log-likelihood (bins)


@dataclass(frozen=True)
class _Pooled:
    """What every restart starts from: the distinct count rows and the pooled totals."""

    rows: np.ndarray  # distinct artist count rows
    mult: np.ndarray  # [rows, 1] how many artists share each row
    cum: np.ndarray  # cumulative share of listeners by bin
    spread: float  # sd of log streams over all listeners


def _pooled(counts: np.ndarray, bins: Bins) -> tuple[_Pooled, np.ndarray]:
    """The distinct rows (artists with identical rows get identical mixes, so each is fitted
    once, weighted by how many artists share it) and the inverse map back to artists."""
    rows, inverse, mult = np.unique(counts, axis=0, return_inverse=True, return_counts=True)
    pooled = counts.sum(axis=0)
    total = max(float(pooled.sum()), 1.0)
    centre = float(pooled @ bins.log_mean / total)
    spread = float(np.sqrt(pooled @ (bins.log_var + (bins.log_mean - centre) ** 2) / total))
    cum = np.cumsum(pooled) / total
    return _Pooled(rows, mult.astype(float)[:, None], cum, spread), inverse.ravel()


def _em(
    data: _Pooled,
    bins: Bins,
    mu: np.ndarray,
    sigma: np.ndarray,
    *,
    iters: int,
    tol: float,
    min_sigma: float,
    prior: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """EM from the given profiles until the likelihood stops rising: (mu, sigma, theta)."""
    rows, mult = data.rows, data.mult
    k = len(mu)
    theta = np.full((rows.shape[0], k), 1.0 / k)
    prev = -np.inf
    for it in range(iters):
        phi = lognormal_bin_pmf(mu, sigma, bins)
        mixed = np.maximum(theta @ phi, 1e-300)  # [rows, bins]
        if it % 10 == 0 or it == iters - 1:
            ll = float(np.sum(mult * rows * np.log(mixed)))
            if ll - prev < tol * abs(ll):
                break
            prev = ll
        ratio = rows / mixed
        w_ak = theta * (ratio @ phi.T)  # expected listeners of each profile per row
        w_kb = phi * ((theta * mult).T @ ratio)  # expected listeners per profile and bin
        # One pseudo-listener per profile (MAP under Dirichlet(2), close to the posterior
        # mean under the flat prior the intervals use): an artist with one or two
        # listeners keeps some weight on every profile instead of an extreme mix.
        theta = (w_ak + prior) / (w_ak.sum(axis=1, keepdims=True) + k * prior)
        nk = np.maximum(w_kb.sum(axis=1), 1e-12)
        e_mean, e_var = _truncated_moments(mu, sigma, bins)
        mu = (w_kb * e_mean).sum(axis=1) / nk
        dev = e_var + (e_mean - mu[:, None]) ** 2
        sigma = np.sqrt(np.maximum((w_kb * dev).sum(axis=1) / nk, min_sigma**2))
    return mu, sigma, theta


def fit_smooth(
    counts: np.ndarray,
    bins: Bins,
    k: int,
    seed: int = 0,
    *,
    restarts: int = 3,
    iters: int = 1000,
    tol: float = 1e-7,
    min_sigma: float = 0.15,
    prior: float = 1.0,
) -> SmoothFit:
    """The k smooth profiles and every artist's mix, best of `restarts` EM runs.

    Totals are treated as interval-censored (a bin is an interval of the continuous scale,
    totals are rounded and at least 1), so the E-step uses the truncated normal moments of
    log streams in each bin under each profile. The first restart starts at evenly spaced
    quantiles of the pooled distribution, the others at random ones."""
    rng = np.random.default_rng(seed)
    data, inverse = _pooled(counts, bins)
    best: SmoothFit | None = None
    for r in range(restarts):
        q = (np.arange(k) + 0.5) / k
        if r > 0:
            q = np.sort(rng.uniform(0.02, 0.98, size=k))
        mu = bins.log_mean[np.minimum(np.searchsorted(data.cum, q), len(bins) - 1)].astype(float)
        sigma = np.full(k, max(data.spread / k, min_sigma))
        mu, sigma, theta = _em(
            data, bins, mu, sigma, iters=iters, tol=tol, min_sigma=min_sigma, prior=prior
        )
        phi = lognormal_bin_pmf(mu, sigma, bins)
        ll = float(np.sum(data.mult * data.rows * np.log(np.maximum(theta @ phi, 1e-300))))
        fit_r = SmoothFit(mu, sigma, phi, theta[inverse], ll)
        if best is None or fit_r.loglik > best.loglik:
            best = fit_r
    assert best is not None
    return best


def integer_pmf(fit: SmoothFit, streams: np.ndarray) -> np.ndarray:
    """[k, n] probability of each exact total under the smooth profiles."""
    s = np.asarray(streams, dtype=float)
    lo = np.where(s <= 1, -np.inf, np.log(np.maximum(s - 0.5, 1e-300)))
    hi = np.log(s + 0.5)
    m, sd = fit.mu[:, None], fit.sigma[:, None]
    return np.maximum(ndtr((hi[None, :] - m) / sd) - ndtr((lo[None, :] - m) / sd), 1e-300)
