"""`labelradar similar` and `labelradar potential` on the generated tiny demo store."""

from __future__ import annotations

import json

import pytest

from app.cli import main
from app.similar.cli import EXAMPLE_ARGS, JSON_KEYS
from data.store import open_store


@pytest.fixture(scope="module")
def store(demo_db):
    s = open_store(demo_db, read_only=True)  # the app may hold it open in this process
    yield s
    s.close()


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


def test_json_keys_are_what_each_subcommand_prints(store, demo_db, capsys):
    artist = _artist(store)
    assert set(JSON_KEYS) == set(EXAMPLE_ARGS) == {"similar", "potential"}
    for command, args in EXAMPLE_ARGS.items():
        argv = [a.format(artist_id=artist) for a in args]
        assert main([command, *argv, "--json", "--db", str(demo_db)]) == 0
        assert tuple(json.loads(capsys.readouterr().out)) == JSON_KEYS[command]


def test_cli_reads_agree_with_the_persisted_tables(store, demo_db, capsys):
    """The scoped reads under the operator's scope give what the tables hold."""
    artist = _artist(store)
    cur = store.cursor()
    assert main(["similar", "--artist", artist, "--top", "3", "--json", "--db", str(demo_db)]) == 0
    out = json.loads(capsys.readouterr().out)
    nb = cur.execute(
        "SELECT neighbor_id FROM similar_neighbors WHERE artist_id = ? ORDER BY rank LIMIT 3",
        [artist],
    ).fetchall()
    assert [n["artist_id"] for n in out["neighbors"]] == [r[0] for r in nb]
    cluster = cur.execute(
        "SELECT cluster FROM similar_artists WHERE artist_id = ?", [artist]
    ).fetchone()[0]
    assert out["cluster"] == cluster
    assert main(["potential", "--artist", artist, "--json", "--db", str(demo_db)]) == 0
    out = json.loads(capsys.readouterr().out)
    by_gap = cur.execute(
        "SELECT country FROM similar_potential WHERE artist_id = ? ORDER BY gap DESC, country",
        [artist],
    ).fetchall()
    assert [c["country"] for c in out["countries"]] == [r[0] for r in by_gap]
