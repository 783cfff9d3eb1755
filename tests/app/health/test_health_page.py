"""The Data health page (AppTest) on a copy of the tiny demo store (SYNTHETIC)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from app.wording import dsp_name
from data.backup import copy_store
from data.store import open_store
from tests.support.apptest import open_page

MAIN = Path(__file__).resolve().parents[3] / "app" / "main.py"
PAGE = "../pages/health.py"


def _open(db: Path, monkeypatch: pytest.MonkeyPatch, username: str) -> AppTest:
    return open_page(db, monkeypatch, username, PAGE)


def test_issues_table_and_coverage_chart(demo_db: Path, tmp_path: Path, monkeypatch) -> None:
    db = tmp_path / "page.duckdb"
    copy_store(demo_db, db)
    with open_store(db) as store:
        store.cursor().execute(
            "INSERT INTO health_issues VALUES ('spotify', ?, 'missing_day', 'no rows')",
            [dt.date(2026, 7, 5)],
        )
    at = _open(db, monkeypatch, "nora")
    assert [t.value for t in at.title] == ["Data health"]
    assert any("computed" in c.value and "data through" in c.value for c in at.caption)
    table = at.dataframe[0].value
    assert list(table.columns) == ["Day", "DSP", "Issue", "Detail"]
    assert table.iloc[0].tolist() == [dt.date(2026, 7, 5), "Spotify", "Missing day", "no rows"]
    chart = at.get("plotly_chart")[0]
    assert "Coverage per DSP and day" in chart.proto.spec
    rows = json.loads(chart.proto.spec)["data"][0]["y"]  # the DSPs by name, not by slug
    assert "Apple Music" in rows and "Spotify" in rows and "apple_music" not in rows


def test_dsp_names_are_written_as_the_services_write_them() -> None:
    assert [dsp_name(s) for s in ("spotify", "apple_music", "youtube", "tidal")] == [
        "Spotify", "Apple Music", "YouTube", "TIDAL"
    ]  # fmt: skip
    assert dsp_name("new_feed") == "New Feed"  # a feed the app does not know yet


def test_a_clean_store_says_so(demo_db: Path, monkeypatch) -> None:
    at = _open(demo_db, monkeypatch, "admin")
    assert any("No issues" in s.value for s in at.success)
    assert not at.dataframe


def test_sources_read_as_words_in_legends_and_tables() -> None:
    from app.wording import source_name

    assert [source_name(s) for s in ("editorial_playlist", "search", "user_playlist")] == [
        "Editorial playlist",
        "Search",
        "User playlist",
    ]
