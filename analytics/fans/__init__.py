"""Fan types: latent listening-commitment profiles from per (listener, artist) stream totals.

Seed 001's method, with its weaknesses fixed: an artist x stream-level count matrix (artists
are documents, listeners are words, a word's value is its stream-level bin) is fitted with
LDA, so each topic is a fan profile, a distribution over stream levels. Here:

- bins are log-spaced and merged until none is near-empty (the original's 150 quantile bins,
  treated as unordered words, gave jagged profiles with many nearly empty words);
- the number of profiles is chosen by held-out likelihood over several seeds (3 when flat);
- profiles are ordered by mean streams and named, not labelled by eye;
- each artist's mix comes with a 90% posterior interval (Gibbs sampling of the mix with the
  profiles fixed), so an artist with few listeners gets a wide interval;
- light listeners are kept (one stream is a valid observation of a passive fan).

Pure numpy/pandas/sklearn; no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import ndtr
from sklearn.decomposition import LatentDirichletAllocation

NAMES = {
    1: ("listener",),
    2: ("passive", "diehard"),
    3: ("passive", "casual", "diehard"),
    4: ("passive", "casual", "committed", "diehard"),
    5: ("passive", "occasional", "casual", "committed", "diehard"),
}


def profile_names(k: int) -> list[str]:
    """Names for k profiles ordered by mean streams (lowest first)."""
    if k in NAMES:
        return list(NAMES[k])
    return ["passive"] + [f"level {i}" for i in range(2, k)] + ["diehard"]


# -- bins -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Bins:
    """Integer stream-level bins: bin b holds totals in [low[b], high[b]] (inclusive)."""

    low: np.ndarray
    high: np.ndarray
    mean: np.ndarray  # mean observed streams in the bin (the profile mean uses it)
    log_mean: np.ndarray  # mean of log(streams) in the bin (the EM's sufficient statistics)
    log_var: np.ndarray  # variance of log(streams) within the bin

    @property
    def width(self) -> np.ndarray:
        return (self.high - self.low + 1).astype(float)

    def __len__(self) -> int:
        return len(self.low)

    def index(self, streams: np.ndarray) -> np.ndarray:
        """Bin of each total (values beyond the last bin fall in it, below 1 in the first)."""
        return np.clip(np.searchsorted(self.low, streams, side="right") - 1, 0, len(self) - 1)


def _bins_from_edges(edges: np.ndarray, streams: np.ndarray) -> Bins:
    low, high = edges[:-1], edges[1:] - 1
    idx = np.clip(np.searchsorted(low, streams, side="right") - 1, 0, len(low) - 1)
    counts = np.bincount(idx, minlength=len(low))
    n = np.maximum(counts, 1)
    ls = np.log(streams.astype(float))
    mean = np.where(counts > 0, np.bincount(idx, streams, len(low)) / n, (low + high) / 2.0)
    mid = np.log(np.sqrt(low * high.astype(float)))
    lm = np.where(counts > 0, np.bincount(idx, ls, len(low)) / n, mid)
    lv = np.maximum(np.bincount(idx, ls**2, len(low)) / n - lm**2, 0.0)
    return Bins(
        low.astype(np.int64), high.astype(np.int64), mean, lm, np.where(counts > 0, lv, 0.0)
    )


def log_bins(streams: np.ndarray, n_bins: int = 24, min_share: float = 0.004) -> Bins:
    """Log-spaced integer bins over [1, max], merged until every bin holds >= min_share.

    A near-empty bin would be a 'word' LDA can barely estimate; merging it into its smaller
    neighbour keeps the profiles smooth where data is thin (the tails)."""
    s = np.asarray(streams, dtype=np.int64)
    s = s[s >= 1]
    top = int(s.max()) if len(s) else 1
    edges = np.unique(np.round(np.geomspace(1, top + 1, n_bins + 1)).astype(np.int64))
    edges[-1] = top + 1
    edges = np.unique(edges)
    while len(edges) > 2:
        counts = np.bincount(
            np.searchsorted(edges[:-1], s, side="right") - 1, minlength=len(edges) - 1
        )
        share = counts / max(len(s), 1)
        b = int(np.argmin(share))
        if share[b] >= min_share:
            break
        # merge bin b with its smaller neighbour by dropping the edge between them
        if b == 0:
            drop = 1
        elif b == len(counts) - 1:
            drop = b
        else:
            drop = b if counts[b - 1] <= counts[b + 1] else b + 1
        edges = np.delete(edges, drop)
    return _bins_from_edges(edges, s)


def quantile_bins(streams: np.ndarray, n_bins: int = 150) -> Bins:
    """The seed's original binning: n quantiles of the totals (duplicates dropped)."""
    s = np.asarray(streams, dtype=np.int64)
    s = s[s >= 1]
    q = np.quantile(s, np.linspace(0, 1, n_bins + 1))
    edges = np.unique(np.concatenate([[1], np.floor(q[1:-1]).astype(np.int64) + 1, [s.max() + 1]]))
    return _bins_from_edges(edges, s)


