"""The Fan types page (streamlit AppTest) on the tiny demo store and the mini store."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from streamlit.testing.v1 import AppTest

from data.backup import copy_store
from data.store import open_store
from data.synth.build import DEMO_PASSWORDS
from tests.app.test_app import MAIN, no_exception, sign_in

FANS = "../pages/fans.py"


def _open(db: Path, monkeypatch, user: str, password: str) -> AppTest:
    monkeypatch.setenv("LABELRADAR_DB", str(db))
    at = AppTest.from_file(str(MAIN), default_timeout=60)
    sign_in(at, user, password)
    at.switch_page(FANS).run()
    no_exception(at)
    return at


def test_page_shows_profiles_mix_breakdowns_map_and_targets(demo_db: Path, monkeypatch) -> None:
    at = _open(demo_db, monkeypatch, "nora", DEMO_PASSWORDS["nora"])
    charts = at.get("plotly_chart")
    assert len(charts) == 4  # profiles, mix, age, gender
    assert at.get("deck_gl_json_chart")
    assert any("conversion gap" in c for c in at.dataframe[0].value.columns)
    text = "\n".join(m.value for m in at.markdown)
    assert "more likely a **casual** fan" in text and "**diehard**" in text
    assert any("data through" in c.value for c in at.caption)
    # nora manages one label: every artist offered belongs to it
    truth = pd.read_csv(next((demo_db.parent / "files").rglob("artists.csv")))
    label_of = dict(zip(truth.artist_name, truth.label, strict=True))
    shown = [o.split(" · ", 1)[1] for o in at.selectbox(key="fans_artist").options]
    labels = {label_of[name] for name in shown}
    assert len(labels) == 1
    # comparisons: up to three more artists on the same chart
    ms = at.multiselect(key="fans_compare")
    id_of = dict(zip(truth.artist_name, truth.artist_id, strict=True))
    ms.set_value([id_of[ms.options[0]], id_of[ms.options[1]]]).run()
    no_exception(at)
    mix = at.get("plotly_chart")[1].proto.spec
    assert all(name in mix for name in ms.options[:2])


def test_artist_without_listener_ids_gets_a_clear_message(
    demo_db: Path, tmp_path: Path, monkeypatch
) -> None:
    db = tmp_path / "silent.duckdb"
    copy_store(demo_db, db)
    with open_store(db) as store:
        store.cursor().execute(
            "INSERT INTO catalog (isrc, track_title, artist_id, artist_name, label, genre, "
            "release_date, load_id) SELECT 'QZZ000000099', 'Quiet', 'SILENT1', 'Silent One', "
            "label, 'pop', DATE '2026-01-01', 1 FROM catalog LIMIT 1"
        )
    at = _open(db, monkeypatch, "admin", DEMO_PASSWORDS["admin"])
    at.selectbox(key="fans_artist").set_value("SILENT1").run()
    no_exception(at)
    assert any("no listener-level streams" in w.value for w in at.warning)


def test_no_model_run_tells_to_refresh(mini_db: Path, monkeypatch) -> None:
    from tests.conftest import USERS

    at = _open(mini_db, monkeypatch, "admin", USERS["admin"][0])
    assert any("labelradar refresh" in i.value for i in at.info)
    assert not at.get("plotly_chart")


def test_few_listeners_give_wide_intervals_not_a_crash(mini_db_copy: Path, monkeypatch) -> None:
    from app.fans import job
    from tests.conftest import USERS

    with open_store(mini_db_copy) as store:
        job.run(store, lambda s, f: None)
    at = _open(mini_db_copy, monkeypatch, "admin", USERS["admin"][0])
    assert any("intervals are wide" in i.value for i in at.info)
    assert len(at.get("plotly_chart")) == 4
