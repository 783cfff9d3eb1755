"""The forecast model on planted panels: known shapes, known answers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analytics.forecast import ForecastParams, build_panel, fit, truncate, with_plan
from analytics.forecast import features as ft
from analytics.forecast.model import training_triples
from analytics.forecast.totals import TotalFactors, summed

START = pd.Timestamp("2026-01-05")  # a Monday


def _planted(n_tracks: int, days: int, seed: int, young_from: int | None = None) -> pd.DataFrame:
    """Tracks whose streams decay from release with a half-life of 30 days, a weekend bump
    of +30 %, and 10 % day-to-day noise; tracks released on a spread of days. With
    `young_from`, the last track is released that day (so it is young at the end)."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n_tracks):
        release = int(rng.integers(0, days // 2))
        if young_from is not None and i == n_tracks - 1:
            release = young_from
        peak = float(rng.uniform(500, 5000))
        for d in range(release, days):
            age = d - release
            weekend = 1.3 if (START + pd.Timedelta(days=d)).day_of_week >= 5 else 1.0
            mean = peak * 0.5 ** (age / 30) * weekend
            rows.append(
                {
                    "isrc": f"T{i:03d}",
                    "date": START + pd.Timedelta(days=d),
                    "streams": float(mean * rng.lognormal(0, 0.1)),
                    "active": float(mean * 0.4),
                }
            )
    return pd.DataFrame(rows)


def _tracks(n: int) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "isrc": [f"T{i:03d}" for i in range(n)],
            "artist_id": [f"A{i % 6}" for i in range(n)],
            "label": ["L1" if i % 2 else "L2" for i in range(n)],
            "genre": ["pop"] * n,
        }
    )


FAST = ForecastParams(max_iter=80, horizons_per_origin=12)


def test_panel_fills_zero_after_first_stream_only_in_complete_deliveries() -> None:
    daily = pd.DataFrame(
        {
            "isrc": ["T000", "T000", "T001", "T001"],
            "date": pd.to_datetime(["2026-01-01", "2026-01-04", "2026-01-02", "2026-01-04"]),
            "streams": [10.0, 20.0, 5.0, 7.0],
            "active": [1.0, 2.0, 1.0, 1.0],
        }
    )
    tracks = pd.DataFrame(
        {"isrc": ["T000", "T001"], "artist_id": "A", "label": "L", "genre": "pop"}
    )
    full = build_panel(daily, tracks, absent_is_zero=True)
    np.testing.assert_array_equal(full.streams[0], [10, 0, 0, 20])
    np.testing.assert_array_equal(full.streams[1], [np.nan, 5, 0, 7])
    # the artist total: both tracks added where any is known
    np.testing.assert_array_equal(full.streams[2], [10, 5, 0, 27])
    assert list(full.series["series_id"]) == ["T000", "T001", "artist:A@L"]
    assert list(full.artist_row) == [2, 2, 2]
    charts = build_panel(daily, tracks, absent_is_zero=False)  # censored: unknown stays unknown
    np.testing.assert_array_equal(charts.streams[0], [10, np.nan, np.nan, 20])
    np.testing.assert_array_equal(charts.streams[2], [10, 5, np.nan, 27])


def test_censored_days_are_never_training_targets() -> None:
    daily = _planted(8, 120, seed=1)
    daily = daily[pd.to_datetime(daily["date"]).dt.day % 5 != 0]  # every 5th day censored
    panel = build_panel(daily, _tracks(8), absent_is_zero=False)
    st = ft.origin_stats(panel)
    r, t, h = training_triples(panel, st, FAST)
    assert len(r) > 1000
    assert not np.isnan(panel.streams[r, t + h]).any()
    assert (st.age[r, t] >= 6).all() and (h >= 1).all() and (h <= 90).all()


def test_total_is_the_summed_interval_with_its_log_spread_scaled_per_kind() -> None:
    paths = np.array([[[1.0, 2.0, 4.0], [3.0, 4.0, 5.0]], [[1.0, 2.0, 4.0], [3.0, 4.0, 5.0]]])
    np.testing.assert_array_equal(summed(paths), [[4.0, 6.0, 9.0]] * 2)
    # p10 = 6 * (4 / 6) ** 0.5, p90 = 6 * (9 / 6) ** 2; artists left as summed
    f = TotalFactors(lower={"track": 0.5}, upper={"track": 2.0})
    out = f.apply(summed(paths), np.array(["track", "artist"]))
    np.testing.assert_allclose(out[0], [6 * (4 / 6) ** 0.5, 6.0, 13.5])
    np.testing.assert_allclose(out[1], [4.0, 6.0, 9.0])
    assert TotalFactors.from_dict(f.as_dict()) == f


