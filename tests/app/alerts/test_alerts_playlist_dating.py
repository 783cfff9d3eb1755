"""Playlist adds and their ends dated on the playlist's first (or last) day, end to end: a
rendered tiny store (SYNTHETIC) whose loud tracks all get a moderate add (+20 % to +60 %,
10 to 30 days, on one editorial playlist), through the alerts job's own computation."""

from __future__ import annotations

import pandas as pd
import pytest

from analytics import alerts as alerts_model
from app.alerts.job import read_inputs
from data.results import alerts as alerts_store
from data.store import open_store
from data.synth.build import build_demo_store
from data.synth.config import SynthConfig
from data.synth.world import build_world

SEED = 0
CONFIG = SynthConfig.preset("tiny", level_shift_share=1.0)


@pytest.fixture(scope="module")
def planted(tmp_path_factory):
    """(planted level shifts, the job's track alerts) on a store built for this module."""
    db = tmp_path_factory.mktemp("shifts") / "shifts.duckdb"
    build_demo_store(db, "tiny", SEED, config=CONFIG)
    events = build_world(CONFIG, SEED).events
    shifts = events[events["shape"] == "level_shift"].reset_index(drop=True)
    with open_store(db, read_only=True) as store:
        model = alerts_model.fit(read_inputs(store), alerts_store.JobReads(store.cursor()))
    alerts = model.alerts[model.alerts.subject == "track"]
    return shifts, alerts.assign(date=pd.to_datetime(alerts.event_date))


def test_each_reported_add_and_end_is_dated_on_the_playlist_s_day(planted):
    shifts, alerts = planted
    assert len(shifts) >= 10  # every loud track got an add and its end
    reported = 0
    for e in shifts.itertuples():
        same = alerts[
            (alerts.isrc == e.isrc)
            & (alerts.kind == e.kind)
            & (alerts.cause_value == e.playlist_id)
        ]
        near = same[(same.date - pd.Timestamp(e.date)).dt.days.abs() <= 3]
        if near.empty:
            continue
        reported += 1
        assert list(near.date) == [pd.Timestamp(e.date)], (e.isrc, e.kind, e.date)
    assert reported >= len(shifts) - 2  # the add on a quiet track may stay under the noise
