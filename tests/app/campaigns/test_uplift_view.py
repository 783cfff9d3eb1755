"""The uplift view model: the uplift-by-segment table, the Qini figure and the segments
that respond to ads, on a hand-made segment table."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from app import wording
from app.campaigns import uplift_view as uv


@pytest.fixture
def segments() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "label": "L1",
            "country": ["BR", "BR", "US", "US"],
            "age_band": ["18-24", "45-54", "18-24", "25-34"],
            "gender": ["female", "male", "male", "female"],
            "subscription": ["free", "premium", "free", "free"],
            "fan_type": ["casual", "casual", "diehard", "casual"],
            "n_campaigns": [4, 4, 3, 2],
            "baseline_streams": [1000.0, 500.0, 2000.0, 100.0],
            "incremental_streams": [300.0, -20.0, 200.0, 5.0],
            "uplift": [0.3, -0.04, 0.1, 0.05],
            "low": [0.1, -0.2, 0.02, np.nan],
            "high": [0.5, 0.1, 0.2, np.nan],
            "score": [0.08, 0.0, 0.12, 0.01],
        }
    )


def test_segment_table_ranks_significant_segments_by_streams_added(segments):
    t = uv.segment_table(segments)
    assert t["uplift_pct"].tolist() == [30.0, 10.0, 5.0, -4.0]
    assert t["significant"].tolist() == ["Yes", "Yes", "No", "No"]
    assert t["territory"].iloc[0] == "Brazil (BR)"
    assert uv.segment_table(segments.iloc[0:0]).empty
    # +3,200 % on 14 expected streams with no interval (two campaigns), and a significant
    # segment with a smaller percent but the most streams: evidence first, then streams
    more = pd.concat(
        [
            segments,
            segments.iloc[[3]].assign(
                country="JP", uplift=32.0, baseline_streams=14.0, incremental_streams=459.0
            ),
            segments.iloc[[2]].assign(
                country="MX", uplift=0.08, low=0.03, baseline_streams=9000.0,
                incremental_streams=720.0,
            ),
        ]
    )  # fmt: skip
    t = uv.segment_table(more)
    assert t["uplift_pct"].tolist() == [8.0, 30.0, 10.0, 3200.0, 5.0, -4.0]
    assert t["significant"].tolist() == ["Yes", "Yes", "Yes", "No", "No", "No"]


def test_qini_figure_has_title_axes_and_both_curves(segments):
    fig = uv.qini_figure(segments)
    assert "Qini" in fig.layout.title.text
    assert "%" in fig.layout.xaxis.title.text and "streams" in fig.layout.yaxis.title.text
    model, random = fig.data
    # best score first: US 18-24 (2000 of 3600 expected streams, 200 incremental)
    assert model.x[1] == pytest.approx(100 * 2000 / 3600)
    assert model.y[1] == pytest.approx(200.0)
    assert random.y[-1] == pytest.approx(485.0) and model.y[-1] == pytest.approx(485.0)


def test_responsive_segments_are_the_significant_ones_ranked_by_the_models(segments):
    resp = uv.responsive_table(segments)
    assert resp["audience group"].tolist() == ["male 18-24 free", "female 18-24 free"]
    assert resp["model_uplift_pct"].tolist() == [12.0, 8.0]
    assert resp["rank"].tolist() == [1, 2]
    assert uv.responsive_table(segments, ["US"])["country"].tolist() == ["US"]
    assert uv.responsive_groups(resp) == {"BR": ["female 18-24 free"], "US": ["male 18-24 free"]}
    # every header the page shows is the vocabulary's, written as a label ("Audience group")
    shown = [c for c in resp.columns if c != "country"]  # the page drops it
    labels = {c: cfg["label"] for c, cfg in wording.column_config(shown).items()}
    assert set(labels) == set(shown) and labels["audience group"] == "Audience group"
    assert all(label[:1].isupper() or not label[:1].isalpha() for label in labels.values())


def test_merge_groups_keeps_order_without_repeats():
    got = uv.merge_groups({"BR": ["female 18-24"]}, {"BR": ["female 18-24", "male 25-34"]})
    assert got == {"BR": ["female 18-24", "male 25-34"]}
