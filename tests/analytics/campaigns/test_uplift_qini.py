"""Qini curves on hand-worked cases."""

from __future__ import annotations

import numpy as np
import pytest

from analytics.campaigns import qini


def test_curve_takes_best_scored_segments_first():
    # Three segments of equal audience; 60 / 30 / 0 incremental streams.
    frame = qini.curve(np.array([0.1, 0.9, 0.5]), np.array([0.0, 60.0, 30.0]), np.ones(3))
    assert frame["share_targeted"].tolist() == pytest.approx([0, 1 / 3, 2 / 3, 1])
    assert frame["incremental"].tolist() == [0, 60, 90, 90]
    assert frame["random"].tolist() == pytest.approx([0, 30, 60, 90])


def test_coefficient_is_the_area_above_random():
    frame = qini.curve(np.array([0.1, 0.9, 0.5]), np.array([0.0, 60.0, 30.0]), np.ones(3))
    # Gaps 0, 30, 30, 0 at x = 0, 1/3, 2/3, 1: trapezoids 5 + 10 + 5.
    assert qini.coefficient(frame) == pytest.approx(20.0)


def test_oracle_ratio_is_one_for_the_true_ranking_and_negative_for_the_reverse():
    inc = np.array([5.0, 50.0, 20.0, 0.0])
    base = np.array([100.0, 100.0, 200.0, 100.0])
    truth = inc / base
    assert qini.ratio_to_oracle(truth, inc, base)[2] == pytest.approx(1.0)
    assert qini.ratio_to_oracle(-truth, inc, base)[2] == pytest.approx(-1.0)


def test_audience_size_weights_the_x_axis():
    frame = qini.curve(np.array([2.0, 1.0]), np.array([10.0, 10.0]), np.array([1.0, 3.0]))
    assert frame["share_targeted"].tolist() == pytest.approx([0, 0.25, 1.0])