def test_plan_adds_its_territories_expected_increments_by_day() -> None:
    daily = pd.DataFrame(
        {
            "date": pd.to_datetime(["2026-02-01", "2026-02-02"]),
            "p10": [10.0, 20.0],
            "p50": [15.0, 25.0],
            "p90": [30.0, 40.0],
        }
    )
    plan = pd.DataFrame(
        {
            "date": ["2026-02-02", "2026-02-02", "2026-03-15"],  # the last: past the forecast
            "territory": ["DE", "FR", "DE"],
            "incremental_streams": [100.0, 40.0, 999.0],
        }
    )
    out = with_plan(daily, plan)
    assert list(out["p50"]) == [15.0, 165.0] and list(out["p10"]) == [10.0, 160.0]
    assert list(out["p90"]) == [30.0, 180.0] and list(out["date"]) == list(daily["date"])
    assert list(daily["p50"]) == [15.0, 25.0]  # the baseline is left as it was
    with pytest.raises(ValueError, match="territory"):
        with_plan(daily, plan.drop(columns=["territory"]))


def test_planted_decay_is_forecast_with_calibrated_band() -> None:
    days = 200
    daily = _planted(40, days, seed=2)
    panel = build_panel(daily, _tracks(40), absent_is_zero=True)
    cut = 130
    model = fit(truncate(panel, cut - 1), FAST)
    assert model.trained_through == panel.dates[cut - 1]
    d = model.daily[~model.daily["series_id"].str.startswith("artist:")]
    assert len(d) == 40 * 90
    assert (d["p10"] <= d["p50"]).all() and (d["p50"] <= d["p90"]).all()
    actual = pd.DataFrame(panel.streams[:40, cut : cut + 60], index=panel.series["series_id"][:40])
    actual = actual.stack().rename("actual").reset_index()
    actual.columns = ["series_id", "step", "actual"]
    actual["date"] = panel.dates[cut] + pd.to_timedelta(actual["step"], unit="D")
    joined = d.merge(actual, on=["series_id", "date"])
    assert len(joined) == 40 * 60
    inside = ((joined["actual"] >= joined["p10"]) & (joined["actual"] <= joined["p90"])).mean()
    assert 0.6 <= inside <= 0.97, inside
    # the median follows the decay: within 25 % of the truth on most days
    rel = (joined["p50"] / joined["actual"] - 1).abs()
    assert rel.median() < 0.25, rel.median()


def test_young_track_follows_the_decay_of_its_peers() -> None:
    days = 180
    daily = _planted(30, days, seed=3, young_from=days - 10)  # 10 days of data at the end
    model = fit(build_panel(daily, _tracks(30), absent_is_zero=True), FAST)
    young = model.series.set_index("series_id").loc["T029"]
    assert young["young"] and young["days_of_data"] == 10
    path = model.daily[model.daily["series_id"] == "T029"].set_index("date")["p50"]
    first_week = path.iloc[:7].mean()
    # planted half-life 30 days: 60 days on, a quarter of the level (its own few days,
    # extrapolated flat, would say no decay at all)
    assert path.iloc[60:67].mean() / first_week == pytest.approx(0.25, abs=0.12)


def test_last_anchor_carries_the_last_known_day_over_censored_days() -> None:
    daily = pd.DataFrame(
        {
            "isrc": "T000",
            "date": pd.to_datetime(["2026-01-01", "2026-01-02", "2026-01-03", "2026-01-12"]),
            "streams": [100.0, 300.0, 50.0, 80.0],
            "active": 0.0,
        }
    )
    tracks = pd.DataFrame({"isrc": ["T000"], "artist_id": "A", "label": "L", "genre": "pop"})
    panel = build_panel(daily, tracks, absent_is_zero=False)  # chart data: gaps are unknown
    week, last = ft.origin_stats(panel), ft.origin_stats(panel, "last")
    np.testing.assert_allclose(week.level[0, :3], np.log1p([100, 200, 150]))
    np.testing.assert_allclose(last.level[0, 2:9], np.log1p(50))  # carried 6 more days
    assert np.isnan(last.level[0, 9:11]).all() and np.isnan(week.level[0, 9:11]).all()
    np.testing.assert_allclose(last.level[0, 11], np.log1p(80))
    np.testing.assert_allclose(last.week, week.level)
    with pytest.raises(ValueError, match="anchor"):
        ft.origin_stats(panel, "month")


def test_same_data_in_any_row_order_gives_the_same_forecast() -> None:
    daily = _planted(20, 120, seed=4)
    tracks = _tracks(20)
    params = ForecastParams(max_iter=30, horizons_per_origin=6, horizon=30)
    a = fit(build_panel(daily, tracks, absent_is_zero=True), params)
    shuffled = daily.sample(frac=1.0, random_state=1)
    b = fit(build_panel(shuffled, tracks.iloc[::-1], absent_is_zero=True), params)
    pd.testing.assert_frame_equal(a.daily, b.daily, check_exact=True)
    pd.testing.assert_frame_equal(a.series, b.series, check_exact=True)
