"""The per-series damped-trend smoothing and its combination with the model's median;
hand-worked cases and synthetic (planted) residuals."""

from __future__ import annotations

import numpy as np
import pytest

from analytics.forecast.calibrate import best_weight, bucket_of, from_held_out
from analytics.forecast.ets import PHI, smooth


def test_a_flat_series_is_forecast_flat_and_unknown_days_carry_the_state() -> None:
    x = np.full((2, 60), 5.0)
    x[1] = 3.0 + 0.05 * np.arange(60)  # a steady rise on log scale
    x[1, 40:50] = np.nan  # off the chart for ten days
    s = smooth(x)
    np.testing.assert_allclose(s.level[0], 5.0)
    np.testing.assert_allclose(s.trend[0], 0.0)
    np.testing.assert_allclose(s.forecast(np.array([0]), np.array([59]), np.array([30])), 5.0)
    # over the unknown days level and trend run on as forecast, untouched by data
    lv, tr = s.level[1, 39], s.trend[1, 39]
    assert tr > 0
    k = np.arange(1, 11)
    expected = lv + tr * np.cumsum(PHI**k)
    np.testing.assert_allclose(s.level[1, 40:50], expected)
    np.testing.assert_allclose(s.trend[1, 40:50], tr * PHI**k)
    # the forecast h days on adds the trend damped over those days
    f = s.forecast(np.array([1]), np.array([39]), np.array([10]))
    np.testing.assert_allclose(f, expected[-1])


def test_series_before_its_first_day_has_no_state() -> None:
    x = np.full((1, 10), np.nan)
    x[0, 4:] = 2.0
    s = smooth(x)
    assert np.isnan(s.level[0, :4]).all()
    np.testing.assert_allclose(s.level[0, 4:], 2.0)


def test_median_combines_with_the_reference_forecast_the_held_out_days_favour() -> None:
    rng = np.random.default_rng(2)
    n = 6_000
    model = rng.normal(0, 0.5, n)
    ets = rng.normal(0, 0.5, n)
    noise = rng.normal(0, 0.05, n)
    assert best_weight(model, ets + noise, ets) == 0.0
    assert best_weight(model, model + noise, ets) == 1.0
    assert best_weight(model, 0.3 * model + 0.7 * ets + noise, ets) == pytest.approx(0.3)
    h = rng.integers(1, 91, n)
    qs = np.column_stack([model - 0.2, model, model + 0.2])
    cal = from_held_out(h, qs, ets + noise, reference=ets)
    np.testing.assert_allclose(cal.apply(h, qs, ets)[:, 1], ets)


def test_each_group_gets_its_own_band_where_it_has_enough_held_out_days() -> None:
    rng = np.random.default_rng(3)
    n = 20_000
    h = rng.integers(1, 91, n)
    groups = np.where(np.arange(n) < n // 2, "complete", "charts")
    spread = np.where(groups == "charts", 3.0, 1.0)  # chart series are far more volatile
    actual = rng.normal(0, 1, n) * spread
    qs = np.tile([-0.5, 0.0, 0.5], (n, 1))
    small = np.where(np.arange(n) < 500, "tiny label", groups)  # 500 days: too few of its own
    cal = from_held_out(h, qs, actual, groups=small)
    assert set(cal.by_group) == {"complete", "charts"}
    out = cal.apply(h, qs, groups=small)
    for g in ("complete", "charts"):
        sel = small == g
        inside = (actual[sel] >= out[sel, 0]) & (actual[sel] <= out[sel, 2])
        assert inside.mean() == pytest.approx(0.8, abs=0.02)
        for k in range(5):  # per horizon bucket too
            b = sel & (bucket_of(h) == k)
            assert ((actual[b] >= out[b, 0]) & (actual[b] <= out[b, 2])).mean() == pytest.approx(
                0.8, abs=0.05
            )
    # one band for all would cover the calm group far more than 80 % and the volatile less
    one = from_held_out(h, qs, actual)
    pooled = one.apply(h, qs)
    inside = (actual >= pooled[:, 0]) & (actual <= pooled[:, 2])
    assert inside[groups == "complete"].mean() > 0.93 and inside[groups == "charts"].mean() < 0.7
    tiny = small == "tiny label"  # the overall calibration for the group with too few days
    np.testing.assert_allclose(out[tiny], cal.apply(h[tiny], qs[tiny]))
    assert "by_group" in cal.as_dict() and "by_group" not in one.as_dict()
