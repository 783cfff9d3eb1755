"""The Audiences page, headless (AppTest) on the generated tiny store with jobs run."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from data.backup import copy_store
from data.store import open_store
from tests.support.apptest import open_page

MAIN = Path(__file__).resolve().parents[3] / "app" / "main.py"
PAGE = "../pages/recommend.py"


def _open(db: Path, monkeypatch: pytest.MonkeyPatch, username: str) -> AppTest:
    return open_page(db, monkeypatch, username, PAGE)


def test_manager_sees_only_own_tracks_adopters_and_hand_off(demo_db, monkeypatch) -> None:
    with open_store(demo_db, read_only=True) as s:
        cur = s.cursor()
        own = s.state.read("SELECT label FROM user_labels WHERE username = 'nora'")[0][0]
        theirs = {
            r[0] for r in cur.execute("SELECT isrc FROM catalog WHERE label <> ?", [own]).fetchall()
        }
    at = _open(demo_db, monkeypatch, "nora")
    assert [t.value for t in at.title] == ["Audiences"]
    assert any("Recommendation model computed" in c.value for c in at.caption)
    picker = at.selectbox(key="recommend_track")
    assert picker.options and all(own in o for o in picker.options)
    tables = [df.value for df in at.dataframe]
    adopters = next(t for t in tables if "listener_id" in t.columns)
    assert len(adopters) > 0 and list(adopters["rank"]) == sorted(adopters["rank"])
    assert {"country", "age_band", "gender", "fan_type"} <= set(adopters.columns)
    promoted = [t for t in tables if "reason" in t.columns]
    assert len(promoted) == 2
    for t in promoted:
        assert not set(t.isrc) & theirs  # only the user's labels' tracks are promoted
        assert t.reason.str.contains("average listener|not streamed it yet").all()
        assert not t.reason.str.contains("x more than").any()
    # a chart per dimension, or a sentence where every adopter has the same value
    charts = at.get("plotly_chart")
    single = [m.value for m in at.markdown if "likely adopters are" in m.value]
    assert len(charts) + len(single) == 4 and len(charts) >= 3
    downloads = [b for b in at.get("download_button")]
    assert len(downloads) >= 4
    link = at.get("page_link")[0].proto
    assert link.page == "budget" and "goal=expand&territories=" in link.query_string
    assert "&groups=" in link.query_string  # the largest adopter groups go along
    assert link.query_string.startswith(f"track={picker.value}")


def test_other_segment_shows_its_list(demo_db, monkeypatch) -> None:
    at = _open(demo_db, monkeypatch, "admin")
    seg = at.selectbox(key="recommend_segment")
    seg.select_index(len(seg.options) - 1).run()
    assert not at.exception
    tables = [df.value for df in at.dataframe if "reason" in df.value.columns]
    country, age = seg.options[-1].split(" · ") if " · " in seg.options[-1] else (None, None)
    assert tables and country is not None
    assert tables[-1].reason.str.contains(f"listeners in {country} aged {age}").all()


def test_store_without_listener_rows_says_why(demo_db, tmp_path, monkeypatch) -> None:
    """Chart imports carry no listener ids: the job records an empty run that says so (it
    used to fail on an empty month list) and the page explains instead of showing nothing."""
    from app.recommend import job

    db = tmp_path / "charts.duckdb"
    copy_store(demo_db, db)
    with open_store(db) as s:
        with s.transaction() as cur:
            cur.execute("UPDATE trend_facts SET listener_id = NULL WHERE listener_id IS NOT NULL")
        summary = job.run(s, lambda stage, fraction: None)
        rows = s.cursor().execute("SELECT count(*) FROM recommend_adopters").fetchone()[0]
    assert summary["production"] == "none" and "listener" in summary["note"]
    assert rows == 0
    at = _open(db, monkeypatch, "admin")
    assert not at.exception
    assert any("Nothing to recommend yet" in m.value for m in at.info)


def test_a_dimension_with_one_value_is_a_sentence_not_a_one_bar_chart() -> None:
    from app.recommend import view as rv

    adopters = pd.DataFrame({"fan_type": ["not yet a fan"] * 3, "country": ["US", "US", "DE"]})
    assert rv.one_value(rv.counts(adopters, "fan_type"), "fan_type") == (
        "**Fan type of the artist**: all 3 likely adopters are not yet a fan."
    )
    assert rv.one_value(rv.counts(adopters, "country"), "country") is None
    # a value is markdown-escaped text
    odd = pd.DataFrame({"gender": ["**x**"] * 2})
    assert "\\*\\*x\\*\\*" in rv.one_value(rv.counts(odd, "gender"), "gender")
