"""The planted truth of campaign lifts (SYNTHETIC, hand-worked): a lift is measured on the
level the detector sees, the track's total with every other planted component."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd

from analytics.alerts.evaluation import campaign_events
from data.synth.series import campaign_lifts


def test_a_lift_is_judged_on_the_tracks_total_not_its_baseline():
    """Track 0: baseline 200 a day; a playlist add of +200 a day on days 0-19; campaign A
    adds 40 a day on days 5-14 (during the add: 40 / 400 = 10 %, neutral, though 20 % of
    the baseline), campaign B 40 a day on days 25-34 (40 / 200 = 20 %, material). Track 1:
    campaign C of 30 a day on its baseline of 100 (30 %, material) overlapping campaign D
    (+10 a day on days 3-12): C's level is 100 + D's 10 on its days 3-9 (7 of 10 days)."""
    days = 40
    baseline = np.array([np.full(days, 200.0), np.full(days, 100.0)])

    def comp(track: int, lo: int, hi: int, extra: float, cid: str | None) -> dict:
        e = np.zeros(days)
        e[lo:hi] = extra
        return {"track": track, "extra": e, "campaign_id": cid}

    world = SimpleNamespace(
        baseline=baseline,
        dates=np.arange(np.datetime64("2026-01-01"), np.datetime64("2026-01-01") + days),
        tracks=pd.DataFrame({"isrc": ["T0", "T1"]}),
        components=[
            comp(0, 0, 20, 200.0, None),
            comp(0, 5, 15, 40.0, "A"),
            comp(0, 25, 35, 40.0, "B"),
            comp(1, 0, 10, 30.0, "C"),
            comp(1, 3, 13, 10.0, "D"),
        ],
    )
    lifts = campaign_lifts(world).set_index("campaign_id")
    assert np.isclose(lifts.loc["A", "expected_per_day"], 400.0)
    assert np.isclose(lifts.loc["B", "expected_per_day"], 200.0)
    assert np.isclose(lifts.loc["C", "expected_per_day"], 100.0 + 10.0 * 7 / 10)
    assert np.isclose(lifts.loc["D", "expected_per_day"], 100.0 + 30.0 * 7 / 10)
    assert (lifts.loc["B", "start"], lifts.loc["B", "end"]) == (world.dates[25], world.dates[35])
    events, neutral = campaign_events(lifts.reset_index(), min_shift=0.15, min_excess=25.0)
    assert sorted(zip(events.isrc, events.kind, strict=True)) == [
        ("T0", "drop"),
        ("T0", "spike"),
        ("T1", "drop"),
        ("T1", "spike"),
    ]
    assert sorted(events[events.isrc == "T0"].date) == [world.dates[25], world.dates[35]]
    assert len(neutral) == 2  # A (10 % of the total) and D (10 a day: under min_excess)
