"""The fans batch job on generated stores and its persisted results."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from app.fans import job
from data.backup import copy_store
from data.results import runs as model_runs
from data.results.fans import RESULT_TABLES
from data.store import open_store

TABLES = tuple(RESULT_TABLES.values())


def _ground_truth(demo_db: Path) -> Path:
    return next((demo_db.parent / "files").rglob("ground_truth"))


def test_job_persists_a_three_profile_model_close_to_the_planted_mixes(demo_db: Path) -> None:
    with open_store(demo_db, read_only=True) as store:
        run = model_runs.latest(store, "fans")
        cur = store.cursor()
        mix = cur.execute("SELECT * FROM fan_mix").df()
        profiles = cur.execute("SELECT name FROM fan_profiles ORDER BY profile_idx").df()
        asg = cur.execute("SELECT artist_id, listener_id, profile FROM fan_assignments").df()
    assert run is not None and run.params["window_days"] is None
    assert list(profiles.name) == ["passive", "casual", "diehard"]
    truth = pd.read_csv(_ground_truth(demo_db) / "artists.csv").set_index("artist_id")
    d = mix[mix.profile == "diehard"].set_index("artist_id")
    big = truth.index[truth.listeners >= 200].intersection(d.index)
    mae = float((d.loc[big, "share"] - truth.loc[big, "share_diehard"]).abs().mean())
    print(f"tiny store: diehard MAE {mae:.4f} over {len(big)} artists with >= 200 listeners")
    assert len(big) >= 10 and mae <= 0.05
    fans = pd.read_parquet(_ground_truth(demo_db) / "fans.parquet")
    m = fans.merge(asg, on=["artist_id", "listener_id"])
    assert len(m) == len(fans)  # every planted pair was modelled
    acc = float((m.fan_type == m.profile).mean())
    print(f"tiny store: listener assignment accuracy {acc:.3f}")
    assert acc >= 0.85
    # intervals contain their point and are wider for smaller audiences
    assert ((mix.low <= mix.share) & (mix.share <= mix.high)).all()
    width = (
        mix.assign(w=mix.high - mix.low)
        .groupby("artist_id")
        .agg(w=("w", "mean"), n=("listeners", "first"))
    )
    assert width.w.corr(width.n, method="spearman") < 0


def test_window_is_a_recorded_parameter(demo_db: Path, tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    copy_store(demo_db, db)
    with open_store(db) as store:
        before = store.cursor().execute("SELECT sum(listeners) FROM fan_mix").fetchone()[0]
        summary = job.run(store, lambda s, f: None, window_days=30, ks=(3,), seeds=(0,))
        run = model_runs.latest(store, "fans")
        after = store.cursor().execute("SELECT sum(listeners) FROM fan_mix").fetchone()[0]
    assert run.params["window_days"] == 30 and run.summary["pairs"] == summary["pairs"]
    assert 0 < after < before


def test_job_on_the_mini_store_with_few_listeners(mini_db_copy: Path) -> None:
    with open_store(mini_db_copy) as store:
        summary = job.run(store, lambda s, f: None)
        mix = store.cursor().execute("SELECT * FROM fan_mix").df()
    assert summary["artists"] == 3 and summary["k"] >= 2
    # seven listener ids per artist: wide intervals
    assert (mix.high - mix.low).mean() > 0.2


def test_job_without_listener_ids_clears_the_results_and_records_the_run(
    mini_db_copy: Path,
) -> None:
    with open_store(mini_db_copy) as store:
        job.run(store, lambda s, f: None)
        cur = store.cursor()
        assert cur.execute("SELECT count(*) FROM fan_mix").fetchone()[0] > 0
        cur.execute("UPDATE trend_facts SET listener_id = NULL")
        summary = job.run(store, lambda s, f: None)
        latest = model_runs.latest(store, "fans")
        left = {t: cur.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}
    assert summary == {"pairs": 0, "artists": 0, "k": None}
    assert latest.summary == summary
    assert not any(left.values()), left
