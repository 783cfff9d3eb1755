"""An artist total stepping up on a new track's first day (SYNTHETIC series, hand-built).

On the 2017 US chart, Tyler, The Creator's album came out on a Friday 21 days after the
artist first charted (inside the artist total's 28-day burn-in, where no intervention was
allowed): the filter learnt the album's jump as a Friday pattern and reported the artist
"dropping" -80 % every Friday after. A new track's launch week is now a known step of its
artist's total (model._debut_days): interventions are allowed and the weekday pattern is
not learnt on it."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analytics.alerts.detect import DetectConfig, detect, launch_weeks
from analytics.alerts.kalman import Hyper, initial_state, kalman_filter
from analytics.alerts.model import _debut_days
from analytics.alerts.series import Series, artist_series

# artist-total variances of the order fitted on the real US chart
HP = Hyper(irregular=1e-4, level=2e-3, trend=5e-6, seasonal=9e-6)
T, START, DEBUT = 300, 100, 121  # the artist starts on day 100, its album on day 121


def _album_after_single(seed: int) -> tuple[Series, pd.DataFrame]:
    """Track a from day 100 (weekly pattern, 2 % noise); track b from day 121: a release
    burst of 900k decaying with a 2-day time constant onto 60k a day."""
    rng = np.random.default_rng(seed)
    days = np.arange(T)
    week = 1 + 0.1 * np.sin(2 * np.pi * days / 7)
    a = np.where(days >= START, 50_000 * week * np.exp(rng.normal(0, 0.02, T)), np.nan)
    burst = 60_000 + 900_000 * np.exp(-(days - DEBUT) / 2.0)
    b = np.where(days >= DEBUT, burst * week, np.nan)
    counts = np.vstack([a, b])
    ids = np.array(["a", "b"])
    labels = np.array(["L", "L"], dtype=object)
    tracks = Series(ids, pd.date_range("2017-01-01", periods=T), counts, counts, labels)
    catalog = pd.DataFrame({"isrc": ["a", "b"], "artist_id": ["x", "x"], "label": ["L", "L"]})
    return tracks, catalog


def test_debut_days_mark_each_new_tracks_launch_week() -> None:
    tracks, catalog = _album_after_single(0)
    artists = artist_series(tracks, catalog)
    debuts = _debut_days(tracks, artists, catalog)
    assert debuts.shape == (1, T)
    assert np.flatnonzero(debuts[0]).tolist() == [100, 121]
    weeks = launch_weeks(debuts, 7)
    assert np.flatnonzero(weeks[0]).tolist() == [*range(100, 107), *range(121, 128)]
    # launches 3 days apart: one run of days, to 7 days after the second
    close = np.zeros((1, 20), dtype=bool)
    close[0, [2, 5]] = True
    assert np.flatnonzero(launch_weeks(close, 7)[0]).tolist() == list(range(2, 12))


def test_a_track_listed_from_the_first_day_is_no_debut() -> None:
    tracks, catalog = _album_after_single(0)
    counts = tracks.counts.copy()
    counts[0, :] = 1_000.0  # track a from day 0: no launch inside the data
    tracks = Series(tracks.ids, tracks.dates, counts, counts, tracks.labels)
    artists = artist_series(tracks, catalog)
    assert np.flatnonzero(_debut_days(tracks, artists, catalog)[0]).tolist() == [121]


def test_an_album_in_the_burn_in_is_no_weekly_drop_after() -> None:
    for seed in range(3):
        tracks, catalog = _album_after_single(seed)
        artists = artist_series(tracks, catalog)
        debuts = _debut_days(tracks, artists, catalog)
        weeks = launch_weeks(debuts, DetectConfig().launch_days)
        old = detect(artists.counts, HP, artist=True).alerts
        # the scenario is the failure: without the known step, a drop every other Friday
        assert (old.kind == "drop").sum() >= 5
        assert set(old.onset[old.kind == "drop"] % 7) == {DEBUT % 7}
        new = detect(artists.counts, HP, artist=True, steps_up=weeks, launches=debuts).alerts
        assert not new.kind.isin(["spike", "drop"]).any(), new


def test_interventions_can_be_allowed_apart_from_the_active_days() -> None:
    # a 1-series jump of +2 on day 30 in a flat series: not active (burn-in), but allowed
    # to intervene there; the filter takes the new level at once
    y = np.full((1, 60), 5.0)
    y[0, 30:] = 7.0
    active = np.zeros((1, 60), dtype=bool)
    args = (y, HP, 1e-4, initial_state(y[:, 0]))
    off = kalman_filter(*args, intervene_z=4.5, active=active, loglik=False)
    on = kalman_filter(
        *args, intervene_z=4.5, active=active, intervene=np.ones_like(active), loglik=False
    )
    assert not off.intervened.any()
    assert on.intervened[0, 30]
    assert abs(on.pred_mean[0, 31] - 7.0) < abs(off.pred_mean[0, 31] - 7.0)


def test_an_album_a_week_after_its_single_is_news_too() -> None:
    """SYNTHETIC: an artist steady at 50k a day from day 0; a single on day 150 (+40 %),
    the album 5 days later (+150 %). Both are launches of the total: the album's jump is
    reported though it falls in the refractory days of the single's."""
    rng = np.random.default_rng(4)
    days = np.arange(T)
    base = 50_000 * np.exp(rng.normal(0, 0.02, T))
    single = np.where(days >= 150, 20_000.0, np.nan)
    album = np.where(days >= 155, 75_000.0 * (1 + 4 * np.exp(-(days - 155) / 2.0)), np.nan)
    counts = np.vstack([base, single, album])
    ids = np.array(["a", "s", "b"])
    labels = np.array(["L"] * 3, dtype=object)
    tracks = Series(ids, pd.date_range("2017-01-01", periods=T), counts, counts, labels)
    catalog = pd.DataFrame({"isrc": ids, "artist_id": ["x"] * 3, "label": ["L"] * 3})
    artists = artist_series(tracks, catalog)
    debuts = _debut_days(tracks, artists, catalog)
    weeks = launch_weeks(debuts, DetectConfig().launch_days)
    got = detect(artists.counts, HP, artist=True, steps_up=weeks).alerts
    spikes = sorted(got.onset[got.kind == "spike"])
    assert spikes == [150]  # without the launches, the album day is refractory
    got = detect(artists.counts, HP, artist=True, steps_up=weeks, launches=debuts).alerts
    assert sorted(got.onset[got.kind == "spike"]) == [150, 155]
