"""Cold start: listeners without history get what is popular in their segment; items without
plays get the listeners of the most similar items (the same artist's other tracks)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp


def segment_popularity(
    binary: sp.csr_matrix, segment_of_row: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(segments, [n_segments, n_items] listener counts): how many listeners of each segment
    stream each item."""
    segments, inverse = np.unique(segment_of_row, return_inverse=True)
    member = sp.csr_matrix(
        (np.ones(len(inverse)), (inverse, np.arange(len(inverse)))),
        shape=(len(segments), len(inverse)),
    )
    return segments, np.asarray((member @ binary).todense())


def sibling_items(items: np.ndarray, artist_of_item: pd.Series, has_plays: np.ndarray) -> dict:
    """For each item without plays: the indices of its artist's items that have plays."""
    artists = artist_of_item.reindex(items).to_numpy()
    by_artist: dict = {}
    for i, a in enumerate(artists):
        if has_plays[i] and isinstance(a, str):
            by_artist.setdefault(a, []).append(i)
    return {
        i: np.asarray(by_artist.get(artists[i], []), dtype=int) for i in np.flatnonzero(~has_plays)
    }
