"""`labelradar detect`: runs detection, saves and prints alerts; one-line errors."""

from __future__ import annotations

import json

from app.alerts.cli import JSON_KEYS
from app.cli import main
from data.backup import copy_store
from data.store import open_store

KEYS = {
    "isrc",
    "artist_id",
    "date",
    "kind",
    "probability",
    "observed",
    "expected",
    "attribution",
    "opportunity",
    "goal",
}


def test_detect_json_saves_and_prints_alerts(demo_db, tmp_path, capsys):
    db = tmp_path / "cli.duckdb"
    copy_store(demo_db, db)
    with open_store(db) as store:
        store.cursor().execute("DELETE FROM alerts")
    assert main(["detect", "--db", str(db), "--json"]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert tuple(answer) == JSON_KEYS["detect"]
    alerts = answer["alerts"]
    assert alerts and all(set(a) >= KEYS for a in alerts)
    assert {a["kind"] for a in alerts} <= {"spike", "drop", "growth", "decline", "release"}
    assert all({"dimension", "value", "share"} == set(p) for a in alerts for p in a["attribution"])
    with open_store(db, read_only=True) as store:
        saved = store.cursor().execute("SELECT count(*) FROM alerts").fetchone()[0]
    assert saved == len(alerts)
    events = answer["events"]
    keys = {"event_id", "subject", "artist_id", "date", "kind", "tracks", "alerts"}
    assert events and all(set(e) == keys for e in events)
    assert sum(e["alerts"] for e in events) == len(alerts) > len(events)  # each alert once
    assert len({e["event_id"] for e in events}) == len(events)
    isrcs = {a["isrc"] for a in alerts if a["isrc"]}
    assert {t for e in events for t in e["tracks"]} == isrcs
    last = max(a["date"] for a in alerts)
    assert main(["detect", "--db", str(db), "--since", last]) == 0  # readable text
    lines = capsys.readouterr().out.strip().splitlines()
    assert "alerts saved" in lines[0]
    shown = [line.split()[0] for line in lines[1:]]
    expected = sum(a["date"] >= last for a in alerts)
    assert shown and all(d >= last for d in shown) and len(shown) == expected < len(alerts)


def test_detect_errors_are_one_line(tmp_path, capsys):
    empty = tmp_path / "empty.duckdb"
    open_store(empty).close()
    assert main(["detect", "--db", str(empty)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "no trend data" in err[0]
    assert main(["detect", "--db", str(empty), "--since", "2026-02-30"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "not a date" in err[0]
