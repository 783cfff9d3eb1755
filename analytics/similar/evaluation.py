"""How the potential-streams ranking is judged: the comparison ranking by modelled volume,
and the hit rate of known under-served countries (used by the tests and the bench)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analytics.similar.potential import neighbour_weights


def modelled_volume(
    streams: np.ndarray, nb_idx: np.ndarray, nb_score: np.ndarray, k: int = 10
) -> np.ndarray:
    """The modelled volume: the neighbours' similarity-weighted average *streams* per country
    (not normalised by the artist's size), the ranking the gap is compared against."""
    streams = np.asarray(streams, dtype=float)
    idx, score = nb_idx[:, :k], nb_score[:, :k]
    w = neighbour_weights(score, streams.sum(axis=1)[idx] > 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.einsum("ak,akc->ac", w, streams[idx]) / w.sum(axis=1)[:, None]


def top_hit_rate(
    ranking: pd.DataFrame, planted: pd.DataFrame, top: int = 5, by: str = "rank"
) -> tuple[float, int]:
    """Share of artists with planted countries whose planted countries all appear in the
    top `top` of `ranking` (artist_id, country, <by>). Returns (rate, artists scored).

    An artist counts as a hit only if every planted country is in its top `top`.
    """
    top_sets = ranking[ranking[by] <= top].groupby("artist_id")["country"].agg(set).to_dict()
    hits, n = 0, 0
    for artist, grp in planted.groupby("artist_id"):
        if artist not in top_sets and artist not in set(ranking["artist_id"]):
            continue
        n += 1
        hits += set(grp["country"]) <= top_sets.get(artist, set())
    return (hits / n if n else float("nan")), n
