"""The alerts model: detection over every track and artist, continued from the last run's
state when it can be, with each alert explained; the one entry point is `fit`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
import pandas as pd

from analytics.alerts import continuation, explain, onset
from analytics.alerts.bands import bands
from analytics.alerts.censoring import Returns, chart_returns
from analytics.alerts.chained import to_streams
from analytics.alerts.continuation import Previous
from analytics.alerts.detect import DetectConfig, Detection, detect, fit_hyper, launch_weeks
from analytics.alerts.kalman import Hyper
from analytics.alerts.series import (
    Series,
    artist_series,
    block,
    chain_countries,
    label_list,
    listed,
    track_series,
    with_labels,
)

HISTORY = 96  # days before an online block kept for placing the start of gradual changes

ProgressFn = Callable[[str, float], None]


class Reads(Protocol):
    """The rows the model asks for once it knows which it needs (the job's data layer
    answers): the benchmark sample's days are known from the series, the windows only
    from the alerts."""

    def benchmark_listeners(self, lo: dt.date, hi: dt.date, tracks: int) -> pd.DataFrame:
        """Identified listener rows (key = isrc, listener_id, date, source) of up to
        `tracks` tracks in [lo, hi]."""
        ...

    def windows(
        self, windows: pd.DataFrame, growth_windows: pd.DataFrame
    ) -> tuple[pd.DataFrame, pd.Series, pd.DataFrame]:
        """For attribution windows (key, isrc, lo, onset, hi) and growth windows (key,
        isrc, lo, hi): stream rows by dimension (key, isrc, during, dsp, source,
        playlist_id, streams), pre-change days with data per key, listener rows."""
        ...

    def slices(self, windows: pd.DataFrame) -> pd.DataFrame:
        """For playlist windows (key, isrc, playlist_id, lo, hi; onset.slice_windows): the
        playlist's streams of the track per day (key, date, streams), no row on a day
        without any."""
        ...


@dataclass(frozen=True)
class AlertsInputs:
    totals: pd.DataFrame  # isrc, date, streams: daily streams per track
    repeats: pd.DataFrame  # isrc, date, repeat: identified listeners' same-day replays
    catalog: pd.DataFrame  # isrc, artist_id, label: an artist is one unit per label
    active_sources: tuple[str, ...]  # sources a listener chooses; the rest are programmed
    previous: Previous | None = None  # None: a full run
    # isrc, date, floor: a chart-listed track's least possible streams that day (the sum of
    # its charts' cutoffs; censoring.py); None or no row: unknown
    floors: pd.DataFrame | None = None
    # isrc, country, date, streams of chart-imported tracks: a track listed on several
    # countries' charts is chain-linked over them (series.chain_countries); None: none
    country_rows: pd.DataFrame | None = None


@dataclass
class AlertsModel:
    """What a run computed. With a `note` (no data, too little history) the frames are
    empty and nothing else was computed."""

    alerts: pd.DataFrame
    bands: pd.DataFrame
    state: pd.DataFrame  # filter state and detection context to continue from
    data_through: dt.date | None
    note: str | None = None
    mode: str = "full"  # full | online
    params: dict[str, Any] = field(default_factory=dict)  # hyper, config, benchmarks, ...
    days_filtered: int = 0
    tracks: int = 0
    monitored_tracks: int = 0
    artists: int = 0

    @staticmethod
    def empty(note: str, data_through: dt.date | None) -> AlertsModel:
        return AlertsModel(pd.DataFrame(), pd.DataFrame(), pd.DataFrame(), data_through, note)


@dataclass
class _Detected:
    mode: str
    hyper: Hyper  # tracks
    hyper_artist: Hyper  # artist totals (smoother: fitted on their own)
    fitted_series: int
    tracks: Series  # the days filtered (all of them, or the new block)
    artists: Series
    det_t: Detection
    det_a: Detection


def _fit_artists(artists: Series, hp_tracks: Hyper) -> Hyper:
    """Hyperparameters of the artist totals; the tracks' when too few artists to fit."""
    try:
        return fit_hyper(artists.counts)[0]
    except ValueError:
        return hp_tracks


