"""Shared covariance recursions (analytics/alerts/kalman_slots.py) against the per-series
filter (kalman_dense) on SYNTHETIC catalogues: series that miss days of their own, start
late, share feed-wide gaps, get interventions and continue from a saved state. The shared
filter must give every series its own filter's output (to 1e-9; in practice bit for bit)
while running far fewer covariance recursions than there are series."""

from __future__ import annotations

import numpy as np

from analytics.alerts.kalman import FilterState, Hyper, initial_state, kalman_filter
from analytics.alerts.kalman_dense import kalman_filter_dense

HP = Hyper(irregular=0.006, level=1e-6, trend=5e-6, seasonal=1e-7)
FIELDS = ("pred_mean", "pred_var", "trend_mean", "trend_var", "llf_obs")


def _catalogue(n: int, t: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """log-streams with a weekday pattern; 3 variance classes, 2 feed-wide missing days,
    a quarter released late, a tenth quiet with missing days of their own, and level
    steps on every ninth series (interventions)."""
    rng = np.random.default_rng(seed)
    dow = np.log([0.96, 0.95, 0.97, 0.99, 1.12, 1.06, 0.95])[np.arange(t) % 7]
    y = 4 + dow + np.cumsum(rng.normal(0, 0.01, (n, t)), axis=1) + rng.normal(0, 0.1, (n, t))
    y[::9, t // 2 :] += 0.8
    y[:, [17, 90]] = np.nan
    start = np.where(rng.random(n) < 0.25, rng.integers(1, t - 20, n), 0)
    y[np.arange(t)[None, :] < start[:, None]] = np.nan
    quiet = rng.random(n) < 0.1
    y[quiet[:, None] & (rng.random((n, t)) < 0.05)] = np.nan
    H = np.array([0.006, 0.01, 0.02])[rng.integers(0, 3, n)]
    return y, H


def _first(y: np.ndarray) -> np.ndarray:
    return y[np.arange(len(y)), np.argmax(~np.isnan(y), axis=1)]


def _assert_same(ours, ref) -> float:
    worst = 0.0
    for name in FIELDS:
        worst = max(worst, float(np.abs(getattr(ours, name) - getattr(ref, name)).max()))
    worst = max(worst, float(np.abs(ours.state.a - ref.state.a).max()))
    worst = max(worst, float(np.abs(ours.state.P - ref.state.P).max()))
    assert np.array_equal(ours.intervened, ref.intervened)
    assert worst <= 1e-9, worst
    return worst


def test_shared_recursions_equal_the_per_series_filter_with_gaps_late_starts_and_steps():
    y, H = _catalogue(n=400, t=160, seed=5)
    st = initial_state(_first(y))
    active = np.ones_like(y, dtype=bool)
    active[:, :20] = False  # a burn-in without interventions
    ours = kalman_filter(y, HP, H, st, intervene_z=4.0, active=active, keep_filtered=True)
    ref = kalman_filter_dense(y, HP, H, st, intervene_z=4.0, active=active, keep_filtered=True)
    _assert_same(ours, ref)
    assert np.abs(ours.filtered - ref.filtered).max() <= 1e-9
    assert ours.intervened.sum() >= 20  # the steps did intervene
    # shared: far fewer recursions than series, though quiet, late and stepped series split
    assert 3 < ours.slots < len(y) // 2


def test_a_continued_state_with_differing_covariances_still_matches():
    """The second half starts from the first half's saved state, in which series carry
    different covariances (own missing days, interventions): grouped by covariance."""
    y, H = _catalogue(n=200, t=120, seed=6)
    st = initial_state(_first(y))
    first = kalman_filter(y[:, :60], HP, H, st, intervene_z=4.0)
    saved = FilterState(first.state.a.copy(), first.state.P.copy())
    ours = kalman_filter(y[:, 60:], HP, H, saved, intervene_z=4.0)
    ref = kalman_filter_dense(y[:, 60:], HP, H, saved, intervene_z=4.0)
    _assert_same(ours, ref)
    full = kalman_filter_dense(y, HP, H, st, intervene_z=4.0)
    assert np.abs(ours.pred_mean - full.pred_mean[:, 60:]).max() <= 1e-9


def test_slots_split_on_the_first_day_series_disagree():
    """Hand-worked: A observes every day, B misses day 5, C starts on day 10, D is A's
    twin with another variance. One recursion per variance at first; C leaves A's on day
    0, B on day 5; C's own later start splits nothing more: 3 + 1 recursions."""
    t = 30
    y = np.full((4, t), 3.0) + np.sin(np.arange(t))[None, :] * 0.1
    y[1, 5] = np.nan
    y[2, :10] = np.nan
    H = np.array([0.01, 0.01, 0.01, 0.02])
    st = initial_state(_first(y))
    out = kalman_filter(y, HP, H, st)
    assert out.slots == 4
    ref = kalman_filter_dense(y, HP, H, st)
    _assert_same(out, ref)
    # B's covariance differs from A's after its missing day, and never returns to it
    assert not np.array_equal(out.pred_var[0, 6:], out.pred_var[1, 6:])
