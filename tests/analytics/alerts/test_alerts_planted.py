"""Detection against planted events of a freshly generated SYNTHETIC world.

The world (data.synth.build_world, demo size, seed 5 -- not the seed the thresholds were
chosen on) plants spikes/drops (editorial adds and removals, viral moments), growth and
decline ramps, plus campaign lifts on 1,080 tracks x 365 days. A campaign that moves its
track's total by the detector's level-shift materiality is a planted step (start a spike,
end a drop); a smaller one is neutral (evaluation.campaign_events). The daily
series are drawn with the renderer's noise model (gamma day-to-day variation, Poisson
counts, no row on a day with zero streams = a missing day) straight from the world, which
is cheaper than rendering a store and keeps the test in a few seconds.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analytics.alerts.detect import Context, DetectConfig, detect, fit_hyper
from analytics.alerts.evaluation import campaign_events, score_series
from data.synth.config import SynthConfig
from data.synth.series import campaign_lifts, planted_daily_counts
from data.synth.world import build_world


@pytest.fixture(scope="module")
def world():
    return build_world(SynthConfig.preset("demo", listeners=2000), seed=5)


@pytest.fixture(scope="module")
def planted_counts(world):
    counts = planted_daily_counts(world)  # no rows that day: missing, not zero
    hp, _ = fit_hyper(counts)
    return counts, hp


@pytest.fixture(scope="module")
def truth(world):
    """(planted events with the material campaign lifts, neutral campaigns)."""
    cfg = DetectConfig()
    lifts, neutral = campaign_events(campaign_lifts(world), cfg.min_shift, cfg.min_excess)
    return pd.concat([world.events, lifts], ignore_index=True), neutral


@pytest.fixture(scope="module")
def planted(world, planted_counts, truth):
    counts, hp = planted_counts
    events, neutral = truth
    det = detect(counts, hp, DetectConfig())
    s, matched = score_series(
        det.alerts, counts, world.tracks.isrc.to_numpy(), world.dates, events, neutral=neutral
    )
    return s, matched


def test_enough_planted_events_to_measure(planted):
    s, matched = planted
    assert s.events >= 120
    assert (matched.kind == "growth").sum() >= 15
    assert s.event_free_track_years >= 500


def test_f1_for_events_matched_within_three_days(planted):
    """Target 0.9; measured 0.935 on this seed (P 0.917, R 0.954) with campaign lifts
    scored by materiality on the track's total, since the trend rule also waits on a
    sloping departure that a step fits better (0.929, P 0.905 before). It was 0.948
    (P 0.945) while a full run let a step decided days later silence a growth / decline
    alert of the days before it, which an online run (the job's usual mode) cannot know:
    the same alerts are now reported by both (see
    test_online_continuation_gives_the_same_alerts). 0.888 before the level-shift and
    one-day-tail fixes of issue 13. Since the generator plans campaigns market by market
    (issue 14) the world's campaigns are others: 0.931 (P 0.909, R 0.954) on the merged
    code. The bar is the measured figure less a small margin."""
    s, _ = planted
    assert s.f1 >= 0.92, s


def test_detection_delays(planted):
    s, _ = planted
    assert s.median_delay_spike <= 1
    assert s.median_delay_growth <= 14, s


def test_false_alarms_on_event_free_tracks(planted):
    s, _ = planted
    assert s.false_alarms_per_10_track_years <= 1.0, s


def test_online_continuation_gives_the_same_alerts(planted_counts):
    """Days 1..250, then 251..365 from the saved context (no refiltering of history): the
    same alerts as one run over all days."""
    counts, hp = planted_counts
    cfg = DetectConfig()
    whole = detect(counts, hp, cfg)
    ctx0 = Context.fresh(counts, hp, cfg)  # volume and start from the whole series, as
    split = 250  # the job would have them from the first run
    first = detect(counts[:, :split], hp, cfg, context=ctx0)
    second = detect(
        counts[:, split:], hp, cfg, context=first.context, history=counts[:, split - 96 : split]
    )
    b = second.alerts.assign(
        onset=second.alerts.onset + split, detected=second.alerts.detected + split
    )
    online = pd.concat([first.alerts, b]).sort_values(["series", "detected", "kind"])
    full = whole.alerts.sort_values(["series", "detected", "kind"])
    cols = ["series", "kind", "detected"]
    assert len(full) > 50
    pd.testing.assert_frame_equal(
        online[cols].reset_index(drop=True), full[cols].reset_index(drop=True)
    )
    # Onsets agree except where the first block could not yet see 21 days past detection.
    settled = (online.detected < split - cfg.onset_ahead) | (online.detected >= split)
    assert (
        online.onset.to_numpy()[settled.to_numpy()] == full.onset.to_numpy()[settled.to_numpy()]
    ).all()
    assert np.allclose(second.context.state.a, whole.context.state.a)


def test_moderate_playlist_adds_are_found_as_steps_on_their_days(world, planted_counts):
    """The world's moderate adds (+20..+60 % for 10-30 days, shape level_shift): the add is
    a spike dated within a day, its end a drop within a day (target 0.9 for both together;
    measured 0.938 of 64 on this seed, the add 0.91 and the end 0.97, since the step-or-ramp
    call is made by likelihood over the days before the start too, waits when too close,
    and a return needs its own evidence; 0.891 (0.91 / 0.88) before that; 0.81 / 0.81 before
    the step's own days became the reference after it, and a ramp was told from a step by
    continuity). Ramps: growth and decline dated within 7 days for >= 80 %."""
    from analytics.alerts.evaluation import dating, dating_summary

    counts, hp = planted_counts
    det = detect(counts, hp, DetectConfig())
    isrc = world.tracks.isrc.to_numpy()
    a = det.alerts.assign(isrc=isrc[det.alerts.series], date=world.dates[det.alerts.onset])
    summary = dating_summary(dating(a, world.events)).set_index(["shape", "kind"])
    assert summary.loc[("level_shift", "spike"), "events"] >= 30
    assert summary.loc[("level_shift", "spike"), "within_1"] >= 0.88, summary
    assert summary.loc[("level_shift", "drop"), "within_1"] >= 0.93, summary
    dated = dating(a, world.events)
    shifts = dated[dated["shape"] == "level_shift"]
    assert (shifts.date_error.abs() <= 1).mean() >= 0.92, shifts
    for kind in ("growth", "decline"):
        assert summary.loc[("ramp", kind), "within_7"] >= 0.8, summary
