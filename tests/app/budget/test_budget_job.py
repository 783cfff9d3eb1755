"""The budget batch job on the tiny demo store: what it persists matches its summary and its
model_runs row, and a failure while writing leaves the previous results and run in place."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.budget import job
from data.backup import copy_store
from data.results import runs as model_runs
from data.store import open_store

TABLES = ("budget_models", "budget_assets", "budget_groups", "budget_territories")


@pytest.fixture
def db(demo_db: Path, tmp_path: Path) -> Path:
    path = tmp_path / "store.duckdb"
    copy_store(demo_db, path)
    return path


def _snapshot(store) -> dict[str, list[tuple]]:
    cur = store.cursor()
    out = {t: cur.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in TABLES}
    out["runs"] = cur.execute("SELECT run_id FROM model_runs WHERE job = 'budget'").fetchall()
    return out


def test_job_persists_what_its_summary_and_run_say(db: Path) -> None:
    stages: list[str] = []
    with open_store(db) as store:
        before = model_runs.latest(store, "budget")
        summary = job.run(store, lambda stage, fraction: stages.append(stage))
        run = model_runs.latest(store, "budget")
        cur = store.cursor()
        count = {t: cur.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}
        in_model = cur.execute("SELECT count(*) FROM budget_assets WHERE in_model").fetchone()[0]
        catalog = cur.execute("SELECT count(*) FROM catalog").fetchone()[0]
        n_sum = cur.execute("SELECT sum(n) FROM budget_models").fetchone()[0]
    assert run.run_id > before.run_id and run.summary == summary
    assert summary["categories"] == count["budget_models"] >= 1
    assert summary["assets"] == count["budget_assets"] == catalog  # every track streamed
    assert summary["in_model"] == in_model and summary["territories"] == count["budget_territories"]
    assert count["budget_groups"] == n_sum  # one row per kept group of each category
    # the run's params: the fit's settings, the window, and the all-territory response
    assert {"taus", "ks", "lams", "update", "window_weeks", "streams_per_listener"} <= set(
        run.params
    )
    assert {"uplift_all", "scale_a", "scale_b", "cost_per_result_all"} <= set(run.params)
    assert run.params["streams_per_listener"] > 1
    assert stages[0] == "reading group consumption" and stages[-2:] == ["writing results", "done"]


def test_a_failed_write_keeps_the_previous_results(db: Path, monkeypatch) -> None:
    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    with open_store(db) as store:
        # results a refit would not reproduce, so that a partial write would show
        store.cursor().execute("UPDATE budget_territories SET uplift = -1")
        store.cursor().execute("DELETE FROM budget_groups WHERE col_idx > 0")
        before = _snapshot(store)
        monkeypatch.setattr(model_runs, "record", broken)  # after the tables were replaced
        with pytest.raises(RuntimeError, match="disk full"):
            job.run(store, lambda stage, fraction: None)
        assert _snapshot(store) == before
