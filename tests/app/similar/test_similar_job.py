"""The "similar" batch job on the generated tiny demo store (all jobs run)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from sklearn.metrics import adjusted_rand_score

from app.cli import main
from app.similar import job
from data.backup import copy_store
from data.results import runs as model_runs
from data.store import open_store

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def store(demo_db):
    s = open_store(demo_db, read_only=True)  # the app may hold it open in this process
    yield s
    s.close()


def test_job_persists_model_with_run_row(store, demo_db):
    run = model_runs.latest(store, "similar")
    assert run is not None and run.data_through is not None
    cur = store.cursor()
    artists = cur.execute("SELECT * FROM similar_artists").df()
    assert set(artists.run_id) == {run.run_id}
    n = len(artists)
    assert n == cur.execute("SELECT count(DISTINCT artist_id) FROM catalog").fetchone()[0]
    # every artist ranks every other artist exactly once
    nb = cur.execute("SELECT * FROM similar_neighbors").df()
    assert len(nb) == n * (n - 1)
    assert (nb.artist_id != nb.neighbor_id).all()
    assert nb.groupby("artist_id").score.apply(lambda s: s.is_monotonic_decreasing).all()
    # the tiny store's 3 planted communities are found (16 artists)
    truth = pd.read_csv(demo_db.parent / "files" / "ground_truth" / "artists.csv")
    truth = truth.set_index("artist_id").loc[artists.artist_id, "community"]
    assert adjusted_rand_score(truth, artists.cluster) >= 0.8
    # potential totals: expected streams add up to the artist's own total (size-normalised)
    pot = cur.execute("SELECT * FROM similar_potential").df()
    sums = pot.groupby("artist_id")[["actual", "expected"]].sum()
    assert ((sums.expected - sums.actual).abs() <= 1e-6 * sums.actual).all()
    daily = (
        cur.execute(
            "SELECT c.artist_id, sum(a.streams) AS s FROM agg_daily a JOIN catalog c USING (isrc) "
            "GROUP BY 1"
        )
        .df()
        .set_index("artist_id")["s"]
    )
    assert (sums.actual - daily.loc[sums.index]).abs().max() < 1e-6


def _quiet(stage: str, fraction: float) -> None:
    return None


def test_options_set_the_model_parameters(demo_db, tmp_path):
    db = tmp_path / "options.duckdb"
    copy_store(demo_db, db)
    with open_store(db) as s:
        summary = job.run(s, _quiet, max_neighbors=3)
        run = model_runs.latest(s, "similar")
        per_artist = (
            s.cursor()
            .execute("SELECT count(*) FROM similar_neighbors GROUP BY artist_id")
            .fetchall()
        )
    assert run.params["max_neighbors"] == 3 and run.summary == summary
    assert summary["neighbor_rows"] == 3 * summary["artists"]
    assert {r[0] for r in per_artist} == {3}
    with open_store(db) as s, pytest.raises(TypeError):
        job.run(s, _quiet, no_such_option=1)


def test_a_failed_write_keeps_the_previous_results(demo_db, tmp_path, monkeypatch):
    db = tmp_path / "failed.duckdb"
    copy_store(demo_db, db)
    with open_store(db) as s:
        before = model_runs.latest(s, "similar")
        rows = s.cursor().execute("SELECT count(*) FROM similar_neighbors").fetchone()[0]

        def broken(*args, **kwargs):
            raise RuntimeError("disk full")

        monkeypatch.setattr(job.similar_data, "replace_results", broken)
        with pytest.raises(RuntimeError):
            job.run(s, _quiet, max_neighbors=2)
        assert model_runs.latest(s, "similar") == before  # the run row was rolled back
        assert s.cursor().execute("SELECT count(*) FROM similar_neighbors").fetchone()[0] == rows


def test_the_label_migration_drops_old_results_so_refresh_refits(demo_db, tmp_path, capsys):
    """A store migrated from results keyed by artist alone: the tables are recreated with a
    label column, the old run row is gone, and `refresh --if-missing` refits the model."""
    db = tmp_path / "before_label.duckdb"
    copy_store(demo_db, db)
    old_tables = (ROOT / "data" / "migrations" / "004_similar.sql").read_text(encoding="utf-8")
    with open_store(db) as s, s.transaction() as cur:
        cur.execute("DROP TABLE similar_potential")
        cur.execute("DROP TABLE similar_neighbors")
        cur.execute("DROP TABLE similar_artists")
        cur.execute(old_tables)
        cur.execute("INSERT INTO similar_artists VALUES (1, 'ART0000', 0, 1, 0, 0, 1, 1, [1.0])")
        cur.execute("DELETE FROM schema_migrations WHERE version = 13")
        assert model_runs.latest(s, "similar") is not None
    with open_store(db) as s:
        cur = s.cursor()
        for table in ("similar_artists", "similar_neighbors", "similar_potential"):
            columns = cur.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = ?", [table]
            ).fetchall()
            assert ("label",) in columns, table
            assert cur.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == 0
        assert model_runs.latest(s, "similar") is None
        assert model_runs.latest(s, "fans") is not None
    capsys.readouterr()
    assert main(["refresh", "--if-missing", "--db", str(db), "--json"]) == 0
    assert [j["job"] for j in json.loads(capsys.readouterr().out)["jobs"]] == ["similar"]
    with open_store(db, read_only=True) as s:
        n = s.cursor().execute("SELECT count(*) FROM similar_artists").fetchone()[0]
        artists = s.cursor().execute("SELECT count(DISTINCT artist_id) FROM catalog").fetchone()[0]
    assert n == artists
