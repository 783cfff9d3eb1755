"""Audience generation for one track: Delta classes, goal scores, territory scores and
interests, checked on a worked example by hand and against their definitions."""

from __future__ import annotations

import math

import numpy as np
import pytest

from analytics.budget import audience as aud

# A worked example: E row and E_hat row of a track i0 over four groups.
GROUPS = ["M 18-24 New York", "F 25-34 Ireland", "F 25-34 Para BR", "F 25-34 New York"]
COUNTRY = np.array(["US", "IE", "BR", "US"])
E_ROW = np.array([-1.0, 9.0, 8.0, 4.0])
EHAT_ROW = np.array([-3.0, 1.0, 10.0, 15.0])


def test_delta_classes_reproduce_the_worked_example() -> None:
    delta, cls = aud.delta_classes(E_ROW, EHAT_ROW)
    assert list(delta) == [-2, -8, 2, 11]
    mu, sd = 0.75, math.sqrt(190.75 / 3)  # sample mean and sd of the deltas, by hand
    assert mu + sd < 11 and mu - sd > -8
    assert list(cls) == ["sustain", "accelerate", "sustain", "expand"]
    # the group with Delta = 15 - 4 = 11 (F 25-34 New York) is the one chosen for expansion
    assert [GROUPS[j] for j in np.flatnonzero(cls == "expand")] == ["F 25-34 New York"]


def test_goal_weighted_scores_by_hand() -> None:
    _, cls = aud.delta_classes(E_ROW, EHAT_ROW)
    s = aud.goal_scores(E_ROW, EHAT_ROW, cls, "expand", rho=0.5)
    assert list(s) == [-1.0, 9.0, 10.0, 22.5]  # (1 + 0.5) * max(15, 4) for the expand group
    s = aud.goal_scores(E_ROW, EHAT_ROW, cls, "accelerate", rho=0.5)
    assert list(s) == [-1.0, 13.5, 10.0, 15.0]
    with pytest.raises(ValueError):
        aud.goal_scores(E_ROW, EHAT_ROW, cls, "grow", rho=0.5)


def test_territory_scores_select_us_and_brazil_as_in_the_example() -> None:
    _, cls = aud.delta_classes(E_ROW, EHAT_ROW)
    s = aud.goal_scores(E_ROW, EHAT_ROW, cls, "expand", rho=0.5)
    weights = np.array([2.0, 3.0, 3.0, 1.0])
    terr = {t.country: t for t in aud.territory_scores(COUNTRY, weights, s, kappa=2.5)}
    # US: the top group (weight 1) does not exceed kappa, so J_T* takes the next one too
    assert terr["US"].groups == (3, 0)
    assert terr["US"].score == pytest.approx((1 * 22.5 + 2 * -1.0) / 3)
    assert terr["BR"].score == 10.0 and terr["IE"].score == 9.0
    # S* = 10 (Brazil); US's top group (22.5) and Brazil's (10) reach it, Ireland's (9) not
    assert {c for c, t in terr.items() if t.selected} == {"US", "BR"}
    ranked = [t.country for t in aud.territory_scores(COUNTRY, weights, s, kappa=2.5)]
    assert ranked == ["BR", "IE", "US"]


def test_omega_decomposes_the_deltas() -> None:
    rng = np.random.default_rng(2)
    e, x, lam = rng.normal(size=(8, 5)), rng.normal(size=(8, 2)), 0.5
    y = e.T @ x @ np.linalg.inv(x.T @ x + lam * np.eye(2))  # ALS half-step for fixed X
    for i0 in range(8):
        assert aud.omega_row(x, lam, i0) @ e == pytest.approx((x @ y.T - e)[i0])


def test_requested_territories_are_kept_with_their_true_rank() -> None:
    """A hand-off names territories outside the top N: they are scored and returned with
    the rank they hold among all territories, after the top N."""
    rng = np.random.default_rng(4)
    countries = np.repeat([f"C{i:02d}" for i in range(12)], 3)
    e = rng.normal(size=(20, len(countries)))
    x, y = rng.normal(size=(20, 3)), rng.normal(size=(len(countries), 3))
    weights = rng.uniform(1, 5, size=len(countries))
    full = aud.audience(e, x, y, 1.0, countries, weights, "expand", i0=0)
    ranks = {t.country: t.rank for t in full.territories}
    assert sorted(ranks.values()) == list(range(1, 13))
    last = full.territories[-1].country
    part = aud.audience(
        e, x, y, 1.0, countries, weights, "expand", i0=0, top_territories=3, include=(last,)
    )
    assert [t.country for t in part.territories] == [
        *(t.country for t in full.territories[:3]),
        last,
    ]
    assert part.territories[-1].rank == 12
