"""The series panel: one row per series (a track, or an artist's total within a label), one
column per day, streams where known and NaN where not (before release, or censored)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Panel:
    series: pd.DataFrame  # series_id, kind ('track'|'artist'), isrc, artist_id, label, genre
    dates: pd.DatetimeIndex  # the panel's days, consecutive
    streams: np.ndarray  # (n_series, n_days) float, NaN where unknown
    active: np.ndarray  # (n_series, n_days) active streams, NaN where unknown
    artist_row: np.ndarray  # (n_series,) row of the series' artist total in the panel

    @property
    def n(self) -> int:
        return len(self.series)


def build_panel(daily: pd.DataFrame, tracks: pd.DataFrame, *, absent_is_zero: bool) -> Panel:
    """`daily`: isrc, date, streams, active (observed days only). `tracks`: isrc, artist_id,
    label, genre. With `absent_is_zero` (a store's complete deliveries) a missing day after a
    track's first stream counts as zero streams; without it (chart data, which lists a track
    only while it charts) a missing day stays unknown: censored, never read as zero."""
    daily = daily.assign(date=pd.to_datetime(daily["date"]))
    dates = pd.date_range(daily["date"].min(), daily["date"].max(), freq="D")
    meta = tracks.set_index("isrc").loc[lambda t: t.index.isin(daily["isrc"].unique())]
    # a fixed series order whatever order the rows came in: the fit samples by row, so the
    # same store gives the same forecast
    meta = meta.sort_index().sort_values(["label", "artist_id"], kind="stable")
    isrcs = list(meta.index)
    track_streams = _wide(daily, "streams", isrcs, dates)
    track_active = _wide(daily, "active", isrcs, dates)
    if absent_is_zero:
        started = np.maximum.accumulate(~np.isnan(track_streams), axis=1)
        track_streams = np.where(started & np.isnan(track_streams), 0.0, track_streams)
        track_active = np.where(started & np.isnan(track_active), 0.0, track_active)

    groups = meta.groupby(["label", "artist_id"], sort=False).indices
    art_streams = np.vstack([_nansum_or_nan(track_streams[ix]) for ix in groups.values()])
    art_active = np.vstack([_nansum_or_nan(track_active[ix]) for ix in groups.values()])
    art_meta = pd.DataFrame(
        {
            "series_id": [f"artist:{a}@{lab}" for lab, a in groups],
            "kind": "artist",
            "isrc": None,
            "artist_id": [a for _, a in groups],
            "label": [lab for lab, _ in groups],
            "genre": [meta["genre"].iloc[ix].mode().iat[0] for ix in groups.values()],
        }
    )
    trk_meta = pd.DataFrame(
        {
            "series_id": isrcs,
            "kind": "track",
            "isrc": isrcs,
            "artist_id": meta["artist_id"].to_numpy(),
            "label": meta["label"].to_numpy(),
            "genre": meta["genre"].fillna("unknown").to_numpy(),
        }
    )
    n_tracks = len(isrcs)
    artist_row = np.empty(n_tracks + len(groups), dtype=int)
    for g, ix in enumerate(groups.values()):
        artist_row[ix] = n_tracks + g
        artist_row[n_tracks + g] = n_tracks + g
    return Panel(
        series=pd.concat([trk_meta, art_meta], ignore_index=True),
        dates=dates,
        streams=np.vstack([track_streams, art_streams]),
        active=np.vstack([track_active, art_active]),
        artist_row=artist_row,
    )


def _wide(daily: pd.DataFrame, col: str, isrcs: list[str], dates: pd.DatetimeIndex) -> np.ndarray:
    wide = daily.pivot_table(index="isrc", columns="date", values=col, aggfunc="sum")
    return wide.reindex(index=isrcs, columns=dates).to_numpy(dtype=float)


def _nansum_or_nan(block: np.ndarray) -> np.ndarray:
    """Column sums where any track is known, NaN where none is."""
    known = (~np.isnan(block)).any(axis=0)
    return np.where(known, np.nansum(block, axis=0), np.nan)


def truncate(panel: Panel, last_day: int) -> Panel:
    """The panel as it was known on day index `last_day` (for backtests)."""
    return Panel(
        panel.series,
        panel.dates[: last_day + 1],
        panel.streams[:, : last_day + 1],
        panel.active[:, : last_day + 1],
        panel.artist_row,
    )
