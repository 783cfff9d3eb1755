"""Stream-level bins: the ordered 'words' of the fan-type model.

A listener-artist pair's total streams over the window falls in one bin; an artist's
listeners per bin is its row of the count matrix."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


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


def bins_from_edges(edges: np.ndarray, streams: np.ndarray) -> Bins:
    """Bins [edges[i], edges[i+1] - 1] with the statistics of the observed `streams`."""
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
    return bins_from_edges(edges, s)


def quantile_bins(streams: np.ndarray, n_bins: int = 150) -> Bins:
    """The baseline model's binning: n quantiles of the totals (duplicates dropped)."""
    s = np.asarray(streams, dtype=np.int64)
    s = s[s >= 1]
    q = np.quantile(s, np.linspace(0, 1, n_bins + 1))
    edges = np.unique(np.concatenate([[1], np.floor(q[1:-1]).astype(np.int64) + 1, [s.max() + 1]]))
    return bins_from_edges(edges, s)


def count_matrix(
    artist_idx: np.ndarray, bin_idx: np.ndarray, n_artists: int, n_bins: int
) -> np.ndarray:
    """Artist x bin listener counts (the document-term matrix)."""
    m = np.zeros((n_artists, n_bins))
    np.add.at(m, (artist_idx, bin_idx), 1.0)
    return m