def count_matrix(artist_idx: np.ndarray, bin_idx: np.ndarray, n_artists: int, n_bins: int):
    """Artist x bin listener counts (the document-term matrix)."""
    m = np.zeros((n_artists, n_bins))
    np.add.at(m, (artist_idx, bin_idx), 1.0)
    return m


# -- the models ------------------------------------------------------------------------------
def fit_lda(counts: np.ndarray, k: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """The seed's original model: sklearn LDA with bins as unordered words.

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
    """LDA's generative model (artist mix over profiles; a listener draws a profile, then a
    stream level) with each profile a rounded log-normal over the ordered stream levels,
    fitted by EM on the artist x bin counts. The smooth, ordered profiles fix the original's
    jaggedness and make the profiles identifiable from the pooled distribution even when
    artists' mixes differ little (unconstrained topics are then only determined up to mixing
    with each other). Totals are treated as interval-censored (a bin is an interval of the
    continuous scale, totals are rounded and at least 1), so the E-step uses the truncated
    normal moments of log streams in each bin under each profile. Best of `restarts`."""
    rng = np.random.default_rng(seed)
    # Artists with identical count rows get identical mixes: fit each distinct row once,
    # weighted by how many artists share it (many small artists share a row).
    rows, inverse, mult = np.unique(counts, axis=0, return_inverse=True, return_counts=True)
    inverse = inverse.ravel()
    mult = mult.astype(float)[:, None]
    pooled = counts.sum(axis=0)
    total = max(float(pooled.sum()), 1.0)
    centre = float(pooled @ bins.log_mean / total)
    spread = float(np.sqrt(pooled @ (bins.log_var + (bins.log_mean - centre) ** 2) / total))
    cum = np.cumsum(pooled) / total
    best: SmoothFit | None = None
    for r in range(restarts):
        q = (np.arange(k) + 0.5) / k
        if r > 0:
            q = np.sort(rng.uniform(0.02, 0.98, size=k))
        mu = bins.log_mean[np.minimum(np.searchsorted(cum, q), len(bins) - 1)].astype(float)
        sigma = np.full(k, max(spread / k, min_sigma))
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
        phi = lognormal_bin_pmf(mu, sigma, bins)
        ll = float(np.sum(mult * rows * np.log(np.maximum(theta @ phi, 1e-300))))
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


def heldout_loglik(per_pair: np.ndarray, theta: np.ndarray, artist_idx: np.ndarray) -> float:
    """Mean log-probability per held-out pair of its exact total; `per_pair` is [k, n]
    the probability of each pair's total under each profile (per integer, so models with
    different binnings are compared on the same outcome space)."""
    p = np.einsum("nk,kn->n", theta[artist_idx], per_pair)
    return float(np.mean(np.log(np.maximum(p, 1e-300))))


def split_pairs(n: int, test_share: float, seed: int) -> np.ndarray:
    """Boolean test mask: a random share of listener-artist pairs held out."""
    return np.random.default_rng(seed).random(n) < test_share


MODELS = ("smooth", "lda_log", "lda_quantile150")


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
    "lda_quantile150" (the seed's original: 150 quantile bins as unordered words). The LDA
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


# -- fitted model -----------------------------------------------------------------------------
@dataclass(frozen=True)
class FanModel:
    bins: Bins
    phi: np.ndarray  # [k, bins], ordered by mean streams
    names: list[str]
    mean_streams: np.ndarray  # [k]
    thresholds: list[dict]  # between adjacent profiles: lower, upper, streams (or None)


def order_profiles(phi: np.ndarray, bins: Bins) -> tuple[np.ndarray, np.ndarray]:
    """Profiles sorted by mean streams (lowest first) and those means."""
    means = phi @ bins.mean
    order = np.argsort(means)
    return phi[order], means[order]


def crossover(phi_lo: np.ndarray, phi_hi: np.ndarray, bins: Bins) -> float | None:
    """Streams at which the higher profile becomes the more likely one.

    Scans upward from the lower profile's mode for the first bin where the higher profile's
    pmf is at least the lower's, interpolating log(ratio) linearly in log streams between bin
    centres (same width in both profiles, so bin masses compare like densities)."""
    r = np.log(np.maximum(phi_hi, 1e-300)) - np.log(np.maximum(phi_lo, 1e-300))
    centre = np.log(np.sqrt(bins.low * bins.high.astype(float)))
    start = int(np.argmax(phi_lo))
    for b in range(max(start, 1), len(r)):
        if r[b] >= 0 > r[b - 1]:
            t = -r[b - 1] / (r[b] - r[b - 1])
            return float(np.exp(centre[b - 1] + t * (centre[b] - centre[b - 1])))
    return None  # no change of sign above the lower profile's mode


def build_model(phi: np.ndarray, bins: Bins) -> FanModel:
    phi, means = order_profiles(phi, bins)
    names = profile_names(len(phi))
    thresholds = [
        {"lower": names[i], "upper": names[i + 1], "streams": crossover(phi[i], phi[i + 1], bins)}
        for i in range(len(phi) - 1)
    ]
    return FanModel(bins, phi, names, means, thresholds)


def fit(
    artist_idx: np.ndarray, streams: np.ndarray, n_artists: int, k: int, seed: int = 0
) -> FanModel:
    """Fit the k-profile model on all pairs."""
    bins = log_bins(streams)
    counts = count_matrix(artist_idx, bins.index(streams), n_artists, len(bins))
    return build_model(fit_smooth(counts, bins, k, seed).phi, bins)


# -- per artist mixes -------------------------------------------------------------------------
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
    model: FanModel, theta: np.ndarray, artist_idx: np.ndarray, streams: np.ndarray
) -> np.ndarray:
    """[pairs, k] posterior probability of each profile for each listener-artist pair:
    the artist's mix times the profile's pmf at the pair's stream level."""
    post = theta[artist_idx] * model.phi[:, model.bins.index(streams)].T
    return post / np.maximum(post.sum(axis=1, keepdims=True), 1e-300)


