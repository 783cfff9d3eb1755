"""Daily series of tracks and artists on one day axis, built from the stored daily rows.

An artist's series is per label: the unit is (artist_id, label), the sum of the artist's
tracks on that label only, so an artist whose tracks sit on two labels has two series and
neither label's numbers include the other's tracks.

Where the catalog marks tracks as censored (column `censored`: chart imports, which list a
track only on its days in the top N), the unit's total is chain-linked over the tracks
listed on consecutive days (analytics/alerts/chained.py), so a track entering or leaving
the chart does not move it; complete deliveries keep the plain sum."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analytics.alerts.chained import chain_linked, chain_linked_parts


@dataclass
class Series:
    """Daily series on one day axis: ids [N], dates [T], counts [N, T] (NaN = no row).

    labels [N]: each series' label (a track's catalog label; an artist unit's label), or
    None when not known (a bare track series before `with_labels`)."""

    ids: np.ndarray
    dates: pd.DatetimeIndex
    counts: np.ndarray  # the detection series
    total: np.ndarray  # all streams (for charts)
    labels: np.ndarray | None = None
    # streams per index point [N, T] where `counts` is a chain-linked index (1 for a plain
    # sum, NaN on days without data): turns the index's numbers back into listed streams
    scale: np.ndarray | None = None


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


def with_labels(tracks: Series, catalog: pd.DataFrame) -> Series:
    """The track series with each track's catalog label."""
    labels = catalog.set_index("isrc").label.reindex(tracks.ids).to_numpy(dtype=object)
    labels = np.where(pd.notna(labels), labels, None)  # None, not NaN: a usable dict key
    return Series(tracks.ids, tracks.dates, tracks.counts, tracks.total, labels)


def listed(series: Series) -> np.ndarray:
    """The series' streams as listed (its index turned back where it is one)."""
    return series.counts if series.scale is None else series.counts * series.scale


def chain_countries(tracks: Series, rows: pd.DataFrame | None) -> Series:
    """Tracks listed on several countries' charts (rows: isrc, country, date, streams of
    censored tracks) chain-linked over their countries: a chart lists a track in a country
    only on its days in that country's top N, so its plain daily sum jumps when a country
    lists it and falls when one stops, though nobody's listening changed (a track charting
    in one more country every weekend "spiked" every weekend). `scale` holds the listed
    streams per index point (1 for every other track; None when no track is chained, so a
    large catalogue of deliveries carries no [N, T] array of ones)."""
    if rows is None or rows.empty:
        return tracks
    row_of = {isrc: i for i, isrc in enumerate(tracks.ids)}
    several = rows.groupby("isrc").country.nunique()
    several = several[(several >= 2) & several.index.isin(list(row_of))]
    if several.empty:
        return tracks
    counts, total = tracks.counts.copy(), tracks.total.copy()
    scale = np.ones_like(tracks.counts)
    r = rows[rows.isrc.isin(several.index)].assign(date=lambda d: pd.to_datetime(d.date))
    for isrc, one in r.groupby("isrc"):
        i = row_of[isrc]
        piv = one.pivot_table(index="country", columns="date", values="streams", aggfunc="sum")
        x = piv.reindex(columns=tracks.dates).to_numpy(dtype=float)
        index = chain_linked_parts(x)
        with np.errstate(divide="ignore", invalid="ignore"):
            scale[i] = np.where(index > 0, total[i] / index, 1.0)
        counts[i] = index  # (a day sharing no country with the day before: missing)
        total[i] = index
    return Series(tracks.ids, tracks.dates, counts, total, tracks.labels, scale)


def artist_series(tracks: Series, catalog: pd.DataFrame) -> Series:
    """Sum of an artist's tracks on one label per day, one series per (artist_id, label)
    ordered by both (a day with no row for any of the unit's tracks is missing); chain-linked
    for a unit with censored tracks (catalog column `censored`, when present)."""
    cat = catalog.set_index("isrc").reindex(tracks.ids)
    censored = (
        cat.censored.fillna(False).astype(bool).to_numpy()
        if "censored" in cat
        else np.zeros(len(cat), dtype=bool)
    )
    known = (cat.artist_id.notna() & cat.label.notna()).to_numpy()
    artist_of, label_of = cat.artist_id.to_numpy(), cat.label.to_numpy()
    units = sorted(set(zip(artist_of[known], label_of[known], strict=True)))
    counts = np.full((len(units), tracks.counts.shape[1]), np.nan)
    total = counts.copy()
    scale = np.ones_like(counts)
    # plain sums in listed streams; an index over tracks reads the tracks' own indices
    # (a track chain-linked over its countries)
    streams = listed(tracks)
    streams_total = tracks.total if tracks.scale is None else tracks.total * tracks.scale
    for k, (a, lab) in enumerate(units):
        rows = known & (artist_of == a) & (label_of == lab)
        seen = ~np.isnan(tracks.counts[rows]).all(axis=0)
        counts[k] = np.where(seen, np.nansum(streams[rows], axis=0), np.nan)
        total[k] = np.where(seen, np.nansum(streams_total[rows], axis=0), np.nan)
        if censored[rows].any():
            index = chain_linked(tracks.counts[rows])
            with np.errstate(divide="ignore", invalid="ignore"):
                scale[k] = np.where(index > 0, counts[k] / index, 1.0)
            counts[k] = index
            total[k] = chain_linked(tracks.total[rows])
    ids = np.array([a for a, _ in units], dtype=object)
    labels = np.array([lab for _, lab in units], dtype=object)
    return Series(ids, tracks.dates, counts, total, labels, scale)


def block(series: Series, lo: int) -> Series:
    """The days from index `lo` on (the new days of an online run)."""
    scale = None if series.scale is None else series.scale[:, lo:]
    return Series(
        series.ids,
        series.dates[lo:],
        series.counts[:, lo:],
        series.total[:, lo:],
        series.labels,
        scale,
    )


def label_list(series: Series) -> list:
    """Each series' label (None where unknown), for result rows."""
    return [None] * len(series.ids) if series.labels is None else list(series.labels)
