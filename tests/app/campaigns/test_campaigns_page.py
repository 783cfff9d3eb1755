"""The Campaigns page, headless (AppTest): scoped lift table, chart, CSVs and what it says on a
store without campaigns (SYNTHETIC tiny store and the hand-made mini store)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from app.campaigns import job
from app.campaigns.view import NO_CURVES
from data.store import open_store
from data.synth.build import DEMO_PASSWORDS
from tests.app.test_app import MAIN, no_exception, sign_in
from tests.conftest import USERS

PAGE = "../pages/campaigns.py"


def _open(db: Path, monkeypatch, user: str, password: str) -> AppTest:
    monkeypatch.setenv("LABELRADAR_DB", str(db))
    at = AppTest.from_file(str(MAIN), default_timeout=90)
    sign_in(at, user, password)
    at.switch_page(PAGE).run()
    no_exception(at)
    return at


def test_manager_sees_own_campaigns_with_chart_and_downloads(demo_db, monkeypatch) -> None:
    with open_store(demo_db, read_only=True) as s:
        cur = s.cursor()
        own = s.state.read("SELECT label FROM user_labels WHERE username = 'nora'")[0][0]
        own_ids = {
            r[0]
            for r in cur.execute(
                "SELECT l.campaign_id FROM campaign_lift l JOIN catalog c USING (isrc) "
                "WHERE c.label = ? AND l.incremental_streams IS NOT NULL",
                [own],
            ).fetchall()
        }
    assert own_ids, "the tiny store must plant estimable campaigns for this label"
    at = _open(demo_db, monkeypatch, "nora", DEMO_PASSWORDS["nora"])
    assert [t.value for t in at.title] == ["Campaigns"]
    picker = at.selectbox(key="campaigns_pick")
    assert {o.split(" — ")[0] for o in picker.options} == _all_ids(demo_db, own)
    table = at.dataframe[0].value
    assert set(table["label"]) == {own}
    est = sorted(own_ids)[0]
    picker.set_value(est).run()
    no_exception(at)
    specs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    titles = [s["layout"]["title"]["text"] for s in specs]
    assert any(f"Campaign {est}" in t for t in titles), titles
    chart = next(s for s in specs if f"Campaign {est}" in s["layout"]["title"]["text"])
    assert chart["layout"]["yaxis"]["title"]["text"] == "Streams per day"
    # The budget job fitted the territory's response curve from these lifts: the campaign's
    # spend is drawn on it.
    with open_store(demo_db, read_only=True) as s:
        country, base, spend = (
            s.cursor()
            .execute(
                "SELECT country, counterfactual_streams, spend_usd FROM campaign_lift "
                "WHERE campaign_id = ?",
                [est],
            )
            .fetchone()
        )
        curves = (
            s.cursor()
            .execute(
                "SELECT ceiling, half_saturation_usd, hill FROM territory_response "
                "WHERE country = ? AND platform = 'all'",
                [country],
            )
            .fetchall()
        )
    assert len(curves) == 1
    assert any("response curve" in t for t in titles), titles
    assert not any(NO_CURVES in c.value for c in at.caption)
    # The stored ceiling is relative (a share of the streams without the campaign): drawn in
    # streams, scaled by this campaign's own streams without it (it was drawn unscaled,
    # a flat line under 1 stream beside a lift of thousands).
    ceiling, half, hill = curves[0]
    spec = next(s for s in specs if "response curve" in s["layout"]["title"]["text"])
    on_curve = next(t for t in spec["data"] if t["name"] == "This campaign's spend")
    expected = ceiling * base * spend**hill / (half**hill + spend**hill)
    assert on_curve["y"][0] == pytest.approx(expected, rel=0.05)
    assert on_curve["y"][0] > 1.0
    assert len(at.get("download_button")) >= 3


def _all_ids(db: Path, label: str) -> set[str]:
    with open_store(db, read_only=True) as s:
        return {
            r[0]
            for r in s.cursor()
            .execute(
                "SELECT l.campaign_id FROM campaign_lift l JOIN catalog c USING (isrc) "
                "WHERE c.label = ?",
                [label],
            )
            .fetchall()
        }


@pytest.mark.parametrize("run_job", [False, True])
def test_store_without_campaigns_says_what_is_missing(
    mini_db_copy, monkeypatch, run_job: bool
) -> None:
    if run_job:
        with open_store(mini_db_copy) as s:
            job.run(s, lambda stage, fraction: None)
    at = _open(mini_db_copy, monkeypatch, "admin", USERS["admin"][0])
    infos = " ".join(i.value for i in at.info)
    if run_job:
        assert "No campaigns of your labels are on this store" in infos
    else:
        assert "has not been computed on this store yet" in infos
    assert not at.get("plotly_chart")
