"""analytics.today on hand-made inputs: returns on a known response curve, the ranking rule,
each action's candidates and the reason sentences, checked against figures worked by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analytics import today
from analytics.campaigns import hill as hc
from analytics.campaigns.response import N_DRAWS, Curve
from analytics.today import candidates as cand
from analytics.today.returns import campaign_return


def curve(country: str = "DE", ceiling: float = 0.5, k: float = 100.0, h: float = 1.0) -> Curve:
    """A curve whose posterior draws all equal its point estimate (no uncertainty)."""
    draws = np.tile([ceiling, k, h], (N_DRAWS, 1))
    return Curve(country, 5, ceiling, k, h, draws)


def response_frame(*curves: Curve, window_days: float = 28.0) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"country": c.country, "platform": "all", "n_campaigns": c.n_campaigns,
             "ceiling": c.ceiling, "half_saturation_usd": c.half_saturation_usd,
             "hill": c.hill, "plateau_usd": c.plateau_usd, "cap_usd": c.plateau_usd,
             "cpa_usd": None, "window_days": window_days,
             "ceiling_draws": list(c.draws[:, 0]), "k_draws": list(c.draws[:, 1]),
             "hill_draws": list(c.draws[:, 2])}
            for c in curves
        ]
    )  # fmt: skip


def test_return_at_the_plateau_without_a_cap() -> None:
    c = curve()
    plateau = float(hc.plateau(100.0, 1.0))
    r = campaign_return(c, base=1000.0)
    # by hand: 1000 x 0.5 x p / (p + 100) at the plateau p (about 2.16 x K for h = 1)
    assert r.spend_usd == pytest.approx(plateau)
    assert r.expected == pytest.approx(1000 * 0.5 * plateau / (plateau + 100.0))
    assert r.low == pytest.approx(r.expected) and r.high == pytest.approx(r.expected)


def test_a_cap_stops_the_spend_where_it_is_reached() -> None:
    c = curve()
    # 1000 x 0.5 x s / (s + 100) reaches 100 streams at s = 25 USD: the spend stops there
    r = campaign_return(c, base=1000.0, cap=100.0)
    assert r.expected == pytest.approx(100.0)
    assert 25.0 <= r.spend_usd < 25.0 + c.plateau_usd / 64 + 1e-9
    assert r.spend_usd < c.plateau_usd


def test_an_uncertain_base_widens_the_interval() -> None:
    r = campaign_return(curve(), base=1000.0, scale_low=0.5, scale_high=2.0)
    assert r.low == pytest.approx(0.5 * r.expected) and r.high == pytest.approx(2 * r.expected)


def test_rank_by_streams_per_dollar_then_by_return() -> None:
    rows = pd.DataFrame(
        {
            "id": ["a", "b", "c", "d", "e"],
            "action": ["push"] * 5,
            "territory": ["DE"] * 5,
            "expected_streams": [100.0, 300.0, 50.0, 80.0, 10.0],
            "cost_usd": [100.0, 100.0, 10.0, 0.0, 20.0],
        }
    )
    ranked = today.rank(
        rows.assign(expected_streams=rows.expected_streams.where(rows.id != "e", 0))
    )
    # c: 5/USD, b: 3/USD, a: 1/USD; d costs nothing (no plan) and e returns nothing: dropped
    assert list(ranked.id) == ["c", "b", "a"]
    assert list(ranked["rank"]) == [1, 2, 3]
    assert list(ranked.score) == pytest.approx([5.0, 3.0, 1.0])
    tie = today.rank(rows.iloc[:2].assign(expected_streams=[100.0, 200.0], cost_usd=[50.0, 100.0]))
    assert list(tie.id) == ["b", "a"]  # same streams per dollar: the larger return first


CATALOG = pd.DataFrame(
    {
        "isrc": ["T1", "T2", "T3"],
        "track_title": ["First", "Second", "Third"],
        "artist_id": ["A1", "A1", "A2"],
        "artist_name": ["Ann", "Ann", "Bo"],
        "label": ["L", "L", "L"],
    }
)
TRACK_COUNTRY = pd.DataFrame(
    {
        "isrc": ["T1", "T1", "T2", "T3", "T3"],
        "country": ["DE", "FR", "DE", "FR", "DE"],
        "streams_28d": [40.0, 400.0, 10.0, 300.0, 100.0],
    }
)


def test_push_only_where_the_artist_is_clearly_below_its_peers() -> None:
    potential = pd.DataFrame(
        {
            "artist_id": ["A1", "A1", "A2"],
            "label": ["L", "L", "L"],
            "country": ["DE", "FR", "DE"],
            # A1 streams 80 % and 10 % below its peers, A2 40 %: only the first is a push
            "actual": [200.0, 900.0, 300.0],
            "expected": [1000.0, 1000.0, 500.0],
            "low": [800.0, 700.0, 400.0],
            "high": [1200.0, 1300.0, 600.0],
            "gap": [800.0, 100.0, 200.0],
            "ratio": [0.2, 0.9, 0.6],
        }
    )
    out = cand.push(potential, {"DE": curve(), "FR": curve("FR")}, TRACK_COUNTRY, CATALOG,
                    data_days=280.0, window_days=28.0)  # fmt: skip
    assert list(zip(out.id, out.territory, strict=True)) == [("A1", "DE")]
    row = out.iloc[0]
    assert row.isrc == "T1"  # the artist's biggest track in that territory
    # by hand: the base is T1's own 40 streams in DE over the 28-day window (the curve is a
    # lift over the campaign track's own streams, as on the budget page), not the peers'
    # 100 (1000 over 280 days): 40 x 0.5 x p / (p + 100) at the plateau p; the window is a
    # tenth of the data, so the gap (800) allows 80
    plateau = curve().plateau_usd
    assert row.expected_streams == pytest.approx(40 * 0.5 * plateau / (plateau + 100))
    assert row.cost_usd == pytest.approx(plateau)
    assert row.at_stake == pytest.approx(80.0)
    assert row.facts["shortfall"] == pytest.approx(0.8)
    # a smaller gap caps the return: 50 over 280 days is 5 in the window, reached before the
    # plateau
    small = cand.push(potential.assign(gap=[50.0, 100.0, 200.0], actual=[200.0, 900.0, 300.0]),
                      {"DE": curve()}, TRACK_COUNTRY, CATALOG, data_days=280.0,
                      window_days=28.0)  # fmt: skip
    assert small.iloc[0].expected_streams == pytest.approx(5.0)
    assert small.iloc[0].cost_usd < plateau


def test_sustain_holds_up_the_biggest_territory_up_to_the_loss() -> None:
    removals = pd.DataFrame(
        {"isrc": ["T1"], "event_date": ["2026-09-01"], "observed": [40.0], "expected": [100.0]}
    )
    forecast = pd.DataFrame(
        {"isrc": ["T1"], "total_p10": [900.0], "total_p50": [1000.0], "total_p90": [1200.0],
         "horizon_days": [90.0]}
    )  # fmt: skip
    out = cand.sustain(removals, {"DE": curve(), "FR": curve("FR")}, TRACK_COUNTRY, forecast,
                       CATALOG, window_days=10.0)  # fmt: skip
    row = out.iloc[0]
    # France carries 400 of the track's 440 streams: base 100 x 10/11 x 10 days, the loss
    # 60 x 10/11 x 10 caps the return
    share = 400 / 440
    assert row.territory == "FR"
    assert row.at_stake == pytest.approx(60 * share * 10)
    plateau = curve().plateau_usd
    assert row.expected_streams == pytest.approx(
        min(1000 * share * 0.5 * plateau / (plateau + 100), 600 * share)
    )
    assert row.low == pytest.approx(0.9 * row.expected_streams)
    assert row.high == pytest.approx(1.2 * row.expected_streams)


def test_fit_ranks_and_explains_every_row() -> None:
    potential = pd.DataFrame(
        {"artist_id": ["A2"], "label": ["L"], "country": ["DE"], "actual": [100.0],
         "expected": [1000.0], "low": [600.0], "high": [1400.0], "gap": [900.0], "ratio": [0.1]}
    )  # fmt: skip
    releases = pd.DataFrame({"isrc": ["T2"], "date": ["2026-09-20"]})
    forecast = pd.DataFrame(
        {"isrc": ["T2"], "total_p10": [90.0], "total_p50": [100.0], "total_p90": [120.0],
         "horizon_days": [10.0]}
    )  # fmt: skip
    empty = pd.DataFrame()
    inputs = today.TodayInputs(
        response=response_frame(curve(), curve("FR")),
        potential=potential,
        track_country=TRACK_COUNTRY,
        catalog=CATALOG,
        removals=pd.DataFrame(columns=["isrc", "event_date", "observed", "expected"]),
        releases=releases,
        forecast=forecast,
        passive=pd.DataFrame(columns=["artist_id", "label", "share"]),
        uplift=empty,
        data_days=280.0,
        country_names={"DE": "Germany", "FR": "France"},
    )
    ranked = today.fit(inputs).opportunities
    # push: base 100 (T3's own streams in DE over the window) against promote: 10 streams a
    # day x 28 days in DE
    # (T2 streams only there): 280; same curve and plateau, so promote returns more per dollar
    assert list(ranked.action) == ["promote", "push"]
    assert list(ranked["rank"]) == [1, 2]
    push = ranked.iloc[1]
    assert push.reason.startswith("Bo gets 90% fewer streams in Germany than similar artists")
    assert f"for ${push.cost_usd:,.0f}" in push.reason
    promote = ranked.iloc[0]
    assert promote.reason.startswith("“Second” by Ann came out on 2026-09-20")
    assert "in Germany" in promote.reason


def test_reengage_reason_says_the_uplift_is_pooled_not_the_territorys() -> None:
    from analytics.today.reasons import sentence

    row = {
        "action": "re-engage", "segment": "25-34:male:free", "expected_streams": 393.0,
        "low": 381.0, "high": 401.0, "cost_usd": 343.0,
        "facts": {"passive": 0.48, "uplift": 0.27},
    }  # fmt: skip
    text = sentence(row, "Amber Garden", "Germany", 32.0)
    assert text == (
        "48% of Amber Garden's listeners listen only passively, and past campaigns of the "
        "label lifted free male listeners aged 25-34 by 27% (all territories); a campaign to "
        "them in Germany should add about 393 extra streams over 32 days (381 to 401) for $343."
    )