def _detect(
    tracks: Series,
    artists: Series,
    previous: Previous | None,
    cfg: DetectConfig,
    say: ProgressFn,
    returns: Returns | None = None,
    debuts: np.ndarray | None = None,
) -> _Detected:
    """Continue the saved state over the new days when the plan allows, else fit the
    hyperparameters and filter everything (ValueError: too little history to fit)."""
    plan = continuation.plan(previous, tracks, artists, cfg)
    if plan is not None:
        hp, hp_a, ctx, lo = plan.hyper, plan.hyper_artist, plan.contexts, plan.first_new_day
        say(f"continuing the filter over {len(tracks.dates) - lo} new days", 0.4)
        hist = max(0, lo - HISTORY)
        back = None if returns is None else returns.block(lo)
        det_t = detect(
            tracks.counts[:, lo:],
            hp,
            cfg,
            ctx["track"],
            tracks.counts[:, hist:lo],
            returns=back,
        )
        det_a = detect(
            artists.counts[:, lo:],
            hp_a,
            cfg,
            ctx["artist"],
            artists.counts[:, hist:lo],
            artist=True,
            steps_up=None if debuts is None else launch_weeks(debuts, cfg.launch_days)[:, lo:],
            launches=None if debuts is None else debuts[:, lo:],
        )
        return _Detected("online", hp, hp_a, 0, block(tracks, lo), block(artists, lo), det_t, det_a)
    say("fitting hyperparameters (statsmodels, samples of tracks and of artist totals)", 0.1)
    hp, fits = fit_hyper(tracks.counts)
    hp_a = _fit_artists(artists, hp)
    say("filtering all tracks and artists", 0.4)
    det_t = detect(tracks.counts, hp, cfg, returns=returns)
    weeks = None if debuts is None else launch_weeks(debuts, cfg.launch_days)
    det_a = detect(artists.counts, hp_a, cfg, artist=True, steps_up=weeks, launches=debuts)
    return _Detected("full", hp, hp_a, len(fits), tracks, artists, det_t, det_a)


def _artist_releases(d: _Detected, debuts: np.ndarray) -> None:
    """An artist total's spike within a day of one of its tracks' first day (debuts, see
    _debut_days) is that release (the total steps up with the new track): kind `release`,
    in place. Full runs only: the days are the whole series'."""
    a = d.det_a.alerts
    if a.empty:
        return
    days = debuts.shape[1]
    near = [
        debuts[int(k), max(int(o) - 1, 0) : min(int(o) + 2, days)].any()
        for k, o in zip(a.series, a.onset, strict=True)
    ]
    a.loc[(a.kind == "spike") & np.array(near, dtype=bool), "kind"] = "release"


def _chart_returns(
    tracks: Series, censored: np.ndarray, floors: pd.DataFrame | None
) -> Returns | None:
    """The days censored tracks (`censored` [N], see _censored) come back on a chart, with
    their floors; None when the catalogue has no censored track. Artist totals need none:
    their chain-linked index is not moved by a track coming back."""
    if not censored.any():
        return None
    ret = chart_returns(tracks.counts, tracks.ids, tracks.dates, censored, floors)
    if tracks.scale is None:
        return ret
    # floors are listed streams; a track chained over its countries reads an index
    return Returns(ret.day, np.log1p(np.expm1(ret.floor) / tracks.scale))


def _censored(
    tracks: Series, artists: Series, catalog: pd.DataFrame
) -> tuple[np.ndarray, np.ndarray]:
    """Per track and per artist unit: censored (catalog column `censored`, chart imports:
    a track listed only on its days in the top N; a unit with any such track)."""
    if "censored" not in catalog:
        return np.zeros(len(tracks.ids), dtype=bool), np.zeros(len(artists.ids), dtype=bool)
    cat = catalog.set_index("isrc").reindex(tracks.ids)
    cen = cat.censored.fillna(False).astype(bool).to_numpy()
    units = set(zip(cat.artist_id.to_numpy()[cen], np.asarray(tracks.labels)[cen], strict=True))
    unit_cen = [(a, lab) in units for a, lab in zip(artists.ids, artists.labels, strict=True)]
    return cen, np.array(unit_cen, dtype=bool)


def _unit_of(tracks: Series, artists: Series, catalog: pd.DataFrame) -> np.ndarray:
    """[tracks] each track's artist unit (its row in `artists`), -1 for none."""
    artist_of = catalog.set_index("isrc").artist_id.reindex(tracks.ids).to_numpy()
    unit = {(a, lab): k for k, (a, lab) in enumerate(zip(artists.ids, artists.labels, strict=True))}
    return np.array([unit.get(key, -1) for key in zip(artist_of, tracks.labels, strict=True)])


