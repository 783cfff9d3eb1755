"""Young tracks borrow the decay shape of their peers.

A track with a few weeks of data says little about its own decay. Older tracks of the same
artist (else the same genre, else all tracks) say what tracks did at the same age: their
normalised trajectory (streams over their first week's mean, by days since release), median
over the peers at each age. Scaled to the young track's own days since release, the curve
read `h` days on is the peer forecast; it is blended with the global model's median by a weight chosen on held-out days.
Only tracks whose first stream falls inside the panel are peers (a track streaming from the
panel's first day has an unknown age).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analytics.forecast.calibrate import SHRINK_GRID
from analytics.forecast.features import OriginStats
from analytics.forecast.panel import Panel

MIN_PEERS = 3  # fewer peers at an age than this: the next wider group's curve is used
FLOOR = 1e-3  # a curve's smallest value (a peer median of zero streams), keeps logs finite


def peer_curves(panel: Panel, st: OriginStats, asof: int, max_age: int) -> np.ndarray:
    """(n_series, max_age + 1): each track's peer curve by age (NaN for artist totals and
    before the first age any group has enough peers at), from what was known on day `asof`
    only."""
    n_days = panel.streams.shape[1]
    known = ~np.isnan(panel.streams[:, : asof + 1])
    first = np.where(known.any(axis=1), known.argmax(axis=1), n_days)
    track = (panel.series["kind"] == "track").to_numpy()
    peer = track & (first > 0) & (first + 6 <= asof)
    K = max_age + 1
    idx = first[peer, None] + np.arange(K)[None, :]
    rows = np.nonzero(peer)[0]
    aligned = np.where(
        idx <= asof, panel.streams[rows[:, None], np.minimum(idx, n_days - 1)], np.nan
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        week = np.nanmean(aligned[:, :7], axis=1)
    ok = week > 0
    norm = aligned[ok] / week[ok, None]
    codes = st.codes[rows[ok]]
    out = np.full((panel.n, K), np.nan)
    # widest group first, so the narrower groups overwrite it where they have enough peers
    groups = [np.zeros(len(norm), dtype=int), codes[:, 1], codes[:, 0]]
    series_groups = [np.zeros(panel.n, dtype=int), st.codes[:, 1], st.codes[:, 0]]
    for g, sg in zip(groups, series_groups, strict=True):
        frame = pd.DataFrame(norm).groupby(g)
        med, count = frame.median(), frame.count()
        med = med.where(count >= MIN_PEERS)
        curve = med.reindex(sg).to_numpy()
        out = np.where(np.isnan(curve), out, curve)
    out[~track] = np.nan
    # beyond the oldest peers' age the curve holds its last value (a short panel's peers
    # are all young themselves); the held-out weight judges how far that is to be trusted
    out = pd.DataFrame(out).ffill(axis=1).to_numpy()
    return np.maximum(out, FLOOR)


def peer_offsets(
    panel: Panel,
    curves: np.ndarray,
    st: OriginStats,
    rows: np.ndarray,
    origins: np.ndarray,
    horizons: np.ndarray,
    young_days: int,
) -> np.ndarray:
    """The peer forecast as the model's target (log1p streams minus the level) for young
    tracks at (row, origin, horizon); NaN for other series or where the curve is missing.
    The track's scale against the curve comes from all its known days since release (a
    young track has few; a week alone is noisier), the shape from the curve."""
    age = st.age[rows, origins]
    K = curves.shape[1]
    young = (age >= 6) & (age < young_days - 1) & (age + horizons < K)
    out = np.full(len(rows), np.nan)
    r, t, a, h = rows[young], origins[young], age[young], horizons[young]
    k = np.arange(young_days)[None, :]
    day = np.clip(t[:, None] - a[:, None] + k, 0, panel.streams.shape[1] - 1)
    seen = panel.streams[r[:, None], day]
    mask = (k <= a[:, None]) & ~np.isnan(seen)
    curve_seen = curves[r[:, None], np.minimum(k, K - 1)]
    mask &= ~np.isnan(curve_seen)
    with np.errstate(invalid="ignore", divide="ignore"):
        # sums over the same known days: the ratio of the means
        scale = np.where(mask, seen, 0.0).sum(axis=1) / np.where(mask, curve_seen, 0.0).sum(axis=1)
        scale = np.where(mask.any(axis=1), scale, np.nan)
        level = st.level[r, t]
        out[young] = np.log1p(scale * curves[r, a + h]) - level
    return out


def best_blend(model_median: np.ndarray, peer: np.ndarray, actual: np.ndarray) -> float:
    """The weight of the model's median against the peer forecast with the smallest held-out
    absolute error (log scale); ties go to the model."""
    errors = [np.abs(actual - (w * model_median + (1 - w) * peer)).mean() for w in SHRINK_GRID]
    return float(SHRINK_GRID[len(errors) - 1 - int(np.argmin(errors[::-1]))])


def blend(qs: np.ndarray, peer: np.ndarray, weight: float) -> np.ndarray:
    """Move the (n, 3) quantiles so the median is `weight` * model + (1 - weight) * peer where
    a peer forecast exists; the band moves with its median."""
    move = np.where(np.isnan(peer), 0.0, (1.0 - weight) * (peer - qs[:, 1]))
    return qs + move[:, None]
