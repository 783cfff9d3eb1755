"""The alerts model: detection over every track and artist, continued from the last run's
state when it can be, with each alert explained; the one entry point is `fit`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
import pandas as pd

from analytics.alerts import continuation, explain
from analytics.alerts.bands import bands
from analytics.alerts.continuation import Previous
from analytics.alerts.detect import DetectConfig, Detection, detect, fit_hyper
from analytics.alerts.kalman import Hyper
from analytics.alerts.series import Series, artist_series, block, track_series, with_labels

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


@dataclass(frozen=True)
class AlertsInputs:
    totals: pd.DataFrame  # isrc, date, streams: daily streams per track
    repeats: pd.DataFrame  # isrc, date, repeat: identified listeners' same-day replays
    catalog: pd.DataFrame  # isrc, artist_id, label: an artist is one unit per label
    active_sources: tuple[str, ...]  # sources a listener chooses; the rest are programmed
    previous: Previous | None = None  # None: a full run


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
    hyper: Hyper
    fitted_series: int
    tracks: Series  # the days filtered (all of them, or the new block)
    artists: Series
    det_t: Detection
    det_a: Detection


def _detect(
    tracks: Series, artists: Series, previous: Previous | None, cfg: DetectConfig, say: ProgressFn
) -> _Detected:
    """Continue the saved state over the new days when the plan allows, else fit the
    hyperparameters and filter everything (ValueError: too little history to fit)."""
    plan = continuation.plan(previous, tracks, artists, cfg)
    if plan is not None:
        hp, ctx, lo = plan.hyper, plan.contexts, plan.first_new_day
        say(f"continuing the filter over {len(tracks.dates) - lo} new days", 0.4)
        hist = max(0, lo - HISTORY)
        det_t = detect(tracks.counts[:, lo:], hp, cfg, ctx["track"], tracks.counts[:, hist:lo])
        det_a = detect(artists.counts[:, lo:], hp, cfg, ctx["artist"], artists.counts[:, hist:lo])
        return _Detected("online", hp, 0, block(tracks, lo), block(artists, lo), det_t, det_a)
    say("fitting hyperparameters (statsmodels, sample of tracks)", 0.1)
    hp, fits = fit_hyper(tracks.counts)
    say("filtering all tracks and artists", 0.4)
    det_t = detect(tracks.counts, hp, cfg)
    det_a = detect(artists.counts, hp, cfg)
    return _Detected("full", hp, len(fits), tracks, artists, det_t, det_a)


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


def _members(tracks: Series, catalog: pd.DataFrame) -> dict[tuple, list[str]]:
    """The ISRCs behind each subject: a track is itself; an artist unit is the artist's
    tracks on that label (never its tracks on another label)."""
    members = {("track", i, lab): [i] for i, lab in zip(tracks.ids, tracks.labels, strict=True)}
    for (a_id, label), grp in catalog.groupby(["artist_id", "label"]):
        members[("artist", a_id, label)] = list(grp.isrc)
    return members


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
    tracks = with_labels(tracks, catalog)
    artists = artist_series(tracks, catalog)
    try:
        d = _detect(tracks, artists, inputs.previous, cfg, say)
    except ValueError as exc:  # too little history: say so in the run record
        return AlertsModel.empty(str(exc), tracks.dates[-1].date())
    alerts = _alerts(d, catalog)
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
    say("forecasting", 0.85)
    subjects = (("track", d.tracks, d.det_t), ("artist", d.artists, d.det_a))
    return AlertsModel(
        alerts=alerts,
        bands=pd.concat([bands(*s, d.hyper) for s in subjects], ignore_index=True),
        state=pd.concat([continuation.state_rows(*s) for s in subjects], ignore_index=True),
        data_through=end.date(),
        mode=d.mode,
        params={
            "hyper": d.hyper.__dict__,
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
