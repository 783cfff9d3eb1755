"""Potential streams per country, from similar artists.

Comparing an artist with the *average streams* of its most similar artists (the modelled
volume, kept in `evaluation` for comparison) is not normalised for artist size (a small
artist is "under-served" everywhere next to big neighbours) and favours big markets. Here:

    expected[a, c] = total[a] * sum_j w_aj * share[j, c] / sum_j w_aj

over the k nearest neighbours j (w = cosine similarity, clipped at 0), a 90% interval from
the similarity-weighted 5th and 95th percentiles of the neighbours' shares (times the same
total), gap = expected - actual and ratio = actual / expected. Targets are ranked by gap.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analytics.similar.units import as_units, unit_index

FIGURES = ("actual", "expected", "low", "high", "gap", "ratio")


def frame_columns(keys: list[str]) -> list[str]:
    """The columns of `potential_frame`'s long table for units keyed by `keys`."""
    return [*keys, "country", *FIGURES, "rank"]


def country_matrix(
    country_rows: pd.DataFrame, units: pd.DataFrame | np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Streams [U, C] of `units` (in that order) by country, and the sorted countries, from
    rows with the units' key columns, country and streams (summed; missing pairs are 0).

    `units`: a frame of unit keys (artist_id[, label]) or an array of artist ids."""
    units = as_units(units)
    countries = (
        np.array(sorted(country_rows["country"].unique()))
        if len(country_rows)
        else np.array([], dtype=object)
    )
    wide = (
        country_rows.pivot_table(
            index=list(units.columns), columns="country", values="streams", aggfunc="sum"
        )
        .reindex(index=unit_index(units), columns=countries)
        .fillna(0.0)
    )
    return wide.to_numpy(dtype=float), countries


def _weighted_quantiles(
    values: np.ndarray, weights: np.ndarray, qs: tuple[float, ...]
) -> list[np.ndarray]:
    """Weighted quantiles along the last axis (midpoint rule, linear interpolation).

    values, weights: [..., k]. Rows whose weights are all zero give NaN.
    """
    order = np.argsort(values, axis=-1)
    v = np.take_along_axis(values, order, axis=-1)
    w = np.take_along_axis(weights, order, axis=-1)
    total = w.sum(axis=-1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = (np.cumsum(w, axis=-1) - w / 2.0) / total  # [..., k], increasing
    out = []
    k = v.shape[-1]
    for q in qs:
        hi = np.clip((p < q).sum(axis=-1, keepdims=True), 0, k - 1)
        lo = np.clip(hi - 1, 0, k - 1)
        p_lo, p_hi = np.take_along_axis(p, lo, -1), np.take_along_axis(p, hi, -1)
        v_lo, v_hi = np.take_along_axis(v, lo, -1), np.take_along_axis(v, hi, -1)
        with np.errstate(invalid="ignore", divide="ignore"):
            t = np.where(p_hi > p_lo, (q - p_lo) / (p_hi - p_lo), 0.0)
        res = (v_lo + np.clip(t, 0.0, 1.0) * (v_hi - v_lo))[..., 0]
        out.append(np.where(total[..., 0] > 0, res, np.nan))
    return out


def neighbour_weights(score: np.ndarray, valid: np.ndarray) -> np.ndarray:
    """Similarity weights, clipped at zero; equal weights where all neighbours score <= 0."""
    w = np.where(valid, np.clip(score, 0.0, None), 0.0)
    none = w.sum(axis=1, keepdims=True) <= 0
    return np.where(none & valid, 1.0, w)


def potential_streams(
    streams: np.ndarray,
    nb_idx: np.ndarray,
    nb_score: np.ndarray,
    k: int = 10,
    level: float = 0.9,
) -> dict[str, np.ndarray]:
    """Expected streams per artist and country from the k nearest neighbours' country shares.

    streams: [A, C] actual streams; nb_idx / nb_score: [A, >=k] neighbours best first (from
    `neighbours.neighbours`). Neighbours without streams are skipped (weight 0).
    Returns arrays [A, C]: actual, expected, low, high, gap, ratio (NaN where unknown).
    """
    streams = np.asarray(streams, dtype=float)
    total = streams.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        shares = np.where(total[:, None] > 0, streams / total[:, None], 0.0)
    idx, score = nb_idx[:, :k], nb_score[:, :k]
    valid = total[idx] > 0
    w = neighbour_weights(score, valid)  # [A, k]
    nb_shares = shares[idx]  # [A, k, C]
    w_sum = w.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        exp_share = np.einsum("ak,akc->ac", w, nb_shares) / w_sum[:, None]
    tail = (1.0 - level) / 2.0
    wq = np.broadcast_to(w[:, None, :], (w.shape[0], streams.shape[1], w.shape[1]))
    lo_share, hi_share = _weighted_quantiles(np.moveaxis(nb_shares, 1, 2), wq, (tail, 1.0 - tail))
    expected = exp_share * total[:, None]
    actual = streams
    gap = expected - actual
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(expected > 0, actual / expected, np.nan)
    return {
        "actual": actual,
        "expected": expected,
        "low": lo_share * total[:, None],
        "high": hi_share * total[:, None],
        "gap": gap,
        "ratio": ratio,
    }


def potential_frame(
    units: pd.DataFrame | np.ndarray, countries: np.ndarray, result: dict[str, np.ndarray]
) -> pd.DataFrame:
    """Long table of `potential_streams` output with rank (1 = largest gap) per unit: the
    unit's keys (artist_id[, label]), country, the figures, rank.

    Units without any usable neighbour (expected all NaN) are left out."""
    units = as_units(units)
    keys = list(units.columns)
    a, c = result["actual"].shape
    frame = units.loc[units.index.repeat(c)].reset_index(drop=True)
    frame["country"] = np.tile(countries, a)
    for name in FIGURES:
        frame[name] = result[name].ravel()
    frame = frame[frame["expected"].notna()].copy()
    frame["rank"] = frame.groupby(keys)["gap"].rank(method="first", ascending=False).astype(int)
    return frame.sort_values([*keys, "rank"]).reset_index(drop=True)
