"""Issue 13, fifth round, on hand-made SYNTHETIC series and hand-worked arrays with known
answers: a short add whose end is a one-day tail is still reported on its first day, and
an artist total that is one listed track does not raise that track's moves again."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd

from analytics.alerts import steps
from analytics.alerts.detect import DetectConfig, detect
from analytics.alerts.kalman import Hyper
from analytics.alerts.model import _drop_one_track_moves, _one_track_days
from analytics.alerts.series import Series

# Noisier tracks than test_alerts_step_judgement's (sd ~0.13 a day on the log scale, as
# the quiet tracks of the planted world of seed 67), with a model that knows it.
HP_NOISY = Hyper(irregular=0.017, level=1e-6, trend=5e-6, seasonal=1e-7)
DOW = np.array([0.96, 0.95, 0.97, 0.99, 1.12, 1.06, 0.95])


def _counts(mu: np.ndarray, seed: int, noise: float) -> np.ndarray:
    rng = np.random.default_rng(seed)
    lam = mu * DOW[np.arange(mu.shape[1]) % 7] * rng.gamma(noise, 1 / noise, size=mu.shape)
    return rng.poisson(lam).astype(float)


def _kinds(alerts: pd.DataFrame, series: int) -> list[tuple[str, int]]:
    a = alerts[alerts.series == series].sort_values("onset")
    return list(zip(a.kind, a.onset, strict=True))


def test_a_short_add_ending_in_a_one_day_fall_is_reported_on_its_first_day():
    """+50 % for 9 days from day 200 on 40 tracks of 600 streams a day, two draws: the
    CUSUM is past h but not yet confirmed when the add ends, and the end is a one-day tail
    (a drop), which restarted the CUSUM: the add itself was lost, only its end reported.
    Now the tail decides the step first. Measured on draws 5 / 21 (with the fall-back rule
    of the next test on): spikes within a day of the add 39 / 39 of 40 (36 / 35 when the
    tail only restarts the CUSUM); ends 39 / 39 either way; alerts elsewhere 10 / 13
    against 10 / 12. (Before the fall-back rule: 38 / 39 against 35 / 35.)"""
    n, days, d0, length = 40, 300, 200, 9
    mu = np.full((n, days), 600.0)
    mu[:, d0 : d0 + length] *= 1.5

    def found(counts: np.ndarray) -> tuple[int, int, int]:
        det = detect(counts, HP_NOISY, DetectConfig())
        spikes = ends = other = 0
        for i in range(n):
            kinds = _kinds(det.alerts, i)
            spikes += any(k == "spike" and abs(o - d0) <= 1 for k, o in kinds)
            ends += any(k == "drop" and abs(o - d0 - length) <= 1 for k, o in kinds)
            other += sum(min(abs(o - d0), abs(o - d0 - length)) > 1 for _, o in kinds)
        return spikes, ends, other

    now, before = np.zeros(3, int), np.zeros(3, int)
    for seed in (5, 21):
        counts = _counts(mu, seed, noise=60.0)
        now += found(counts)
        saved = steps.StepMonitor.tail
        try:  # the fourth round's rule: a tail only restarts the CUSUM
            steps.StepMonitor.tail = lambda self, idx, t, dep, var: self.reset(idx, t, recent=False)
            before += found(counts)
        finally:
            steps.StepMonitor.tail = saved
    assert now[0] >= 76 and now[0] - before[0] >= 5, (now, before)
    assert now[1] >= before[1] >= 74, (now, before)
    assert now[2] <= before[2] + 2, (now, before)


def _series(listed: list[list[int]], artists: list[str]) -> tuple[Series, Series, pd.DataFrame]:
    days = 10
    counts = np.full((len(listed), days), np.nan)
    for i, on in enumerate(listed):
        counts[i, on] = 100.0
    ids = np.array([f"T{i}" for i in range(len(listed))], dtype=object)
    dates = pd.date_range("2017-01-01", periods=days)
    labels = np.array(["L"] * len(listed), dtype=object)
    tracks = Series(ids, dates, counts, counts, labels)
    units = sorted(set(artists))
    unit_counts = np.zeros((len(units), days))
    artists_s = Series(
        np.array(units, dtype=object),
        dates,
        unit_counts,
        unit_counts,
        np.array(["L"] * len(units), dtype=object),
    )
    catalog = pd.DataFrame({"isrc": ids, "artist_id": artists, "label": "L"})
    return tracks, artists_s, catalog


def test_one_track_days_by_hand():
    """Artist A: T0 listed days 0-9, T1 days 5-6; artist B: T2 days 0-4, T3 days 3-9.
    A's total is T0 alone, as the day before, on days 1-4 and 8-9 (not 5-6: two tracks;
    not 7: the day before had two). B's: days 1-2 (T2) and 6-9 (T3; day 5 follows a
    day with two). Day 0 has no day before."""
    tracks, artists, catalog = _series(
        [list(range(10)), [5, 6], list(range(5)), list(range(3, 10))], ["A", "A", "B", "B"]
    )
    got = _one_track_days(tracks, artists, catalog)
    want = np.zeros((2, 10), bool)
    want[0, [1, 2, 3, 4, 8, 9]] = True
    want[1, [1, 2, 6, 7, 8, 9]] = True
    assert (got == want).all(), got.astype(int)


def test_only_an_artist_total_spike_or_drop_on_a_one_track_day_is_dropped():
    """On unit 0's one-track days 1-4: its spike on day 2 goes; its drop on day 5 (two
    tracks), its growth on day 3 (a trend over many days, not the day's move) and unit 1's
    release stay. Online: onsets are block days, `offset` days after the first day."""
    one = np.zeros((2, 10), bool)
    one[0, 1:5] = True
    alerts = pd.DataFrame(
        {
            "series": [0, 0, 0, 1],
            "kind": ["spike", "drop", "growth", "release"],
            "onset": [2, 5, 3, 2],
        }
    )
    d = SimpleNamespace(det_a=SimpleNamespace(alerts=alerts))
    _drop_one_track_moves(d, one, 0)
    assert list(d.det_a.alerts.kind) == ["drop", "growth", "release"]
    d = SimpleNamespace(det_a=SimpleNamespace(alerts=alerts.assign(onset=[0, 3, 1, 0])))
    _drop_one_track_moves(d, one, 2)  # the same days, from an online block at day 2
    assert list(d.det_a.alerts.kind) == ["drop", "growth", "release"]


def _short_add_counts(mu: np.ndarray, d0: int, length: int, hp: Hyper) -> tuple[int, int, int]:
    """Detection on counts drawn from mu (draws 5 and 21 summed): tracks with a spike
    within a day of d0, with a drop within a day of d0 + length, alerts elsewhere."""
    spikes = ends = other = 0
    for seed in (5, 21):
        det = detect(_counts(mu, seed, noise=150.0), hp, DetectConfig())
        for i in range(len(mu)):
            kinds = _kinds(det.alerts, i)
            spikes += any(k == "spike" and abs(o - d0) <= 1 for k, o in kinds)
            ends += any(k == "drop" and abs(o - d0 - length) <= 1 for k, o in kinds)
            other += sum(min(abs(o - d0), abs(o - d0 - length)) > 1 for _, o in kinds)
    return spikes, ends, other


def test_a_short_add_over_before_its_confirmation_is_judged_when_it_falls_back():
    """+25 % for 10 days from day 200 on 40 tracks of 600 streams a day (noise as the model
    knows it), two draws: the CUSUM passes h a few days into the add and falls back under
    it when the add ends, before the 7 confirmation days; it then drained away and nothing
    was reported. Judged on the day it falls back, measured: spikes within a day 75 of 80
    (59 without), ends 72 (56), alerts elsewhere 20 (19)."""
    n, days, d0, length = 40, 300, 200, 10
    mu = np.full((n, days), 600.0)
    mu[:, d0 : d0 + length] *= 1.25
    hp = Hyper(irregular=0.0065, level=1e-6, trend=5e-6, seasonal=1e-7)
    now = _short_add_counts(mu, d0, length, hp)
    try:
        steps.DECIDE_ON_FALLBACK = False  # the fourth round's rule
        before = _short_add_counts(mu, d0, length, hp)
    finally:
        steps.DECIDE_ON_FALLBACK = True
    assert now[0] >= 72 and now[0] - before[0] >= 10, (now, before)
    assert now[1] >= 68 and now[1] - before[1] >= 10, (now, before)
    assert now[2] <= before[2] + 3, (now, before)


def test_a_ramp_is_still_growth_dated_within_a_week():
    """+1 % a day from day 200 on 40 tracks of 600 streams a day, two draws: judging a
    departure when it falls back under h does not turn ramps into steps. Measured: growth
    dated within 7 days of the start 56 of 80 either way (29 + 27 against 30 + 26)."""
    n, days, d0 = 40, 300, 200
    mu = np.full((n, days), 600.0)
    mu[:, d0:] *= np.exp(0.01 * np.arange(days - d0))
    hp = Hyper(irregular=0.0065, level=1e-6, trend=5e-6, seasonal=1e-7)

    def growth_on_time() -> int:
        found = 0
        for seed in (5, 21):
            a = detect(_counts(mu, seed, noise=150.0), hp, DetectConfig()).alerts
            found += int(((a.kind == "growth") & ((a.onset - d0).abs() <= 7)).sum())
        return found

    now = growth_on_time()
    try:
        steps.DECIDE_ON_FALLBACK = False
        before = growth_on_time()
    finally:
        steps.DECIDE_ON_FALLBACK = True
    assert now >= 52 and abs(now - before) <= 2, (now, before)
