"""The outcome models on hand-planted cells (SYNTHETIC): campaigns lift their territory by a
known amount, split over segments by known multipliers; clumped, noisy streams otherwise."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analytics.campaigns import qini, uplift, uplift_features, uplift_pooled

AGES, GENDERS, SUBS = ("18-24", "25-34", "45-54"), ("female", "male"), ("premium", "free")
MULT = {"18-24": 3.0, "25-34": 1.0, "45-54": 0.1}  # planted: the young respond, 45-54 barely
SUB_MULT = {"premium": 0.5, "free": 1.5}
LAG, DAYS = 28, 14


def _segments():
    rows = [(a, g, s) for a in AGES for g in GENDERS for s in SUBS]
    p = np.array([{"18-24": 0.3, "25-34": 0.45, "45-54": 0.25}[a] * 0.5 * 0.5 for a, _, _ in rows])
    m = np.array([MULT[a] * SUB_MULT[s] for a, _, s in rows])
    return rows, p / p.sum(), m


def planted(n_campaigns: int = 80, seed: int = 0):
    """cells, campaigns and the true incremental streams per campaign x segment."""
    rng = np.random.default_rng(seed)
    segs, p, m = _segments()
    cells, camps, truth = [], [], []
    unit = 0
    for k in range(n_campaigns):
        cid = f"CMP{k:03d}"
        rate = float(rng.lognormal(4.0, 0.8))  # the track's streams per day in a territory
        growth = {True: rng.uniform(0.7, 1.3), False: rng.uniform(0.7, 1.3)}  # now / before
        lift = float(rng.uniform(0.1, 0.5))
        camps.append({"campaign_id": cid, "label": "L1", "artist_id": f"A{k % 7}", "genre": "pop",
                      "release_date": pd.Timestamp("2025-01-01"),
                      "start_date": pd.Timestamp("2026-06-01"), "spend_usd": 1000 * lift})  # fmt: skip
        for role, now in (("treated", True), ("pre", False), ("geo", True), ("geo", True),
                          ("geo_pre", False), ("geo_pre", False)):  # fmt: skip
            country = "BR" if role in ("treated", "pre") else f"X{unit}"
            scale = rate * (1.0 if role in ("treated", "pre") else rng.uniform(0.5, 2.0))
            lag = rng.poisson(scale * LAG * p * rng.gamma(20, 1 / 20, len(p)))
            lag7 = rng.binomial(lag, 7 / LAG)
            mean_y = scale * DAYS * growth[now] * p
            extra = np.zeros(len(p))
            if role == "treated":
                extra = scale * DAYS * growth[now] * lift * p * m / (p * m).sum()
                truth += [
                    (cid, "BR", *s, b, e) for s, b, e in zip(segs, mean_y, extra, strict=True)
                ]
            y = rng.poisson(mean_y * rng.gamma(20, 1 / 20, len(p)) + extra)
            for (a, g, s), lg, l7, yy in zip(segs, lag, lag7, y, strict=True):
                cells.append((unit, cid, role, "ISRC1", country, a, g, s, lg, l7, yy, LAG, DAYS))
            unit += 1
    cols = ["unit", "campaign_id", "role", "isrc", "country", "age_band", "gender",
            "subscription", "lag", "lag7", "y", "lag_days", "days"]  # fmt: skip
    frame = pd.DataFrame(cells, columns=cols).astype({"lag": float, "lag7": float, "y": float})
    tcols = ["campaign_id", "country", "age_band", "gender", "subscription", "base", "incr"]
    return frame, pd.DataFrame(camps), pd.DataFrame(truth, columns=tcols)


@pytest.fixture(scope="module")
def world():
    cells, camps, truth = planted()
    feats = uplift_features.build(cells, camps, uplift_features.main_fan_type(pd.DataFrame()))
    return feats, truth


KEY = ["country", "age_band", "gender", "subscription"]


def _scored(effects, truth):
    seg = uplift.segments(effects, key=KEY, n_boot=200)
    t = truth.groupby(KEY)[["base", "incr"]].sum().reset_index()
    return seg.merge(t, on=KEY)


@pytest.mark.parametrize("learner", [uplift_pooled.pooled, uplift.t_learner, uplift.s_learner])
def test_the_models_rank_segments_like_the_planted_truth(world, learner):
    feats, truth = world
    m = _scored(learner(feats), truth)
    ratio = qini.ratio_to_oracle(m["score"].to_numpy(), m["incr"].to_numpy(), m["base"].to_numpy())
    assert ratio[2] >= 0.8
    young = m[m["age_band"] == "18-24"]["score"].mean()
    assert young > m[m["age_band"] == "45-54"]["score"].mean()


def test_incremental_streams_and_intervals_match_the_truth(world):
    feats, truth = world
    m = _scored(uplift.t_learner(feats), truth)
    assert m["incremental_streams"].sum() == pytest.approx(truth["incr"].sum(), rel=0.15)
    true_uplift = m["incr"] / m["base"]
    covered = ((m["low"] <= true_uplift) & (true_uplift <= m["high"])).mean()
    assert covered >= 0.75
    sig = uplift.significant(m)
    assert not sig.empty and set(sig["age_band"]) <= {"18-24", "25-34"}


def test_pooled_learner_recovers_the_planted_multipliers(world):
    feats, _ = world
    t = feats[feats["role"] == "treated"]
    mu0 = (t["base"] * t["peer_growth"] * t["days"]).to_numpy()
    m, _ = uplift_pooled.multipliers(t, mu0, uplift_pooled._unit_lift(t, mu0))
    by_age = m.groupby(level="age_band").mean()
    assert by_age["18-24"] > by_age["25-34"] > by_age["45-54"]
    # Planted: 18-24 responds 3x as much as 25-34 (same subscriptions, same genders).
    assert by_age["18-24"] / by_age["25-34"] == pytest.approx(3.0, rel=0.3)
    by_sub = m.groupby(level="subscription").mean()
    assert by_sub["free"] / by_sub["premium"] == pytest.approx(3.0, rel=0.35)