# -- breakdowns and conversion targets -------------------------------------------------------
def breakdowns(pairs: pd.DataFrame, post: np.ndarray, names: list[str], dims) -> pd.DataFrame:
    """Expected listeners per artist x profile x dimension value (sums of membership
    probabilities). `pairs`: artist_id plus the `dims` columns. Long form:
    artist_id, profile, dim, value, listeners."""
    soft = pd.DataFrame(post, columns=names, index=pairs.index)
    out = []
    for dim in dims:
        g = soft.groupby([pairs["artist_id"], pairs[dim].astype(str)]).sum()
        g.index.names = ["artist_id", "value"]
        long = g.stack().rename("listeners").reset_index().rename(columns={"level_2": "profile"})
        long.insert(2, "dim", dim)
        out.append(long)
    cols = ["artist_id", "profile", "dim", "value", "listeners"]
    return pd.concat(out, ignore_index=True)[cols] if out else pd.DataFrame(columns=cols)


def conversion_targets(
    pairs: pd.DataFrame,
    post: np.ndarray,
    top_share: pd.Series,
    *,
    segment: tuple[str, ...] = ("age_band", "gender", "country"),
    min_listeners: float = 5.0,
    per_artist: int = 25,
) -> pd.DataFrame:
    """Segments with the most non-diehard listeners relative to the artist's diehard share.

    For artist a with diehard (top-profile) share D_a and segment g with n_g listeners of
    which d_g are expected diehard (summed membership probabilities), the conversion gap is
    gap_g = n_g * D_a - d_g: the passive and casual listeners in g beyond what the artist's
    own diehard share implies, i.e. the extra diehards g would have if it converted like the
    artist's audience as a whole. Segments with n_g >= min_listeners and gap_g > 0 are ranked
    by gap (largest first), at most `per_artist` per artist."""
    seg = pairs[["artist_id", *segment]].astype(str).copy()
    seg["listeners"] = 1.0
    seg["diehard"] = post[:, -1]
    g = seg.groupby(["artist_id", *segment], as_index=False)[["listeners", "diehard"]].sum()
    g["passive_casual"] = g["listeners"] - g["diehard"]
    g["artist_diehard_share"] = g["artist_id"].map(top_share).astype(float)
    g["segment_diehard_share"] = g["diehard"] / g["listeners"]
    g["gap"] = g["listeners"] * g["artist_diehard_share"] - g["diehard"]
    g = g[(g["listeners"] >= min_listeners) & (g["gap"] > 0)]
    g = g.sort_values(["artist_id", "gap"], ascending=[True, False])
    g["rank"] = g.groupby("artist_id").cumcount() + 1
    return g[g["rank"] <= per_artist].reset_index(drop=True)


