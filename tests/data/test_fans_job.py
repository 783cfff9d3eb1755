"""The fans batch job on generated stores, its persisted results and the CLI."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from app.cli import main
from app.fans.job import run_fans
from data.results import runs as model_runs
from data.store import open_store


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
    shutil.copy(demo_db, db)
    with open_store(db) as store:
        before = store.cursor().execute("SELECT sum(listeners) FROM fan_mix").fetchone()[0]
        summary = run_fans(store, lambda s, f: None, window_days=30, ks=(3,), seeds=(0,))
        run = model_runs.latest(store, "fans")
        after = store.cursor().execute("SELECT sum(listeners) FROM fan_mix").fetchone()[0]
    assert run.params["window_days"] == 30 and run.summary["pairs"] == summary["pairs"]
    assert 0 < after < before


def test_cli_json_shape_and_errors(demo_db: Path, tmp_path: Path, capsys) -> None:
    with open_store(demo_db, read_only=True) as store:
        artist = store.cursor().execute("SELECT min(artist_id) FROM fan_mix").fetchone()[0]
    assert main(["fans", "--db", str(demo_db), "--artist", artist, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) == {"profiles", "thresholds", "mix", "listeners", "computed_at", "data_through"}
    assert [p["name"] for p in out["profiles"]] == ["passive", "casual", "diehard"]
    for p in out["profiles"]:
        assert set(p) == {"name", "mean_streams", "pmf"}
        assert sum(b["p"] for b in p["pmf"]) == pytest.approx(1.0, abs=1e-4)
        assert set(p["pmf"][0]) == {"low", "high", "p"}
    assert set(out["mix"]) == {"passive", "casual", "diehard"}
    assert sum(m["share"] for m in out["mix"].values()) == pytest.approx(1.0, abs=1e-3)
    assert all(m["low"] <= m["share"] <= m["high"] for m in out["mix"].values())
    assert out["listeners"] > 0 and len(out["thresholds"]) == 2

    assert main(["fans", "--db", str(demo_db), "--artist", artist]) == 0
    assert "diehard" in capsys.readouterr().out

    assert main(["fans", "--db", str(demo_db), "--artist", "NO-SUCH"]) == 1
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "unknown artist" in err

    db = tmp_path / "silent.duckdb"
    shutil.copy(demo_db, db)
    with open_store(db) as store:
        store.cursor().execute(
            "INSERT INTO catalog (isrc, track_title, artist_id, artist_name, label, genre, "
            "release_date, load_id) SELECT 'QZZ000000099', 'Quiet', 'SILENT1', 'Silent One', "
            "label, 'pop', DATE '2026-01-01', 1 FROM catalog LIMIT 1"
        )
    assert main(["fans", "--db", str(db), "--artist", "SILENT1"]) == 1
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "no listener" in err


def test_cli_without_a_model_run_says_to_refresh(mini_db: Path, capsys) -> None:
    assert main(["fans", "--db", str(mini_db), "--artist", "AR1"]) == 1
    assert "labelradar refresh" in capsys.readouterr().err


def test_job_on_the_mini_store_with_few_listeners(mini_db_copy: Path) -> None:
    with open_store(mini_db_copy) as store:
        summary = run_fans(store, lambda s, f: None)
        mix = store.cursor().execute("SELECT * FROM fan_mix").df()
    assert summary["artists"] == 3 and summary["k"] >= 2
    # seven listener ids per artist: wide intervals
    assert (mix.high - mix.low).mean() > 0.2
