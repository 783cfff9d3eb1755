"""The budget page's forecast with and without the plan: hand-worked increments, and the
page on the tiny demo store (synthetic) adding exactly the plan's expected streams."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from app import wording
from app.budget import forecast_plan as fp
from data.backup import copy_store
from tests.app.budget.test_budget_page import app as budget_app
from tests.app.budget.test_budget_page import open_budget, sign_in
from tests.support.budget_track import nora_modelled_track


def test_increments_spread_each_territory_evenly_over_the_campaign() -> None:
    rows = pd.DataFrame({"country": ["DE", "FR", "GB"], "expected_streams": [300.0, 0.0, 90.0]})
    inc = fp.increments(rows, dt.date(2026, 3, 1), 3)
    assert len(inc) == 6  # FR plans nothing
    de = inc[inc["territory"] == "DE"]
    assert list(de["incremental_streams"]) == [100.0, 100.0, 100.0]
    assert list(de["date"].dt.date) == [dt.date(2026, 3, d) for d in (1, 2, 3)]
    assert inc["incremental_streams"].sum() == pytest.approx(390.0)
    with pytest.raises(ValueError):
        fp.increments(rows, dt.date(2026, 3, 1), 0)


@pytest.fixture(scope="module")
def db(demo_db: Path, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("budget-forecast-plan") / "store.duckdb"
    return copy_store(demo_db, path)


def test_page_adds_the_plans_expected_streams_to_the_forecast(db, monkeypatch) -> None:
    track = nora_modelled_track(db)
    at = budget_app(db, monkeypatch)
    at.query_params.update({"track": track["isrc"], "goal": "expand"})
    sign_in(at, "nora")
    open_budget(at)
    key = f"budget_plan:{track['isrc']}:expand"
    at.number_input(key=f"{key}:budget").set_value(5000.0).run()
    next(b for b in at.button if b.label == "Suggest a split").click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    expected = float(next(m for m in at.metric if m.label == wording.label("expected_streams"))
                     .value.replace(",", ""))  # fmt: skip
    assert expected > 0
    totals = next(df.value for df in at.dataframe if "forecast" in df.value.columns)
    without, with_plan = totals.set_index("forecast").loc[["Without the plan", "With the plan"]][
        "expected"
    ]
    # a 28-day campaign from the first forecast day lies inside the 90-day horizon
    assert with_plan - without == pytest.approx(expected, abs=2.0)
    titles = [c.proto.spec for c in at.get("plotly_chart")]
    assert any("with and without the plan" in spec for spec in titles)
