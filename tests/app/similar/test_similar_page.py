"""The Similar artists page, headless (AppTest) on the generated tiny store with jobs run."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from data.backup import copy_store
from data.store import open_store
from tests.support.apptest import open_page

MAIN = Path(__file__).resolve().parents[3] / "app" / "main.py"
SIMILAR = "../pages/similar.py"


def _open(db: Path, monkeypatch: pytest.MonkeyPatch, username: str) -> AppTest:
    return open_page(db, monkeypatch, username, SIMILAR)


def test_manager_sees_model_for_own_label_only(demo_db, monkeypatch):
    with open_store(demo_db, read_only=True) as s:
        cur = s.cursor()
        own = s.state.read("SELECT label FROM user_labels WHERE username = 'nora'")[0][0]
        theirs = {
            r[0]
            for r in cur.execute(
                "SELECT DISTINCT artist_name FROM catalog WHERE label <> ?", [own]
            ).fetchall()
        }
    at = _open(demo_db, monkeypatch, "nora")
    assert [t.value for t in at.title] == ["Similar artists"]
    assert any("Similar-artists model computed" in c.value for c in at.caption)
    picker = at.selectbox(key="similar_artist")
    assert picker.options and all(own in o for o in picker.options)
    tables = [df.value for df in at.dataframe]
    neighbours = next(t for t in tables if "shared_pct_a" in t.columns)
    assert not set(neighbours.artist_name) & theirs  # neighbour list filtered to scope
    targets = next(t for t in tables if "gap" in t.columns)
    assert list(targets.gap) == sorted(targets.gap, reverse=True)
    assert at.get("plotly_chart") and at.get("deck_gl_json_chart")
    assert any("across the whole" in c.value for c in at.caption)
    # the hand-off to the budget page carries the top track and the top target countries
    link = at.get("page_link")[0].proto
    assert link.page == "budget"
    top = targets[targets.gap > 0].country.head(5).tolist()
    assert (
        top
        and link.query_string.startswith("track=")
        and link.query_string.endswith("&goal=expand&territories=" + "%2C".join(top))
    )


def test_page_says_when_model_never_ran(demo_db, tmp_path, monkeypatch):

    db = tmp_path / "norun.duckdb"
    copy_store(demo_db, db)
    with open_store(db) as s, s.transaction() as cur:
        cur.execute("DELETE FROM model_runs WHERE job = 'similar'")
    at = _open(db, monkeypatch, "admin")
    assert any("labelradar refresh" in i.value for i in at.info)
    assert not at.get("deck_gl_json_chart")
