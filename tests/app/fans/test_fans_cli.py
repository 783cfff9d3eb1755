"""`labelradar fans`: its --json answer, its text and its one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.cli import main
from app.fans.cli import JSON_KEYS
from data.backup import copy_store
from data.store import open_store


def test_cli_json_shape_and_errors(demo_db: Path, tmp_path: Path, capsys) -> None:
    with open_store(demo_db, read_only=True) as store:
        artist = store.cursor().execute("SELECT min(artist_id) FROM fan_mix").fetchone()[0]
    assert main(["fans", "--db", str(demo_db), "--artist", artist, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) == {"profiles", "thresholds", "mix", "listeners", "computed_at", "data_through"}
    assert tuple(out) == JSON_KEYS["fans"]
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
    copy_store(demo_db, db)
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
