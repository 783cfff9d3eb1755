"""Offline audience models: engagement, truncation, group weights and the ALS update, by hand
and against reference implementations."""

from __future__ import annotations

import numpy as np
import pytest

from analytics.budget import model as bm


def test_engagement_metric_by_hand() -> None:
    # Table 1's first row: radio (passive) 436, collection (active) 274, chart (passive) 185
    e = bm.engagement(np.array([274.0, 0.0, 5.0]), np.array([436.0 + 185.0, 0.0, 0.0]))
    assert e[0] == pytest.approx(274**2 / 895)
    assert e[1] == 0.0  # no consumption -> no engagement, not a division error
    assert e[2] == 5.0  # all active -> E = A


def test_truncation_keeps_the_largest_block_meeting_all_five() -> None:
    c = np.array(
        [
            [50, 40, 5, 0],
            [30, 20, 5, 0],
            [10, 10, 1, 1],
            [1, 0, 0, 1],
        ],
        float,
    )
    # 4 x 4 meets all five but m * n = 16 is not below tau5 = 12; 3 x 3 is the largest that is
    t = bm.truncate(c, bm.Taus(tau1=0.8, tau2=0.8, tau3=0.6, tau4=0.3, tau5=12))
    assert t.rule == "all"
    assert sorted(t.rows) == [0, 1, 2] and sorted(t.cols) == [0, 1, 2]
    assert t.block_share == pytest.approx(171 / 174)
    # tau5 = 4 allows no block meeting (1, 2, 3): the smallest such block (2 x 2) meets (4)
    t = bm.truncate(c, bm.Taus(tau1=0.8, tau2=0.8, tau3=0.6, tau4=0.3, tau5=4))
    assert t.rule == "fallback-123" and (len(t.rows), len(t.cols)) == (2, 2)
    # impossible shares: the largest block meeting (4) or (5)
    t = bm.truncate(c, bm.Taus(tau1=1.1, tau2=0.8, tau3=0.6, tau4=0.3, tau5=4))
    assert t.rule == "fallback-45" and (len(t.rows), len(t.cols)) == (4, 4)  # sparsity 4/16


def test_group_weights_are_column_sums_over_kept_assets() -> None:
    assert list(bm.group_weights(np.array([[1, 2], [3, 4]]))) == [4, 6]


def test_exact_update_matches_per_row_least_squares() -> None:
    rng = np.random.default_rng(1)
    e, f = rng.normal(size=(6, 9)), rng.normal(size=(9, 3))
    mask = rng.random((6, 9)) > 0.3
    got = bm._solve_rows(e, mask.astype(float), f, 0.7, "exact")
    for i in range(6):
        fi = f[mask[i]]
        ref = np.linalg.solve(fi.T @ fi + 0.7 * np.eye(3), fi.T @ e[i, mask[i]])
        assert got[i] == pytest.approx(ref)
    # with every entry observed the approximate update is the exact one
    full = np.ones_like(e)
    assert bm._solve_rows(e, full, f, 0.7, "approx") == pytest.approx(
        bm._solve_rows(e, full, f, 0.7, "exact")
    )
