"""The vectorised filter against statsmodels' UnobservedComponents (same model, same
parameters, same initial state): log-likelihood, filtered states, one-step predictions and
forecasts agree to 1e-6, with missing days; and appending days continues exactly."""

from __future__ import annotations

import numpy as np
import pytest
from statsmodels.tsa.statespace.structural import UnobservedComponents

from analytics.alerts.kalman import FilterState, Hyper, forecast, initial_state, kalman_filter

HP = Hyper(irregular=0.01, level=2e-4, trend=5e-6, seasonal=1e-4)


def _series(n: int = 4, t: int = 150, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    days = np.arange(t)
    dow = np.log([0.96, 0.95, 0.97, 0.99, 1.12, 1.06, 0.95])[days % 7]
    level = 5 + np.cumsum(rng.normal(0.002, 0.02, (n, t)), axis=1)
    y = level + dow + rng.normal(0, 0.1, (n, t))
    y[0, [3, 4, 5, 60]] = np.nan  # missing days are missing observations, not zeros
    if n > 1:
        y[1, 100:110] = np.nan
    return y


def _statsmodels(y: np.ndarray, H: float, st: FilterState, i: int):
    mod = UnobservedComponents(y, level="local linear trend", seasonal=7, stochastic_seasonal=True)
    mod.ssm.initialize_known(st.a[i], st.P[i])
    return mod.filter(HP.as_sm_params(H))


def test_filter_matches_statsmodels_with_missing_days():
    y = _series()
    H = np.array([0.01, 0.02, 0.05, 0.003])
    st = initial_state(y[:, 0])
    out = kalman_filter(y, HP, H, st, keep_filtered=True)
    for i in range(len(y)):
        res = _statsmodels(y[i], H[i], st, i)
        # statsmodels excludes nothing here (known initialisation): compare per observation
        assert np.nansum(res.llf_obs) == pytest.approx(out.llf_obs[i].sum(), abs=1e-6)
        assert np.abs(res.filtered_state.T - out.filtered[i]).max() < 1e-6
        assert np.abs(res.forecasts[0] - out.pred_mean[i]).max() < 1e-6
        assert np.abs(res.forecasts_error_cov[0, 0] - out.pred_var[i]).max() < 1e-6
        fc = res.get_forecast(28)
        mean, var = forecast(
            FilterState(out.state.a[i : i + 1], out.state.P[i : i + 1]), HP, H[i], 28
        )
        assert np.abs(fc.predicted_mean - mean[0]).max() < 1e-6
        assert np.abs(fc.var_pred_mean - var[0]).max() < 1e-6


def test_filter_is_not_trivially_equal_for_other_parameters():
    """The comparison can fail: a different variance gives a different likelihood."""
    y = _series(n=1)
    st = initial_state(y[:, 0])
    out = kalman_filter(y, HP, 0.01, st)
    res = _statsmodels(y[0], 0.02, st, 0)
    assert abs(np.nansum(res.llf_obs) - out.llf_obs[0].sum()) > 1.0


def test_appending_days_continues_the_filter_exactly():
    y = _series(seed=1)
    st = initial_state(y[:, 0])
    full = kalman_filter(y, HP, 0.02, st)
    first = kalman_filter(y[:, :90], HP, 0.02, st)
    # persist and reload the state as the job does (flat lists), then append the rest
    saved = FilterState(
        np.array([list(a) for a in first.state.a]),
        np.array([list(p) for p in first.state.P.reshape(len(y), -1)]).reshape(-1, 8, 8),
    )
    rest = kalman_filter(y[:, 90:], HP, 0.02, saved)
    assert np.allclose(rest.pred_mean, full.pred_mean[:, 90:], atol=1e-10, equal_nan=True)
    assert np.allclose(rest.state.a, full.state.a, atol=1e-10)
    assert np.allclose(rest.state.P, full.state.P, atol=1e-10)


def _catalogue(n: int = 60, t: int = 120, seed: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """Series that share variances and missing days in groups (a feed-wide missing day,
    late starts), plus a few with missing days of their own, and some steps."""
    rng = np.random.default_rng(seed)
    dow = np.log([0.96, 0.95, 0.97, 0.99, 1.12, 1.06, 0.95])[np.arange(t) % 7]
    y = 5 + dow + np.cumsum(rng.normal(0, 0.01, (n, t)), axis=1) + rng.normal(0, 0.1, (n, t))
    y[:, 40] = np.nan  # the feed missed a day
    y[n // 3 : n // 2, :30] = np.nan  # released later
    y[-5:][rng.random((5, t)) < 0.1] = np.nan  # quiet tracks
    y[::7, 80:] += 1.0  # steps: interventions split these from their group
    H = np.array([0.01, 0.02, 0.05])[np.arange(n) % 3]
    return y, H


def test_shared_covariance_filter_matches_statsmodels_and_the_per_series_filter():
    """Series with the same variance and missing days share one covariance recursion;
    the output is still each series' own filter: statsmodels to 1e-6, and bit-for-bit the
    per-series filter, interventions included."""
    from analytics.alerts.kalman import _slots
    from analytics.alerts.kalman_dense import kalman_filter_dense

    y, H = _catalogue()
    first = np.argmax(~np.isnan(y), axis=1)
    st = initial_state(y[np.arange(len(y)), first])
    slots, _ = _slots(~np.isnan(y), H, st.P)
    assert len(np.unique(slots)) <= 12 < len(y)  # shared: 3 variances x few patterns + 5
    out = kalman_filter(y, HP, H, st, keep_filtered=True)
    for i in range(len(y)):
        res = _statsmodels(y[i], H[i], st, i)
        assert np.nansum(res.llf_obs) == pytest.approx(out.llf_obs[i].sum(), abs=1e-6)
        assert np.abs(res.filtered_state.T - out.filtered[i]).max() < 1e-6
        assert np.abs(res.forecasts_error_cov[0, 0] - out.pred_var[i]).max() < 1e-6
    active = np.ones_like(y, dtype=bool)
    ours = kalman_filter(y, HP, H, st, intervene_z=4.0, active=active)
    ref = kalman_filter_dense(y, HP, H, st, intervene_z=4.0, active=active)
    assert ours.intervened.sum() >= 5  # the steps did split series off their slots
    for name in ("pred_mean", "pred_var", "trend_mean", "trend_var", "llf_obs", "intervened"):
        assert np.array_equal(getattr(ours, name), getattr(ref, name)), name
    assert np.array_equal(ours.state.P, ref.state.P)


def test_damped_forecast_by_hand():
    # level 5, trend +0.01 a day, no season, no noise: h days ahead the undamped level has
    # moved h x 0.01, the damped one 0.01 (phi + ... + phi^h), never beyond 0.01 phi/(1-phi)
    a = np.zeros((1, 8))
    a[0, 0], a[0, 1] = 5.0, 0.01
    P = np.zeros((1, 8, 8))
    P[0, 1, 1] = 1e-4  # only the trend is uncertain
    quiet = Hyper(irregular=0.0, level=0.0, trend=0.0, seasonal=0.0)
    state = FilterState(a, P)
    h = np.arange(28)  # mean[:, k] is k days after the first forecast day
    mean, var = forecast(state, quiet, 0.0, 28)
    assert mean[0] == pytest.approx(5.0 + 0.01 * h)
    assert var[0] == pytest.approx(1e-4 * h**2)
    phi = 0.9
    moved = np.array([sum(phi**i for i in range(1, k + 1)) for k in h])
    mean_d, var_d = forecast(state, quiet, 0.0, 28, damping=phi)
    assert mean_d[0] == pytest.approx(5.0 + 0.01 * moved)
    assert var_d[0] == pytest.approx(1e-4 * moved**2)
    assert mean_d[0, -1] < 5.0 + 0.01 * phi / (1 - phi)
    # phi = 1 is the undamped model; the state passed in is left as it was
    assert forecast(state, quiet, 0.0, 28, damping=1.0)[0] == pytest.approx(mean)
    assert state.a[0, 1] == 0.01 and state.P[0, 1, 1] == 1e-4
