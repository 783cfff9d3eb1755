"""The held-out calibration of the 80 % band: known residuals, and a fresh held-out period."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analytics.forecast import ForecastParams, build_panel, fit, truncate
from analytics.forecast.calibrate import Calibration, best_weight, bucket_of, from_held_out

START = pd.Timestamp("2026-01-05")


def test_shifts_put_a_tenth_of_held_out_days_on_each_side() -> None:
    rng = np.random.default_rng(0)
    n = 20_000
    h = rng.integers(1, 91, n)
    # outcomes N(0, 1) around a median of 0; the fitted band (-0.5, 0.5) is far too narrow
    # at short horizons and the noise doubles beyond 30 days
    actual = rng.normal(0, 1, n) * np.where(h > 30, 2.0, 1.0)
    qs = np.tile([-0.5, 0.0, 0.5], (n, 1))
    cal = from_held_out(h, qs, actual)
    z = 1.2816  # the 90 % point of the standard normal
    assert cal.lower[0] == pytest.approx(z - 0.5, abs=0.1)
    assert cal.upper[2] == pytest.approx(z - 0.5, abs=0.1)
    assert cal.upper[4] == pytest.approx(2 * z - 0.5, abs=0.1)
    assert cal.coverage_before == pytest.approx(0.38 * 0.33 + 0.2 * 0.67, abs=0.03)
    out = cal.apply(h, qs)
    inside = (actual >= out[:, 0]) & (actual <= out[:, 2])
    for k in range(5):
        sel = bucket_of(h) == k
        assert inside[sel].mean() == pytest.approx(0.8, abs=0.02)


def test_a_negative_shift_narrows_but_never_crosses_the_median() -> None:
    cal = Calibration(lower=(-1.0,) * 5, upper=(-1.0,) * 5)
    out = cal.apply(np.array([1, 80]), np.array([[-0.5, 0.0, 0.5], [-2.0, 0.0, 2.0]]))
    np.testing.assert_allclose(out, [[0.0, 0.0, 0.0], [-1.0, 0.0, 1.0]])


def _planted(n_tracks: int, days: int, seed: int) -> pd.DataFrame:
    """Tracks decaying with half-lives of 20-80 days, day noise of 25 % and a level that
    wanders (a random walk on log scale) - the band must cover a level it cannot foresee."""
    rng = np.random.default_rng(seed)
    frames = []
    for i in range(n_tracks):
        release = int(rng.integers(0, days - 60))  # releases all through the period
        age = np.arange(days - release)
        half_life = rng.uniform(20, 80)
        walk = np.cumsum(rng.normal(0, 0.03, len(age)))
        mean = rng.uniform(500, 5000) * 0.5 ** (age / half_life) * np.exp(walk)
        streams = mean * rng.lognormal(0, 0.25, len(age))
        frames.append(
            pd.DataFrame(
                {
                    "isrc": f"T{i:03d}",
                    "date": START + pd.to_timedelta(release + age, unit="D"),
                    "streams": streams,
                    "active": streams * 0.4,
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def test_band_covers_80_percent_of_a_fresh_held_out_period() -> None:
    n, days = 80, 330
    daily = _planted(n, days, seed=5)
    tracks = pd.DataFrame(
        {
            "isrc": [f"T{i:03d}" for i in range(n)],
            "artist_id": [f"A{i % 8}" for i in range(n)],
            "label": "L1",
            "genre": "pop",
        }
    )
    panel = build_panel(daily, tracks, absent_is_zero=True)
    cut = panel.streams.shape[1] - 91  # the last 90 days are never seen by the fit
    model = fit(truncate(panel, cut), ForecastParams(max_iter=80, horizons_per_origin=12))
    assert sum(model.calibration.held_out_days) > 5_000
    tr = model.daily[~model.daily["series_id"].str.startswith("artist:")]
    p10 = tr.pivot(index="series_id", columns="date", values="p10").to_numpy()
    p90 = tr.pivot(index="series_id", columns="date", values="p90").to_numpy()
    ids = tr["series_id"].drop_duplicates().sort_values()
    rows = panel.series.reset_index().set_index("series_id").loc[ids, "index"].to_numpy()
    actual = panel.streams[rows, cut + 1 : cut + 91]
    coverage = ((actual >= p10) & (actual <= p90)).mean()
    assert 0.70 <= coverage <= 0.90, (coverage, model.calibration)


def test_median_is_pulled_to_the_recent_level_only_when_held_out_days_say_so() -> None:
    rng = np.random.default_rng(1)
    n = 5_000
    model_median = rng.normal(0, 0.5, n)
    noise = rng.normal(0, 0.1, n)
    assert best_weight(model_median, model_median + noise) == 1.0  # the model was right
    assert best_weight(model_median, noise) == 0.0  # the level stayed where it was
    assert best_weight(model_median, 0.5 * model_median + noise) == pytest.approx(0.5)
    h = rng.integers(1, 91, n)
    qs = np.column_stack([model_median - 0.3, model_median, model_median + 0.3])
    cal = from_held_out(h, qs, noise)
    assert cal.weight == (0.0,) * 5
    out = cal.apply(h, qs)  # the median is the level, the band sits around it
    np.testing.assert_allclose(out[:, 1], 0.0)
    assert ((noise >= out[:, 0]) & (noise <= out[:, 2])).mean() == pytest.approx(0.8, abs=0.03)
    assert from_held_out(h, qs, noise, shrink=False).weight == (1.0,) * 5


def test_total_lies_in_its_interval_for_70_to_90_percent_of_a_fresh_period() -> None:
    # synthetic planted world; the summed daily quantiles alone cover far more than 80 %
    n, days = 160, 330
    daily = _planted(n, days, seed=7)
    tracks = pd.DataFrame(
        {
            "isrc": [f"T{i:03d}" for i in range(n)],
            "artist_id": [f"A{i % 16}" for i in range(n)],
            "label": "L1",
            "genre": "pop",
        }
    )
    panel = build_panel(daily, tracks, absent_is_zero=True)
    cut = panel.streams.shape[1] - 91  # the last 90 days are never seen by the fit
    model = fit(truncate(panel, cut), ForecastParams(max_iter=80, horizons_per_origin=12))
    assert model.totals.held_out_series["track"] >= 30
    s = model.series[model.series["kind"] == "track"].set_index("series_id")
    rows = panel.series.reset_index().set_index("series_id").loc[s.index, "index"].to_numpy()
    actual = panel.streams[rows, cut + 1 : cut + 91].sum(axis=1)
    inside = (actual >= s["total_p10"].to_numpy()) & (actual <= s["total_p90"].to_numpy())
    assert len(s) >= 100
    assert 0.70 <= inside.mean() <= 0.90, (inside.mean(), model.totals)
    # the calibrated interval is narrower than the summed daily quantiles
    assert model.totals.lower["track"] < 1 and model.totals.upper["track"] < 1
