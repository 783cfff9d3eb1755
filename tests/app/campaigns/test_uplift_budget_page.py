"""The Territory budgets page with measured campaign uplift (AppTest, tiny demo store): the
segments that respond to ads are listed and pre-select the plan's audience groups; without
any, the page is as before."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from data.backup import copy_store
from data.publish import PublishingStore
from data.synth.build import DEMO_PASSWORDS
from tests.support.budget_track import nora_modelled_track

MAIN = Path(__file__).resolve().parents[3] / "app" / "main.py"
BUDGET = "../pages/budget.py"
HEADING = "Segments that respond to ads"


@pytest.fixture(scope="module")
def db(demo_db: Path, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("uplift-budget") / "store.duckdb"
    copy_store(demo_db, path)
    return path


@pytest.fixture(scope="module")
def track(db: Path) -> dict[str, str]:
    return nora_modelled_track(db)


def _open(db: Path, track: dict[str, str], monkeypatch) -> AppTest:
    monkeypatch.setenv("LABELRADAR_DB", str(db))
    at = AppTest.from_file(str(MAIN), default_timeout=60)
    at.query_params.update({"track": track["isrc"], "goal": "expand"})
    at.run()
    fields = {ti.label: ti for ti in at.text_input}
    fields["Username"].input("nora")
    fields["Password"].input(DEMO_PASSWORDS["nora"])
    next(b for b in at.button if b.label == "Sign in").click()
    at.run()
    at.switch_page(BUDGET)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_no_uplift_rows_leave_the_page_as_it_was(db, track, monkeypatch):
    at = _open(db, track, monkeypatch)
    assert HEADING not in [h.value for h in at.subheader]


def test_responsive_segments_are_listed_and_preselected(db, track, monkeypatch):
    at = _open(db, track, monkeypatch)
    plan = at.session_state[f"budget_plan:{track['isrc']}:expand"]
    first, second = plan["country"].iloc[0], plan["country"].iloc[-1]
    # two responsive segments and one that is not (hand-made), published as a batch
    # command would: the open page reads the new version at its next run
    with PublishingStore(db) as s:
        s.cursor().executemany(
            "INSERT INTO campaign_uplift VALUES (?, ?, ?, ?, ?, 'casual', 4, 1000, ?, ?, ?, ?, ?, "
            "now())",
            [
                [track["label"], first, "18-24", "female", "free", 200, 0.2, 0.05, 0.4, 0.15],
                [track["label"], second, "25-34", "male", "premium", 300, 0.3, 0.1, 0.5, 0.25],
                [track["label"], first, "45-54", "male", "free", 10, 0.01, -0.2, 0.2, 0.3],
            ],
        )
    at = _open(db, track, monkeypatch)
    assert HEADING in [h.value for h in at.subheader]
    table = next(df.value for df in at.dataframe if "model_uplift_pct" in df.value.columns)
    assert table["audience group"].tolist() == ["male 25-34 premium", "female 18-24 free"]
    picker = at.multiselect(key=f"budget_ad_groups:{track['isrc']}")
    assert picker.value == [f"{second} · male 25-34 premium", f"{first} · female 18-24 free"]
