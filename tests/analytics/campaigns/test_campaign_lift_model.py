"""The counterfactual lift model on SYNTHETIC series with a planted lift (known answers)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from analytics.campaigns import LiftParams, estimate, fit_series, group_campaigns
from analytics.campaigns.lift import calibrate
from analytics.campaigns.model import design

START = dt.date(2026, 1, 1)
DAYS = 150


def _world(seed: int, lifts: dict[str, tuple[int, int, float]], level: float = 300.0):
    """One track in one country: the country streams 20 % of a wandering worldwide series
    (shared day-to-day swings), Poisson counts, plus each campaign's planted extra streams
    (start day, length, relative uplift). Returns campaigns, daily series and the truth."""
    rng = np.random.default_rng(seed)
    days = pd.date_range(START, periods=DAYS, freq="D")
    world = level * 5 * np.exp(np.cumsum(rng.normal(0, 0.02, DAYS))) * rng.gamma(150, 1 / 150, DAYS)
    target_mu = 0.2 * world
    extra = np.zeros(DAYS)
    rows, truth = [], {}
    for cid, (start, length, uplift) in lifts.items():
        add = np.zeros(DAYS)
        add[start : start + length] = target_mu[start : start + length] * uplift
        extra += add
        truth[cid] = add.sum()
        rows.append(
            {
                "campaign_id": cid,
                "isrc": "QZSYN0000001",
                "country": "BR",
                "start_date": days[start].date(),
                "end_date": days[start + length - 1].date(),
                "spend_usd": 1000.0,
            }
        )
    camp = pd.DataFrame(rows)
    series = pd.DataFrame(
        {
            "date": days,
            "target": rng.poisson(target_mu + extra).astype(float),
            "ctrl_track": rng.poisson(0.8 * world).astype(float),
            "ctrl_peer": rng.poisson(np.full(DAYS, 150.0)).astype(float),
        }
    )
    return camp, series, truth


def _run(camp: pd.DataFrame, series: pd.DataFrame, **params) -> pd.DataFrame:
    groups = group_campaigns(camp)
    daily = pd.concat([series.assign(group_id=g.group_id) for g in groups], ignore_index=True)
    return estimate(groups, daily, camp, LiftParams(**params)).campaigns.set_index("campaign_id")


def test_fit_recovers_an_exact_log_linear_relation() -> None:
    rng = np.random.default_rng(0)
    days = pd.date_range(START, periods=56, freq="D")
    ctrl = rng.uniform(500, 2000, 56)
    y = np.expm1(0.5 + 0.9 * np.log1p(ctrl))
    fit = fit_series(y, design(ctrl[:, None], days.day_of_week.to_numpy()))
    assert fit.beta[:2] == pytest.approx([0.5, 0.9], abs=1e-2)
    assert fit.sigma < 1e-3 and fit.pre_fit_mape < 1e-2


def test_planted_lift_is_inside_the_interval_and_significant() -> None:
    hits = 0
    for seed in range(10):
        camp, series, truth = _world(seed, {"C1": (100, 21, 0.25)})
        row = _run(camp, series, seed=seed).loc["C1"]
        hits += row["low"] <= truth["C1"] <= row["high"]
        assert row["p_effect"] > 0.95
        assert abs(row["incremental_streams"] - truth["C1"]) < 0.35 * truth["C1"]
        assert row["flag"] is None
        assert row["counterfactual_streams"] == pytest.approx(
            series["target"].iloc[100:121].sum() - truth["C1"], rel=0.15
        )
    assert hits >= 8


def test_zero_effect_is_rarely_called_significant() -> None:
    called = 0
    for seed in range(20):
        camp, series, _ = _world(100 + seed, {"C0": (100, 21, 0.0)})
        called += _run(camp, series, seed=seed).loc["C0", "p_effect"] > 0.95
    assert called <= 3


def test_overlapping_campaigns_are_estimated_jointly_and_not_double_counted() -> None:
    camp, series, truth = _world(3, {"A": (90, 20, 0.2), "B": (100, 20, 0.2)})
    groups = group_campaigns(camp)
    assert len(groups) == 1 and groups[0].campaign_ids == ("A", "B")
    out = _run(camp, series)
    assert set(out["flag"]) == {"overlap"}
    joint = truth["A"] + truth["B"]
    assert out["incremental_streams"].sum() == pytest.approx(joint, rel=0.3)
    # the sum of both never exceeds what the union window added (no day counted twice)
    window = series["target"].iloc[90:120].sum()
    assert out["incremental_streams"].sum() < window


def test_zero_effect_campaign_overlapping_a_working_one_is_not_called_significant() -> None:
    # SYNTHETIC: A lifts its days by 30 %; B, a follow-up from half-way through A to its
    # last day (no day of its own), adds nothing. A split by spend would hand B a share.
    called, hits_a = 0, 0
    for seed in range(20):
        camp, series, truth = _world(200 + seed, {"A": (90, 42, 0.3), "B": (111, 21, 0.0)})
        out = _run(camp, series, seed=seed)
        called += out.loc["B", "p_effect"] > 0.95
        hits_a += out.loc["A", "p_effect"] > 0.95
        assert abs(out.loc["B", "incremental_streams"]) < 0.15 * truth["A"]
    assert called <= 2  # nominal 5 % of 20 is 1
    assert hits_a >= 18


def test_separate_campaigns_on_one_series_mask_each_other() -> None:
    camp, series, truth = _world(4, {"A": (60, 14, 0.3), "B": (110, 14, 0.0)})
    assert len(group_campaigns(camp)) == 2
    out = _run(camp, series)
    # B's pre-period contains A: fitted without A's days, so B stays near zero
    assert out.loc["B", "low"] <= 0 <= out.loc["B", "high"]
    assert out.loc["A", "low"] <= truth["A"] <= out.loc["A", "high"]


def test_too_little_history_is_flagged_not_estimated() -> None:
    camp, series, _ = _world(5, {"C": (20, 14, 0.3)})
    row = _run(camp, series).loc["C"]
    assert row["flag"] == "too_little_data" and pd.isna(row["incremental_streams"])


def test_placebo_calibration_widens_only_when_placebos_are_too_wide() -> None:
    rng = np.random.default_rng(0)
    honest, _ = calibrate(rng.standard_normal(2000))
    assert honest == pytest.approx(1.0, abs=0.05)
    scale, info = calibrate(2.0 * rng.standard_normal(2000))
    assert scale == pytest.approx(2.0, rel=0.08)
    assert info["placebo_false_positive_raw"] > 0.15 > 0.07 > info["placebo_false_positive"]


def test_split_estimates_signed_rates_jointly_over_each_campaigns_days() -> None:
    from analytics.campaigns.split import split_lift

    # hand-worked: days 0-1 A alone (+10 % on 100), day 2 both, day 3 B alone (+30 % on 100)
    active = np.array([[1, 1, 1, 0], [0, 0, 1, 1]], dtype=bool)
    cf = np.full((1, 4), 100.0)
    effect = np.array([[10.0, 10.0, 40.0, 30.0]])
    out = split_lift(effect, cf, active)
    # rates 0.1 and 0.3 solve 60 = 300 a + 100 b, 70 = 100 a + 200 b
    assert out[0].tolist() == pytest.approx([30.0, 60.0])
    assert out.sum() == pytest.approx(effect.sum())  # nothing counted twice or lost
    # B wholly inside A and the excess flat at 10 % on every day: all of it is A's
    nested = np.array([[1, 1, 1, 1], [0, 1, 1, 0]], dtype=bool)
    out = split_lift(np.full((1, 4), 10.0), cf, nested)
    assert out[0].tolist() == pytest.approx([40.0, 0.0], abs=1e-6)
    # a negative rate stays negative (never clipped at zero)
    out = split_lift(np.array([[10.0, 10.0, 5.0, -5.0]]), cf, active)
    assert out[0, 1] < 0 < out[0, 0]
