"""The generator's planted per-segment uplift (SYNTHETIC tiny world): each campaign's extra
streams split over age band x gender x subscription by the planted shares, totals exact."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from data.synth import segments
from data.synth.config import SynthConfig
from data.synth.render import Renderer
from data.synth.world import build_world


@pytest.fixture(scope="module")
def world():
    return build_world(SynthConfig.preset("tiny"), 0)


def test_truth_keeps_each_campaigns_total_exact(world):
    truth = segments.world_segment_truth(world)
    per = truth.groupby("campaign_id")["true_incremental_streams"].sum()
    lift = world.campaign_truth.set_index("campaign_id")["true_incremental_streams"]
    assert np.allclose(per.reindex(lift.index), lift, rtol=1e-12)
    assert len(truth) == len(lift) * np.prod(segments.SHAPE)
    # relative uplift differs by segment, in proportion to the planted multipliers
    one = truth[truth["campaign_id"] == lift.index[0]]
    ratio = one["true_relative_uplift"] / one["multiplier"]
    assert ratio.max() == pytest.approx(ratio.min(), rel=1e-9)
    assert one["true_relative_uplift"].max() > 5 * one["true_relative_uplift"].min()


def test_extra_shares_are_p_times_m_normalised():
    p = np.array([0.5, 0.3, 0.2])
    m = np.array([1.0, 2.0, 0.5])
    assert segments.extra_shares(p, m).tolist() == pytest.approx(
        [0.5, 0.6, 0.1] / np.sum([0.5, 0.6, 0.1])
    )


def test_rendered_campaign_rows_follow_the_planted_split(world):
    only_campaigns = [c for c in world.components if "campaign_id" in c]
    renderer = Renderer(dataclasses.replace(world, components=only_campaigns), 0)
    rows = pa.concat_tables(list(renderer.component_rows())).to_pandas()
    key = ["age_band", "gender", "subscription"]
    got = rows.groupby(key, observed=True)["streams"].sum()
    want = segments.world_segment_truth(world).groupby(key)["true_incremental_streams"].sum()
    both = pd.concat([got, want], axis=1).fillna(0.0)
    assert both.iloc[:, 0].sum() == pytest.approx(both.iloc[:, 1].sum(), rel=0.1)
    assert np.corrcoef(both.iloc[:, 0], both.iloc[:, 1])[0, 1] > 0.95