def _debut_days(tracks: Series, artists: Series, catalog: pd.DataFrame) -> np.ndarray:
    """[units, T] bool: the first days of an artist unit's tracks that start after the
    data's first day (a release, or a first day on a chart): the unit's total steps up on
    a day known in advance."""
    unit = _unit_of(tracks, artists, catalog)
    seen = ~np.isnan(tracks.counts)
    first = np.where(seen.any(axis=1), seen.argmax(axis=1), 0)
    out = np.zeros(artists.counts.shape, dtype=bool)
    hit = (first > 0) & (unit >= 0)
    out[unit[hit], first[hit]] = True
    return out


def _one_track_days(tracks: Series, artists: Series, catalog: pd.DataFrame) -> np.ndarray:
    """[units, T] bool: days on which an artist unit's total is one listed track, the same
    one as the day before (its total IS that track's series)."""
    unit = _unit_of(tracks, artists, catalog)
    out = np.zeros(artists.counts.shape, dtype=bool)
    known = np.flatnonzero(unit >= 0)
    for k, pos in pd.Series(known).groupby(unit[known]).indices.items():
        listed = ~np.isnan(tracks.counts[known[pos]])
        one = listed.sum(axis=0) == 1
        which = np.argmax(listed, axis=0)
        out[k, 1:] = one[1:] & one[:-1] & (which[1:] == which[:-1])
    return out


def _drop_one_track_moves(d: _Detected, one_track: np.ndarray, offset: int) -> None:
    """An artist total's spike or drop on a day its total is a single track is that
    track's move judged with the wrong noise: an artist total's (smoother: many tracks)
    and the artist's one-day materiality (20 % against a track's 35 %). The track's own
    series is watched with its own noise and threshold, so the artist alert is dropped
    (in place). On the 2017 US chart most of these were an artist with one charting
    track moving -15 % to -30 % in a day, which the track's own test did not flag.
    `offset`: the block's first day in `one_track` (online runs)."""
    a = d.det_a.alerts
    if a.empty:
        return
    day = a.onset.to_numpy(dtype=int) + offset
    inside = (day >= 0) & (day < one_track.shape[1])
    hit = np.zeros(len(a), dtype=bool)
    hit[inside] = one_track[a.series.to_numpy(dtype=int)[inside], day[inside]]
    rapid = a.kind.isin(["spike", "drop"]).to_numpy()
    d.det_a.alerts = a[~(hit & rapid)].reset_index(drop=True)


def _alerts(d: _Detected, catalog: pd.DataFrame) -> pd.DataFrame:
    """Alert rows of both subjects, each once."""
    artist_of = dict(zip(catalog.isrc, catalog.artist_id, strict=True))
    alerts = pd.concat(
        [
            explain.alert_frame("track", d.tracks, d.det_t, artist_of),
            explain.alert_frame("artist", d.artists, d.det_a, artist_of),
        ],
        ignore_index=True,
    )
    return alerts if alerts.empty else alerts.drop_duplicates("alert_key")


def _in_streams(rows: pd.DataFrame, series: Series) -> pd.DataFrame:
    """Rows of chain-linked series (artist units; tracks over their countries) in listed
    streams."""
    labels = label_list(series)
    return to_streams(rows, series.ids, labels, series.dates, series.scale)


def _members(tracks: Series, catalog: pd.DataFrame) -> dict[tuple, list[str]]:
    """The ISRCs behind each subject: a track is itself; an artist unit is the artist's
    tracks on that label (never its tracks on another label)."""
    members = {("track", i, lab): [i] for i, lab in zip(tracks.ids, tracks.labels, strict=True)}
    for (a_id, label), grp in catalog.groupby(["artist_id", "label"]):
        members[("artist", a_id, label)] = list(grp.isrc)
    return members


def _slice_dated(alerts: pd.DataFrame, tracks: Series, reads: Reads) -> pd.DataFrame:
    """Track spikes and drops dated on their cause playlist's step (onset.py). The slice's
    days are the detection series' days with data (a day the series skips, e.g. one data
    health flagged, is not a day of the slice either); on them no slice row means 0."""
    win = onset.slice_windows(alerts)
    if win.empty:
        return alerts
    row_of = {isrc: i for i, isrc in enumerate(tracks.ids)}
    days = []
    for w in win.itertuples():
        i = row_of[w.isrc]
        span = (tracks.dates >= pd.Timestamp(w.lo)) & (tracks.dates <= pd.Timestamp(w.hi))
        has = span & ~np.isnan(tracks.counts[i])
        days.append(
            pd.DataFrame(
                {"key": w.key, "date": tracks.dates[has], "observed": listed(tracks)[i, has]}
            )
        )
    rows = reads.slices(win)
    rows = rows.assign(date=pd.to_datetime(rows.date))
    grid = pd.concat(days, ignore_index=True)
    slices = grid.merge(rows, on=["key", "date"], how="left").fillna({"streams": 0.0})
    return onset.redate(alerts, slices)


