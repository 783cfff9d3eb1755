"""The campaigns job, `labelradar lift` and the response-curve drawing (tiny SYNTHETIC store
and hand-made curves)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from app.campaigns import job
from app.campaigns import view as campaign_view
from app.cli import main
from data.backup import copy_store
from data.results import runs
from data.store import open_store


def _lift(db: Path) -> pd.DataFrame:
    with open_store(db, read_only=True) as s:
        return s.cursor().execute("SELECT * FROM campaign_lift ORDER BY campaign_id").df()


def test_job_writes_one_row_per_campaign_with_consistent_figures(demo_db: Path) -> None:
    lift = _lift(demo_db)
    with open_store(demo_db, read_only=True) as s:
        n = s.cursor().execute("SELECT count(*) FROM campaigns").fetchone()[0]
        run = runs.latest(s, "campaigns")
    assert n > 0 and len(lift) == n and run is not None
    assert run.summary["campaigns"] == n
    assert set(lift["flag"].dropna()) <= {"overlap", "poor_pre_fit", "too_little_data"}
    est = lift[lift["incremental_streams"].notna()]
    assert not est.empty
    assert (est["low"] <= est["incremental_streams"]).all()
    assert (est["incremental_streams"] <= est["high"]).all()
    assert est["p_effect"].between(0, 1).all()
    positive = est["incremental_streams"] > 0
    assert np.allclose(
        est.loc[positive, "cpa_usd"],
        est.loc[positive, "spend_usd"] / est.loc[positive, "incremental_streams"],
    )
    assert est.loc[~positive, "cpa_usd"].isna().all()
    gone = lift[lift["incremental_streams"].isna()]
    assert (gone["flag"] == "too_little_data").all()


def test_store_without_campaigns_gets_an_empty_result_and_a_run(mini_db_copy: Path) -> None:
    with open_store(mini_db_copy) as s:
        summary = job.run(s, lambda stage, fraction: None)
        assert runs.latest(s, "campaigns") is not None
    assert summary["campaigns"] == 0 and _lift(mini_db_copy).empty


def test_lift_json_lists_every_campaign_and_one_on_request(demo_db, tmp_path, capsys) -> None:
    db = tmp_path / "cli.duckdb"
    copy_store(demo_db, db)
    lift = _lift(db)
    assert main(["lift", "--db", str(db), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert len(out["campaigns"]) == len(lift)
    keys = {"campaign_id", "isrc", "country", "spend_usd", "incremental_streams", "low"}
    assert keys | {"high", "p_effect", "cpa_usd"} == set(out["campaigns"][0])
    cid = lift["campaign_id"].iloc[0]
    assert main(["lift", "--db", str(db), "--json", "--campaign", cid]) == 0
    one = json.loads(capsys.readouterr().out)["campaigns"]
    assert [r["campaign_id"] for r in one] == [cid]
    assert one[0]["spend_usd"] == pytest.approx(float(lift["spend_usd"].iloc[0]))


def test_unknown_campaign_is_a_one_line_error(demo_db, tmp_path, capsys) -> None:
    db = tmp_path / "cli.duckdb"
    copy_store(demo_db, db)
    assert main(["lift", "--db", str(db), "--json", "--campaign", "NOPE"]) != 0
    err = capsys.readouterr().err.strip()
    assert "unknown campaign 'NOPE'" in err and "\n" not in err and "Traceback" not in err


def test_lift_before_the_job_ran_says_how_to_run_it(mini_db_copy, capsys) -> None:
    assert main(["lift", "--db", str(mini_db_copy)]) != 0
    assert "refresh --only campaigns" in capsys.readouterr().err


# -- the response curve (hand-made) --------------------------------------------------------
def test_spend_point_sits_on_a_hand_made_curve() -> None:
    curve = pd.DataFrame(
        {"spend_usd": [0.0, 1000.0, 2000.0, 4000.0], "expected_streams": [0, 500, 750, 900]}
    )
    fig = campaign_view.spend_on_curve_figure(curve, 1500.0, 640.0, "BR")
    line, point, estimate = fig.data
    assert list(line.x) == [0.0, 1000.0, 2000.0, 4000.0]
    assert list(point.x) == [1500.0] and list(point.y) == [625.0]  # halfway 500 -> 750
    assert list(estimate.y) == [640.0]
    assert fig.layout.xaxis.title.text == "Spend (USD)"
    assert fig.layout.yaxis.title.text == "Incremental streams"
    assert "BR" in fig.layout.title.text


def test_curve_from_hill_parameters_is_half_the_ceiling_at_half_saturation() -> None:
    rows = pd.DataFrame(
        {"country": ["BR"], "ceiling_streams": [1000.0], "half_saturation_usd": [800.0]}
    )
    curve = campaign_view.curve_points(rows, max_spend=5000.0)
    assert curve["spend_usd"].max() == pytest.approx(5000.0)
    assert np.interp(800.0, curve["spend_usd"], curve["expected_streams"]) == pytest.approx(
        500.0, rel=0.02
    )
    assert campaign_view.curve_points(pd.DataFrame(), 100.0).empty
    assert campaign_view.curve_points(pd.DataFrame({"country": ["BR"]}), 100.0).empty


def test_a_relative_curve_is_scaled_to_the_campaigns_own_streams() -> None:
    # the stored ceiling is relative: 40 % of the streams without the campaign at saturation
    rows = pd.DataFrame(
        {"country": ["DE"], "ceiling": [0.4], "half_saturation_usd": [800.0], "hill": [1.0]}
    )
    curve = campaign_view.curve_points(rows, max_spend=5000.0, base_streams=10_000.0)
    # at half saturation: half of 0.4 x 10,000 streams
    assert np.interp(800.0, curve["spend_usd"], curve["expected_streams"]) == pytest.approx(
        2000.0, rel=0.02
    )
    assert curve["expected_streams"].max() < 4000.0
    # without the campaign's own streams there is nothing to scale it by: no curve
    assert campaign_view.curve_points(rows, max_spend=5000.0).empty
    assert campaign_view.curve_points(rows, 5000.0, base_streams=float("nan")).empty


def test_result_sentence_has_no_dollar_signs_markdown_would_read_as_math() -> None:
    row = pd.Series(
        {
            "incremental_streams": 104.0,
            "low": -281.0,
            "high": 419.0,
            "p_effect": 0.68,
            "cpa_usd": 18.587,
            "spend_usd": 1937.0,
            "flag": "overlap",
        }
    )
    text = campaign_view.summary_text(row)
    assert "$" not in text
    assert text.startswith("USD 1,937 added 104 streams (90 % interval -281 – 419)")
    assert "68 %" in text and "USD 18.587 per added stream" in text and "overlaps" in text


def test_pooled_lift_table_covers_planted_lifts_measured_as_the_lift_model_does() -> None:
    """The job's pooling step on planted campaigns (Hill curves per territory, h = 1.5) whose
    window noise is their counterfactual's error, as the lift model's: the persisted
    intervals cover the planted incremental streams near their 90 %, the window's own
    estimate is kept, and with pooling off the window estimates pass through."""
    from analytics.campaigns import LiftParams
    from analytics.campaigns import hill as hc

    rng = np.random.default_rng(21)
    n, se = 300, 0.04
    countries = [f"C{i:02d}" for i in range(10)]
    ceiling = dict(zip(countries, rng.uniform(0.1, 0.5, 10), strict=True))
    half = dict(zip(countries, rng.uniform(800, 3000, 10), strict=True))
    country = rng.choice(countries, n)
    spend = np.array([half[c] for c in country]) * rng.lognormal(0.0, 1.0, n)
    rho = np.array(
        [hc.hill(s, ceiling[c], half[c], 1.5) for c, s in zip(country, spend, strict=True)]
    )
    base = rng.uniform(5_000, 50_000, n)
    truth = rho * base
    cf = base * (1.0 + rng.normal(0.0, se, n))  # the counterfactual's error is the noise
    est = base + truth - cf
    ids = [f"CMP{i:05d}" for i in range(n)]
    camp = pd.DataFrame(
        {
            "campaign_id": ids,
            "label_id": "L1",
            "artist_id": "A1",
            "isrc": "X",
            "country": country,
            "platform": rng.choice(["meta", "google", "tiktok"], n),
            "start_date": pd.Timestamp("2026-01-01"),
            "end_date": pd.Timestamp("2026-01-28"),
            "spend_usd": spend,
        }
    )
    estimates = pd.DataFrame(
        {
            "campaign_id": ids,
            "incremental_streams": est,
            "low": est - 1.6449 * se * cf,
            "high": est + 1.6449 * se * cf,
            "p_effect": 0.5,
            "counterfactual_streams": cf,
            "pre_fit_mape": 0.1,
            "flag": None,
        }
    )
    pooled, summary = job.pooled_lift_table(camp, estimates, {}, LiftParams())
    assert summary["pooled"] == n
    covered = (pooled["low"] <= truth) & (truth <= pooled["high"])
    assert 0.85 <= covered.mean() <= 0.95  # 0.93 here; 1.00 with the 90 % rule it replaced
    assert np.allclose(pooled["window_streams"], est)
    err_window = np.median(np.abs(est - truth) / truth)
    assert np.median(np.abs(pooled["incremental_streams"] - truth) / truth) < 0.5 * err_window
    off, _ = job.pooled_lift_table(camp, estimates, {}, LiftParams(pool=False))
    assert np.allclose(off["incremental_streams"], est)
