"""The forecast job's persisted results and `labelradar forecast` on the tiny demo store."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from app.cli import main
from data.backup import copy_store
from data.results import runs
from data.store import open_store


@pytest.fixture
def db(demo_db: Path, tmp_path: Path) -> Path:
    target = tmp_path / "forecast.duckdb"
    copy_store(demo_db, target)
    return target


def _json(capsys, argv: list[str]) -> dict:
    capsys.readouterr()
    assert main([*argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_every_track_with_a_week_of_data_has_90_ordered_days(demo_db: Path) -> None:
    with open_store(demo_db, read_only=True) as store:
        cur = store.cursor()
        run = runs.latest(store, "forecast")
        first = cur.execute(
            "SELECT isrc, max(date) - min(date) + 1 AS days FROM agg_daily GROUP BY isrc"
        ).df()
        series = cur.execute("SELECT * FROM forecast_series").df()
        bad = cur.execute(
            "SELECT count(*) FROM forecast_daily WHERE NOT (p10 <= p50 AND p50 <= p90) OR p10 < 0"
        ).fetchone()[0]
        per_series = cur.execute(
            "SELECT series_id, count(*) AS n, min(date) AS first FROM forecast_daily GROUP BY 1"
        ).df()
        totals = cur.execute(
            "SELECT s.total_p50, sum(d.p50) AS p50 FROM forecast_series s "
            "JOIN forecast_daily d USING (series_id) GROUP BY s.series_id, s.total_p50"
        ).df()
    assert run is not None and run.summary["tracks"] == (series["kind"] == "track").sum()
    eligible = set(first.loc[first["days"] >= 7, "isrc"])
    assert set(series.loc[series["kind"] == "track", "isrc"]) == eligible
    assert (per_series["n"] == 90).all() and bad == 0
    assert (
        per_series["first"].dt.date
        == run.data_through.fromordinal(run.data_through.toordinal() + 1)
    ).all()
    assert totals["total_p50"].to_numpy() == pytest.approx(totals["p50"].to_numpy(), rel=1e-9)
    # artist totals: one per (artist, label) in the catalogue
    assert (series["kind"] == "artist").sum() == 16


def test_cli_track_and_artist_answers(db: Path, capsys) -> None:
    with open_store(db, read_only=True) as store:
        isrc, artist, p10, p50, p90 = (
            store.cursor()
            .execute(
                "SELECT isrc, artist_id, total_p10, total_p50, total_p90 FROM forecast_series "
                "WHERE kind = 'track' ORDER BY isrc LIMIT 1"
            )
            .fetchone()
        )
    out = _json(capsys, ["forecast", "--isrc", isrc, "--days", "90", "--db", str(db)])
    assert list(out) == ["isrc", "trained_through", "model", "daily", "total"]
    assert out["isrc"] == isrc and len(out["daily"]) == 90
    assert set(out["daily"][0]) == {"date", "p10", "p50", "p90"}
    assert out["total"]["p50"] == pytest.approx(sum(d["p50"] for d in out["daily"]), abs=5)
    # the total is the stored one (its interval calibrated on held-out totals), not a sum
    assert out["total"] == {"p10": round(p10, 1), "p50": round(p50, 1), "p90": round(p90, 1)}
    short = _json(capsys, ["forecast", "--isrc", isrc, "--days", "7", "--db", str(db)])
    assert short["daily"] == out["daily"][:7]
    art = _json(capsys, ["forecast", "--artist", artist, "--db", str(db)])
    assert art["artist_id"] == artist and len(art["daily"]) == 90
    assert art["total"]["p50"] >= out["total"]["p50"]  # the artist's total includes the track


@pytest.mark.parametrize(
    "argv,message",
    [
        (["--isrc", "NOPE00000000"], "unknown track"),
        (["--artist", "NOPE"], "unknown artist"),
        (["--isrc", "QZNEW0000001"], "too little data"),
        (["--isrc", "QZNEW0000001", "--days", "91"], "--days must be between 1 and 90"),
    ],
)
def test_cli_one_line_errors(db: Path, capsys, argv: list[str], message: str) -> None:
    with open_store(db) as store:  # a catalogue track without a stream yet
        store.cursor().execute(
            "INSERT INTO catalog (isrc, track_title, artist_id, artist_name, label, genre, "
            "release_date, load_id) SELECT 'QZNEW0000001', 'New', artist_id, artist_name, label, "
            "genre, DATE '2026-09-30', load_id FROM catalog LIMIT 1"
        )
    capsys.readouterr()
    assert main(["forecast", *argv, "--db", str(db)]) != 0
    err = capsys.readouterr().err.strip()
    assert message in err and "\n" not in err, err


def test_cli_without_a_model_run_says_how_to_compute_it(mini_db: Path, capsys) -> None:
    capsys.readouterr()
    assert main(["forecast", "--isrc", "QZA000000001", "--db", str(mini_db)]) != 0
    err = capsys.readouterr().err.strip()
    assert "refresh --only forecast" in err and "\n" not in err


def test_two_runs_on_the_same_store_store_identical_quantiles(db: Path) -> None:
    from app.forecast import job

    def stored(path: Path) -> pd.DataFrame:
        with open_store(path, read_only=True) as store:
            return (
                store.cursor()
                .execute("SELECT series_id, date, p10, p50, p90 FROM forecast_daily")
                .df()
                .sort_values(["series_id", "date"], ignore_index=True)
            )

    first = stored(db)  # the fixture's refresh
    with open_store(db) as store:
        job.run(store, lambda stage, fraction: None)
    again = stored(db)
    assert len(first) > 1000
    pd.testing.assert_frame_equal(first, again, check_exact=True)


def test_a_chart_store_reads_days_off_the_chart_as_unknown_not_zero(db: Path) -> None:
    from app.forecast import job

    with open_store(db) as store:
        cur = store.cursor()
        isrc = cur.execute(
            "SELECT isrc FROM forecast_series WHERE kind = 'track' LIMIT 1"
        ).fetchone()[0]
        # the track left the chart ten days before the data end
        cur.execute(
            "DELETE FROM agg_daily WHERE isrc = ? AND date > (SELECT max(date) - 10 FROM agg_daily)",
            [isrc],
        )
        job.run(store, lambda stage, fraction: None)
        zero = cur.execute(
            "SELECT max(p50) FROM forecast_daily WHERE series_id = ?", [isrc]
        ).fetchone()[0]
        store.set_meta("real_charts", "true")
        job.run(store, lambda stage, fraction: None)
        rows = cur.execute(
            "SELECT count(*) FROM forecast_daily WHERE series_id = ?", [isrc]
        ).fetchone()[0]
    # complete deliveries: ten days without a row are ten days of zero streams
    assert zero is not None and zero < 1.0
    # charts: those days are unknown, and a track unseen for over a week has no recent level
    assert rows == 0
