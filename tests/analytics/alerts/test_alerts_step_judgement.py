"""Issue 13, third round, on hand-made SYNTHETIC series and hand-worked arrays with known
answers: the best split may fall a few days before the CUSUM's start, a return needs its
own evidence, the end of a material add is material, a call too close to make waits, and
a series back from weeks off a chart is skipped like a launch."""

from __future__ import annotations

import numpy as np

from analytics.alerts import step_shapes, steps
from analytics.alerts.detect import DetectConfig, _relaunch_days, detect
from analytics.alerts.kalman import Hyper

DOW = np.array([0.96, 0.95, 0.97, 0.99, 1.12, 1.06, 0.95])
HP = Hyper(irregular=0.0065, level=1e-6, trend=5e-6, seasonal=1e-7)


def _counts(mu: np.ndarray, seed: int, noise: float = 150.0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    lam = mu * DOW[np.arange(mu.shape[1]) % 7] * rng.gamma(noise, 1 / noise, size=mu.shape)
    return rng.poisson(lam).astype(float)


def _kinds(alerts, series: int) -> list[tuple[str, int]]:
    a = alerts[alerts.series == series].sort_values("onset")
    return list(zip(a.kind, a.onset, strict=True))


def test_best_step_by_hand():
    """d = [0, 0, 1, 1, 1, 0, 0]: the step is days 2..4, back on day 5 (rss 0). From
    `first` = 3 on (a step lasts >= 3 days) the best is days 3..5: rss = 3 - 2^2 / 3.
    Without returns, the best lasting step from day 0 is days 2..6: rss = 3 - 3^2 / 5."""
    d = np.array([0.0, 0.0, 1.0, 1.0, 1.0, 0.0, 0.0])
    assert step_shapes.best_step(d) == (0.0, 2, 5)
    rss, e, r = step_shapes.best_step(d, first=3)
    assert (e, r) == (3, 6) and np.isclose(rss, 3 - 4 / 3)
    rss, e, r = step_shapes.best_step(d, returns=False)
    assert (e, r) == (2, 7) and np.isclose(rss, 1.2)


def test_relaunch_days_by_hand():
    """A series observed on days 0-1, off for 3 days, back on day 5: with gap 3 the days
    5..6 (days=2) are a relaunch; a one-day hole is not. A series first seen inside the
    block is a launch (not a relaunch). History before the block counts for the gap."""
    nan = np.nan
    y = np.array(
        [
            [1, 1, nan, nan, nan, 1, 1, 1],
            [1, nan, 1, 1, 1, 1, 1, 1],
            [nan, nan, nan, 1, 1, 1, 1, 1],
        ]
    )
    got = _relaunch_days(y, np.zeros((3, 0)), days=2, gap=3)
    want = np.zeros_like(got)
    want[0, 5:7] = True
    assert (got == want).all()
    # History before the block counts: 4 days off (2 in the history, 2 in the block).
    hist = np.array([[1.0, 1.0, nan], [1.0, 1.0, 1.0], [1.0, nan, nan]])
    got = _relaunch_days(y[:, 1:], hist, days=2, gap=3)
    want = np.zeros_like(got)
    want[0, 4:6] = True  # the first series' return, one day earlier in block terms
    want[2, 2:4] = True
    assert (got == want).all()


def test_the_end_of_a_material_add_is_material():
    """+16.5 % for 20 days on loud tracks (5,000 streams a day, little day-to-day noise):
    the add is material (>= 15 %), and its end (-14.2 % on the ratio scale) is reported as
    well: the end of a material add is material. Before this round the end was dropped
    (|exp(-0.153) - 1| < 0.15)."""
    n, days, d0, length = 10, 300, 200, 20
    mu = np.full((n, days), 5000.0)
    mu[:, d0 : d0 + length] *= 1.165
    det = detect(_counts(mu, 11, noise=2000.0), HP, DetectConfig())
    adds = ends = 0
    for i in range(n):
        kinds = _kinds(det.alerts, i)
        adds += any(k == "spike" and abs(o - d0) <= 1 for k, o in kinds)
        ends += any(k == "drop" and abs(o - d0 - length) <= 1 for k, o in kinds)
    assert adds >= 8, adds
    assert ends >= 8, ends


def test_a_close_call_waits_and_a_step_after_high_days_is_a_spike():
    """+30 % for 25 days from day 200 on 30 tracks of 300 streams a day, with the three
    days two to four days before it 12 % high: a ramp fits the first days past the CUSUM's
    decision about as well as the step, so the call waits for more days. Measured on this
    draw: 23 of 30 adds a spike within a day (2 more dated on the first high day, 4 days
    early); with no waiting and no days before the start in the fit (the second round's
    rule) 20 of 30. No spike is dated before the first high day."""
    n, days, d0, length = 30, 300, 200, 25
    mu = np.full((n, days), 300.0)
    mu[:, d0 - 4 : d0 - 1] *= 1.12
    mu[:, d0 : d0 + length] *= 1.3
    counts = _counts(mu, 21)

    def found() -> tuple[int, int]:
        det = detect(counts, HP, DetectConfig())
        on_day = early = 0
        for i in range(n):
            kinds = _kinds(det.alerts, i)
            on_day += any(k == "spike" and abs(o - d0) <= 1 for k, o in kinds)
            early += any(k == "spike" and o < d0 - 4 for k, o in kinds)
        return on_day, early

    on_day, early = found()
    saved = steps.WAIT_DAYS, steps.PRE_DAYS
    try:
        steps.WAIT_DAYS, steps.PRE_DAYS = 0, 0
        before, _ = found()
    finally:
        steps.WAIT_DAYS, steps.PRE_DAYS = saved
    assert early == 0
    assert on_day >= 22, on_day
    assert before < on_day, (before, on_day)


def test_a_return_to_the_chart_with_a_burst_is_not_learnt_as_a_weekday_pattern():
    """Series first on a chart on day 30, off it from day 40 (their launch week skipped,
    little else seen: the weekday pattern still unknown), back on day 100 with a burst on
    day 102 (4x: a release on the day, as Halsey's return in April 2017), then steady.
    The return's first days update the level but teach no weekday pattern: no rapid
    alert after the burst day. With the return's days teaching it (the second round),
    the burst came back as a "spike" on other weekdays every week or two (measured: 103
    such alerts on the 10 series)."""
    n, days, back = 10, 300, 100
    mu = np.full((n, days), 2000.0)
    mu[:, back + 2] *= 4.0
    counts = _counts(mu, 13)
    counts[:, :30] = np.nan
    counts[:, 40:back] = np.nan  # off the chart: censored, not zero

    def later(cfg: DetectConfig) -> int:
        a = detect(counts, HP, cfg).alerts
        return int((a.kind.isin(["spike", "drop"]) & (a.onset > back + 2)).sum())

    assert later(DetectConfig()) <= 1
    assert later(DetectConfig(relaunch_gap=0)) >= 5 * n


def test_growth_waits_for_a_step_whose_cusum_started_on_a_high_day():
    """+25 % for 30 days from day 200 on 40 tracks of 300 streams a day, the day three days
    before it 30 % high: the CUSUM often starts on that day, so the departure slopes from
    its start and was not a "step in the making"; the trend rule then reported growth
    (dated weeks early) before the level-shift rule decided the spike. A departure that a
    step fits better than a ramp now holds the trend rule too. Measured on this draw:
    growth alerts within 30 days of the add 16 -> 12 of 40 (seeds 3 / 33: 15 -> 13,
    11 -> 8), spikes within a day 25 either way."""
    n, days, d0, length = 40, 300, 200, 30
    mu = np.full((n, days), 300.0)
    mu[:, d0 - 3] *= 1.3
    mu[:, d0 : d0 + length] *= 1.25
    counts = _counts(mu, 21)

    def found() -> tuple[int, int]:
        det = detect(counts, HP, DetectConfig())
        growth = spikes = 0
        for i in range(n):
            kinds = _kinds(det.alerts, i)
            growth += any(k == "growth" and abs(o - d0) <= 30 for k, o in kinds)
            spikes += any(k == "spike" and abs(o - d0) <= 1 for k, o in kinds)
        return growth, spikes

    growth, spikes = found()
    saved = steps.StepMonitor._steplike
    try:
        steps.StepMonitor._steplike = lambda self, *args: False  # the third round's rule
        growth_before, spikes_before = found()
    finally:
        steps.StepMonitor._steplike = saved
    assert spikes == spikes_before >= 24, (spikes, spikes_before)
    assert growth <= 12 and growth_before - growth >= 3, (growth, growth_before)


def test_steplike_by_hand():
    """Departures [0]*10 (the days before the CUSUM) then [0.1, 0, 0, 0.5, 0.5, 0.5, 0.5]:
    a step of 0.5 from the fourth day fits exactly (rss 0.01), a ramp cannot; a straight
    climb 0.1 a day is a ramp."""
    mon = steps.StepMonitor(steps.StepMonitor.fresh(1), steps.StepConfig(), 40, 0.15)
    d = [0.0] * 10 + [0.1, 0.0, 0.0, 0.5, 0.5, 0.5]
    mon.recent[0, -len(d) :] = d
    assert mon._steplike(0, start=10, t=16, base=0.0, today=0.5)
    d = [0.0] * 10 + [0.1 * k for k in range(1, 7)]
    mon.recent[0, -len(d) :] = d
    assert not mon._steplike(0, start=10, t=16, base=0.0, today=0.7)
