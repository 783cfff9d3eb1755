"""Daily series of tracks and artists on one day axis, built from the stored daily rows."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass
class Series:
    """Daily series on one day axis: ids [N], dates [T], counts [N, T] (NaN = no row)."""

    ids: np.ndarray
    dates: pd.DatetimeIndex
    counts: np.ndarray  # the detection series
    total: np.ndarray  # all streams (for charts)


def track_series(totals: pd.DataFrame, repeats: pd.DataFrame) -> Series:
    """Per-track detection series from daily rows: totals (isrc, date, streams) and the
    repeats of identified listeners (isrc, date, repeat).

    Detection series = streams, except that an identified listener's streams of a track on
    one day count once: one person replaying a track 20 times is not an audience change,
    and these binges are the heaviest tail of low-volume tracks' daily counts."""
    if totals.empty:
        return Series(np.array([]), pd.DatetimeIndex([]), np.zeros((0, 0)), np.zeros((0, 0)))
    tot = totals.assign(date=pd.to_datetime(totals.date))
    piv = tot.pivot(index="isrc", columns="date", values="streams")
    dates = pd.date_range(piv.columns.min(), piv.columns.max(), freq="D")
    piv = piv.reindex(columns=dates)
    total = piv.to_numpy(dtype=float)
    counts = total.copy()
    if not repeats.empty:
        rep = repeats.assign(date=pd.to_datetime(repeats.date))
        r = rep.pivot(index="isrc", columns="date", values="repeat")
        counts = total - r.reindex(index=piv.index, columns=dates).fillna(0.0).to_numpy()
    return Series(piv.index.to_numpy(), dates, counts, total)


def artist_series(tracks: Series, catalog: pd.DataFrame) -> Series:
    """Sum of an artist's tracks per day (a day with no row for any track is missing)."""
    artist_of = catalog.set_index("isrc").artist_id.reindex(tracks.ids).to_numpy()
    ids = np.unique(artist_of[pd.notna(artist_of)])
    counts = np.full((len(ids), tracks.counts.shape[1]), np.nan)
    total = counts.copy()
    for k, a in enumerate(ids):
        rows = artist_of == a
        seen = ~np.isnan(tracks.counts[rows]).all(axis=0)
        counts[k] = np.where(seen, np.nansum(tracks.counts[rows], axis=0), np.nan)
        total[k] = np.where(seen, np.nansum(tracks.total[rows], axis=0), np.nan)
    return Series(ids, tracks.dates, counts, total)


def block(series: Series, lo: int) -> Series:
    """The days from index `lo` on (the new days of an online run)."""
    return Series(series.ids, series.dates[lo:], series.counts[:, lo:], series.total[:, lo:])
