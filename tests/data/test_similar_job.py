"""The "similar" batch job and CLI on the generated tiny demo store (all jobs run)."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from sklearn.metrics import adjusted_rand_score

from app.cli import main
from data.queries.similar import similar_neighbors, similar_potential, similar_top_track
from data.results import runs as model_runs
from data.scope import Scope
from data.store import open_store


@pytest.fixture(scope="module")
def store(demo_db):
    s = open_store(demo_db)
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


def test_scoped_reads_filter_neighbours_to_scope(store):
    cur = store.cursor()
    labels = [r[0] for r in cur.execute("SELECT DISTINCT label FROM catalog ORDER BY 1").fetchall()]
    mine = labels[0]
    artist = cur.execute("SELECT min(artist_id) FROM catalog WHERE label = ?", [mine]).fetchone()[0]
    scope = Scope(username="nora", role="manager", labels=frozenset({mine}))
    nb = similar_neighbors(store, scope, artist, limit=50)
    theirs = set(
        r[0]
        for r in cur.execute("SELECT artist_id FROM catalog WHERE label <> ?", [mine]).fetchall()
    )
    assert len(nb) > 0 and not set(nb.neighbor_id) & theirs
    everyone = Scope(username="a", role="admin", labels=frozenset(labels))
    assert len(similar_neighbors(store, everyone, artist, limit=50)) > len(nb)
    pot = similar_potential(store, scope, artist)
    assert pot.gap.is_monotonic_decreasing and pot["rank"].tolist() == list(range(1, len(pot) + 1))
    top = similar_top_track(store, scope, artist)
    best = cur.execute(
        "SELECT c.isrc FROM catalog c JOIN agg_daily a USING (isrc) WHERE c.artist_id = ? "
        "GROUP BY 1 ORDER BY sum(a.streams) DESC LIMIT 1",
        [artist],
    ).fetchone()[0]
    assert top.isrc.tolist() == [best]


def _artist(store) -> str:
    return store.cursor().execute("SELECT min(artist_id) FROM similar_artists").fetchone()[0]


def test_cli_similar_and_potential_json(store, demo_db, capsys):
    artist = _artist(store)
    assert main(["similar", "--artist", artist, "--top", "4", "--json", "--db", str(demo_db)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert isinstance(out["cluster"], int) and len(out["neighbors"]) == 4
    assert set(out["neighbors"][0]) == {
        "artist_id",
        "name",
        "score",
        "shared_share_a",
        "shared_share_b",
    }
    scores = [n["score"] for n in out["neighbors"]]
    assert scores == sorted(scores, reverse=True)
    assert main(["potential", "--artist", artist, "--json", "--db", str(demo_db)]) == 0
    countries = json.loads(capsys.readouterr().out)["countries"]
    assert set(countries[0]) == {"country", "actual", "expected", "low", "high", "gap", "ratio"}
    gaps = [c["gap"] for c in countries]
    assert gaps == sorted(gaps, reverse=True)
    # readable text without --json
    assert main(["potential", "--artist", artist, "--db", str(demo_db)]) == 0
    assert "largest gap first" in capsys.readouterr().out


def test_cli_errors_are_one_line(demo_db, mini_db_copy, capsys):
    assert main(["similar", "--artist", "NOPE", "--db", str(demo_db)]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("labelradar: error: unknown artist") and "\n" not in err
    open_store(mini_db_copy).close()  # migrate the hand-made store; no job has run on it
    assert main(["potential", "--artist", "AR1", "--db", str(mini_db_copy)]) == 1
    err = capsys.readouterr().err.strip()
    assert "labelradar refresh" in err and "\n" not in err