# -- the whole analysis on a pairs frame -----------------------------------------------------
DIMS = ("age_band", "gender", "country")


@dataclass(frozen=True)
class FanResults:
    model: FanModel
    mu: np.ndarray
    sigma: np.ndarray
    k_choice: KChoice
    mix: pd.DataFrame  # artist_id, profile_idx, profile, share, low, high, listeners
    assignments: pd.DataFrame  # artist_id, listener_id, streams, profile, probability
    breakdowns: pd.DataFrame
    targets: pd.DataFrame
    post: np.ndarray  # [pairs, k] membership probabilities (row order of `pairs`)


def analyse(
    pairs: pd.DataFrame,
    *,
    k: int | None = None,
    ks: tuple[int, ...] = (2, 3, 4, 5),
    seeds: tuple[int, ...] = (0, 1, 2),
    seed: int = 0,
    progress=None,
) -> FanResults:
    """Fit profiles, mixes, assignments, breakdowns and targets from `pairs`
    (artist_id, listener_id, streams and, when known, age_band, gender, country).

    k=None chooses the number of profiles by held-out likelihood (`choose_k`)."""
    report = progress or (lambda stage, fraction: None)
    pairs = pairs[pairs["streams"] > 0].reset_index(drop=True)
    if pairs.empty:
        raise ValueError("no listener-level streams to model")
    artist_codes, artist_ids = pd.factorize(pairs["artist_id"], sort=True)
    streams = pairs["streams"].to_numpy(dtype=np.int64)
    n_art = len(artist_ids)
    report("choosing the number of profiles", 0.1)
    if k is None:
        choice = choose_k(artist_codes, streams, n_art, ks=ks, seeds=seeds)
    else:
        choice = KChoice(k, pd.DataFrame(columns=["k", "seed", "loglik"]), flat=False)
    report("fitting profiles", 0.5)
    bins = log_bins(streams)
    counts = count_matrix(artist_codes, bins.index(streams), n_art, len(bins))
    sm = fit_smooth(counts, bins, choice.k, seed)
    order = np.argsort(sm.phi @ bins.mean)
    model = build_model(sm.phi, bins)
    report("artist mixes", 0.7)
    share, low, high = mix_posterior(counts, model.phi, seed=seed)
    listeners = counts.sum(axis=1).astype(np.int64)
    kk = len(model.names)
    mix = pd.DataFrame(
        {
            "artist_id": np.repeat(np.asarray(artist_ids), kk),
            "profile_idx": np.tile(np.arange(kk), n_art),
            "profile": np.tile(model.names, n_art),
            "share": share.ravel(),
            "low": low.ravel(),
            "high": high.ravel(),
            "listeners": np.repeat(listeners, kk),
        }
    )
    report("listener assignments and breakdowns", 0.85)
    post = assign(model, share, artist_codes, streams)
    best = post.argmax(axis=1)
    assignments = pd.DataFrame(
        {
            "artist_id": pairs["artist_id"].to_numpy(),
            "listener_id": pairs["listener_id"].to_numpy(),
            "streams": streams,
            "profile": np.asarray(model.names)[best],
            "probability": post[np.arange(len(best)), best],
        }
    )
    demo = pairs.copy()
    for dim in DIMS:
        if dim not in demo:
            demo[dim] = "unknown"
        demo[dim] = demo[dim].fillna("unknown").astype(str)
    top = pd.Series(share[:, -1], index=np.asarray(artist_ids))
    return FanResults(
        model=model,
        mu=sm.mu[order],
        sigma=sm.sigma[order],
        k_choice=choice,
        mix=mix,
        assignments=assignments,
        breakdowns=breakdowns(demo, post, model.names, DIMS),
        targets=conversion_targets(demo, post, top),
        post=post,
    )
