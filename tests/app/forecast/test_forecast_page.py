"""The Forecasts page and the Catalog drill-down's fan chart, headless (AppTest)."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from data.store import open_store
from data.synth.build import DEMO_PASSWORDS
from tests.app.test_app import MAIN, no_exception, sign_in


def _open(db: Path, monkeypatch: pytest.MonkeyPatch, user: str, page: str) -> AppTest:
    monkeypatch.setenv("LABELRADAR_DB", str(db))
    at = AppTest.from_file(str(MAIN), default_timeout=90)
    sign_in(at, user, DEMO_PASSWORDS[user])
    at.switch_page(page).run()
    no_exception(at)
    return at


def _fan_titles(at: AppTest) -> list[str]:
    import json

    return [
        json.loads(c.proto.spec)["layout"]["title"]["text"]
        for c in at.get("plotly_chart")
        if "Stream forecast" in c.proto.spec
    ]


def test_manager_sees_fan_chart_and_quantiles_of_own_label_only(demo_db, monkeypatch) -> None:
    with open_store(demo_db, read_only=True) as s:
        own = s.state.read("SELECT label FROM user_labels WHERE username = 'nora'")[0][0]
        own_names = {
            r[0]
            for r in s.cursor()
            .execute("SELECT DISTINCT artist_name FROM catalog WHERE label = ?", [own])
            .fetchall()
        }
    at = _open(demo_db, monkeypatch, "nora", "../pages/forecast.py")
    assert [t.value for t in at.title] == ["Forecasts"]
    picker = at.selectbox(key="forecast_pick")
    assert picker.options and set(picker.options) <= own_names
    assert len(_fan_titles(at)) == 1
    quantiles = next(
        df.value for df in at.dataframe if list(df.value.columns) == ["date", "p10", "p50", "p90"]
    )
    assert len(quantiles) == 90
    tracks = next(df.value for df in at.dataframe if "total_p50" in df.value.columns)
    assert set(tracks["label"]) == {own}
    assert any(b.proto.label.startswith("Download") for b in at.get("download_button"))
    at.segmented_control(key="forecast_kind").set_value("Track").run()
    no_exception(at)
    assert len(_fan_titles(at)) == 1


def test_catalog_drill_down_draws_the_forecast_and_the_quarter_kpi(demo_db, monkeypatch) -> None:
    at = _open(demo_db, monkeypatch, "admin", "../pages/catalog.py")
    titles = _fan_titles(at)
    assert len(titles) == 1 and "Stream forecast, next 90 days" in titles[0]
    assert any(c.value.startswith("Expected streams, next 90 days: ") for c in at.caption)


def test_artist_forecast_says_what_its_tracks_out_today_add_up_to(demo_db, monkeypatch) -> None:
    at = _open(demo_db, monkeypatch, "nora", "../pages/forecast.py")
    artist = at.selectbox(key="forecast_pick").value
    with open_store(demo_db, read_only=True) as s:
        labels = [
            r[0] for r in s.state.read("SELECT label FROM user_labels WHERE username = 'nora'")
        ]
        marks = ", ".join("?" * len(labels))
        n, summed = (
            s.cursor()
            .execute(
                "SELECT count(*), sum(f.total_p50) FROM forecast_series f JOIN catalog c "
                f"USING (isrc) WHERE f.kind = 'track' AND c.artist_id = ? AND c.label IN ({marks})",
                [artist, *labels],
            )
            .fetchone()
        )
    assert n > 0
    said = [c.value for c in at.caption if c.value.startswith("Its tracks out today")]
    assert len(said) == 1
    assert f"({n:,}) are expected to stream {summed:,.0f} over the same days" in said[0]
    at.segmented_control(key="forecast_kind").set_value("Track").run()
    no_exception(at)
    assert not [c for c in at.caption if c.value.startswith("Its tracks out today")]