def fit(
    inputs: AlertsInputs,
    reads: Reads,
    cfg: DetectConfig | None = None,
    progress: ProgressFn | None = None,
) -> AlertsModel:
    """Detect, explain and forecast. `reads` answers for the listener and stream rows that
    the explanation needs, which are known only once the series and alerts are.

    Online when `inputs.previous` allows (see continuation.plan): only the days since the
    last run are filtered, from the saved state, with the saved hyperparameters; else a
    full run with hyperparameters fitted anew."""
    cfg = cfg or DetectConfig()
    say = progress or (lambda _msg, _frac: None)
    tracks = track_series(inputs.totals, inputs.repeats)
    if tracks.counts.size == 0:
        return AlertsModel.empty("no trend data", None)
    catalog, active = inputs.catalog, inputs.active_sources
    tracks = chain_countries(with_labels(tracks, catalog), inputs.country_rows)
    artists = artist_series(tracks, catalog)
    cen_t, cen_a = _censored(tracks, artists, catalog)
    returns = _chart_returns(tracks, cen_t, inputs.floors)
    try:
        debuts = _debut_days(tracks, artists, catalog)
        d = _detect(tracks, artists, inputs.previous, cfg, say, returns, debuts)
    except ValueError as exc:  # too little history: say so in the run record
        return AlertsModel.empty(str(exc), tracks.dates[-1].date())
    if d.mode == "full":  # (an online run has no first days: a new series means full)
        _artist_releases(d, debuts)
    offset = len(tracks.dates) - len(d.tracks.dates)  # 0 for a full run
    _drop_one_track_moves(d, _one_track_days(tracks, artists, catalog), offset)
    alerts = _alerts(d, catalog)
    if not alerts.empty:  # chain-linked series: numbers back in listed streams
        artist = (alerts.subject == "artist").to_numpy()
        alerts.loc[artist] = _in_streams(alerts[artist], d.artists)
        alerts.loc[~artist] = _in_streams(alerts[~artist], d.tracks)
    end = tracks.dates[-1]
    say("attributing changes and growth potential", 0.6)
    b_lo, b_hi = explain.benchmark_window(end)
    sample = reads.benchmark_listeners(b_lo.date(), b_hi.date(), explain.BENCH_TRACKS)
    bench = explain.benchmarks(sample, b_lo, b_hi, active)
    if not alerts.empty:
        members = _members(tracks, catalog)
        win = explain.windows(alerts, members, end)
        g_win = win[["key", "isrc", "g_lo", "g_hi"]].rename(columns={"g_lo": "lo", "g_hi": "hi"})
        dims, before_days, listeners = reads.windows(
            win[["key", "isrc", "lo", "onset", "hi"]], g_win
        )
        alerts = explain.explain(alerts, dims, before_days, listeners, bench, end, active)
        alerts = _slice_dated(alerts, tracks, reads)
    say("forecasting", 0.85)
    subjects = (
        ("track", d.tracks, d.det_t, d.hyper),
        ("artist", d.artists, d.det_a, d.hyper_artist),
    )
    band_rows = [
        _in_streams(bands(*subjects[0], cen_t), d.tracks),
        _in_streams(bands(*subjects[1], cen_a), d.artists),
    ]
    return AlertsModel(
        alerts=alerts,
        bands=pd.concat(band_rows, ignore_index=True),
        state=pd.concat([continuation.state_rows(*s[:3]) for s in subjects], ignore_index=True),
        data_through=end.date(),
        mode=d.mode,
        params={
            "hyper": d.hyper.__dict__,
            "hyper_artist": d.hyper_artist.__dict__,
            "config": cfg.as_dict(),
            "benchmarks": bench,
            "fitted_series": d.fitted_series,
            "mode": d.mode,
        },
        days_filtered=len(d.tracks.dates),
        tracks=len(tracks.ids),
        monitored_tracks=int(np.sum(d.det_t.monitored)),
        artists=len(artists.ids),  # artist units: one per artist and label
    )
