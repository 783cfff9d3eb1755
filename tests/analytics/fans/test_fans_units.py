"""The fan-type model's unit: an artist's listeners on one label (artist_id, label), so an
artist with tracks on two labels gets two separate mixes, assignments, breakdowns and
targets. Hand-made pairs with known counts."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analytics.fans import fit
from analytics.fans.segments import conversion_targets


def _pairs() -> pd.DataFrame:
    """Artist A on labels L1 (300 light listeners) and L2 (120 heavy ones), B on L1 only."""
    rng = np.random.default_rng(0)

    def block(artist: str, label: str, n: int, median: float) -> pd.DataFrame:
        streams = np.maximum(1, np.round(rng.lognormal(np.log(median), 0.5, n))).astype(int)
        return pd.DataFrame(
            {
                "artist_id": artist,
                "label": label,
                "listener_id": [f"{artist}{label}-{i}" for i in range(n)],
                "streams": streams,
                "age_band": "25-34",
                "gender": "female",
                "country": "US",
            }
        )

    return pd.concat(
        [block("A", "L1", 300, 3), block("A", "L2", 120, 120), block("B", "L1", 200, 20)],
        ignore_index=True,
    )


def test_an_artist_on_two_labels_is_two_units() -> None:
    model = fit(_pairs(), k=3)
    n = model.mix.groupby(["artist_id", "label"])["listeners"].max().to_dict()
    assert n == {("A", "L1"): 300, ("A", "L2"): 120, ("B", "L1"): 200}
    diehard = model.mix[model.mix.profile == "diehard"].set_index(["artist_id", "label"]).share
    # the light listeners on L1 and the heavy ones on L2 are not averaged into one mix
    assert diehard[("A", "L1")] < 0.1 < 0.8 < diehard[("A", "L2")]
    asg = model.assignments
    assert list(asg.columns[:3]) == ["artist_id", "label", "listener_id"]
    assert len(asg[(asg.artist_id == "A") & (asg.label == "L2")]) == 120
    bd = model.breakdowns[model.breakdowns.dim == "gender"]
    assert bd.groupby(["artist_id", "label"]).listeners.sum().to_dict() == pytest.approx(n)
    top = model.targets.groupby(["artist_id", "label"]).artist_diehard_share.first()
    for unit, share in top.items():
        assert share == pytest.approx(diehard[unit])
    assert model.summary["artists"] == 2 and model.summary["pairs"] == 620


def test_conversion_gap_uses_the_units_own_diehard_share() -> None:
    pairs = pd.DataFrame(
        {
            "artist_id": ["A"] * 12,
            "label": ["L1"] * 6 + ["L2"] * 6,
            "age_band": ["18-24"] * 12,
            "gender": ["female"] * 12,
            "country": ["US"] * 12,
        }
    )
    post = np.zeros((12, 2))
    post[:, 1] = 0.1
    post[:, 0] = 0.9
    share = pd.Series([0.5, 0.2], index=pd.MultiIndex.from_tuples([("A", "L1"), ("A", "L2")]))
    t = conversion_targets(pairs, post, share, unit=("artist_id", "label"))
    assert list(t.label) == ["L1", "L2"] and list(t["rank"]) == [1, 1]
    assert list(t.gap) == pytest.approx([6 * 0.5 - 0.6, 6 * 0.2 - 0.6])
