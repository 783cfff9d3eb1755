"""Territory caps, the suggested split, plan validation and the response curve."""

from __future__ import annotations

import numpy as np
import pytest

from analytics.budget import caps as bc


def test_budget_reduced_to_the_cap_with_a_notice() -> None:
    brazil = bc.TerritoryResponse("BR", 5000.0, 0.3, 600.0, 0.004, audience=800 / (0.004 * 3))
    us = bc.TerritoryResponse("US", 20000.0, 0.2, 3000.0, 0.01, audience=1e6)
    limits = bc.caps([brazil, us], multiple=3.0)
    assert limits["BR"] == pytest.approx(800.0)  # reach limit: audience x cost x frequency
    assert limits["US"] > 1000
    plan, notices = bc.apply_caps({"BR": 1000.0, "US": 1000.0}, limits, {"BR": "Brazil"})
    assert plan == {"BR": 800.0, "US": 1000.0}
    assert [n.message for n in notices] == [
        "Spend above $800 in Brazil is unlikely to be effective; reduced to $800."
    ]


def test_marginal_cost_cap_is_where_cost_reaches_the_multiple() -> None:
    rs = [
        bc.TerritoryResponse(c, b, 0.25, s, 0.01, audience=1e9)
        for c, b, s in [("A", 1000, 500), ("B", 4000, 1500), ("C", 300, 900)]
    ]
    ref = float(np.median([r.marginal_cost(0) for r in rs]))
    limits = bc.caps(rs, multiple=3.0)
    for r in rs:
        if limits[r.country] > 0:
            assert r.marginal_cost(limits[r.country]) == pytest.approx(3 * ref)
        else:
            assert r.marginal_cost(0) >= 3 * ref


def test_allocation_equalises_marginal_returns_and_beats_equal_split() -> None:
    rs = [
        bc.TerritoryResponse(c, b, u, s, 0.01, audience=1e9)
        for c, b, u, s in [("A", 1000, 0.3, 500), ("B", 4000, 0.2, 1500), ("C", 800, 0.35, 900)]
    ]
    limits = {"A": 700.0, "B": 5000.0, "C": 5000.0}
    split = bc.allocate(rs, 3000.0, limits)
    assert sum(split.values()) == pytest.approx(3000.0, rel=1e-6)
    assert split["A"] <= 700.0 + 1e-9
    interior = [r for r in rs if 0 < split[r.country] < limits[r.country] - 1e-6]
    rates = [1 / r.marginal_cost(split[r.country]) for r in interior]
    assert len(interior) >= 2 and max(rates) == pytest.approx(min(rates), rel=1e-4)
    best = sum(r.expected(split[r.country]) for r in rs)
    equal = sum(r.expected(min(1000.0, limits[r.country])) for r in rs)
    assert best > equal


def test_validate_plan_messages() -> None:
    assert bc.validate_plan({"BR": 10, "US": 20}, 100) == []
    errs = bc.validate_plan({"BR": -5, "US": "abc", "DE": float("nan")}, 100)
    assert len(errs) == 3 and "at least $0" in errs[0] and "number" in errs[1]
    assert "more than the budget" in bc.validate_plan({"BR": 80, "US": 30}, 100)[0]


def test_response_curve_recovers_planted_campaigns() -> None:
    rng = np.random.default_rng(4)
    n = 400
    cpr = rng.uniform(0.002, 0.02, n)
    spend = 200 * cpr * 1000 * rng.lognormal(0, 0.8, n)  # scale a = 200_000 USD per USD/person
    base = rng.uniform(200, 5000, n)
    true = 0.25 * (1 - np.exp(-spend / (2e5 * cpr)))
    lift = rng.poisson(base * (1 + true)) / base - 1
    fit = bc.fit_response(spend, cpr, lift, base)
    assert fit.uplift == pytest.approx(0.25, rel=0.15)
    assert fit.a == pytest.approx(2e5, rel=0.35)
