"""`labelradar import spotify-charts` on small chart files written here (never real data)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.cli import main
from data.ingest.charts import artist_id, placeholder_isrc
from data.queries import operator_scope
from data.queries.catalog import worldwide_streams
from data.store import open_store

URL = "https://open.spotify.com/track/"
WITH_REGION = (
    "Position,Track Name,Artist,Streams,URL,Date,Region\n"
    f"1,Yellow,Coldplay,5000,{URL}3AJwUDP919kvQ9QcozQPxg,2017-01-01,global\n"
    f"2,Yellow,Coldplay,1200,{URL}3AJwUDP919kvQ9QcozQPxg,2017-01-01,de\n"
    f"3,Yellow,Coldplay,800,{URL}3AJwUDP919kvQ9QcozQPxg,2017-01-01,fr\n"
    f"1,Fix You,Coldplay,900,{URL}7LVHVU3tWfcxj5aiPFEW4Q,2017-01-02,de\n"
    f"2,Yellow,Coldplay,700,{URL}3AJwUDP919kvQ9QcozQPxg,2017-01-02,de\n"
)
NO_REGION = (
    "Position,Track Name,Artist,Streams,Date\n"
    "1,Shape of You,Ed Sheeran,1000000,2017-01-02\n"
    "2,Starboy,The Weeknd,900000,2017-01-02\n"
    "1,Shape of You,Ed Sheeran,1100000,2017-01-03\n"
)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "charts.duckdb"
    assert main(["init", "--db", str(path), "--quiet"]) == 0
    return path


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _import(db: Path, *args: str) -> int:
    return main(["import", "spotify-charts", *args, "--db", str(db), "--quiet"])


def test_chart_rows_become_catalog_and_trend_rows(db: Path, tmp_path: Path, capsys) -> None:
    chart = _write(tmp_path, "coldplay.csv", WITH_REGION)
    assert _import(db, str(chart), "--label", "Real Charts", "--json") == 0
    loads = json.loads(capsys.readouterr().out)["loads"]
    assert loads[0]["rows_loaded"] == 5
    yellow = placeholder_isrc("spotify:3AJwUDP919kvQ9QcozQPxg")
    assert yellow.startswith("XX") and len(yellow) == 12
    with open_store(db, read_only=True) as store:
        cur = store.cursor()
        catalog = cur.execute(
            "SELECT isrc, track_title, artist_id, label, release_date::VARCHAR, "
            "isrc_placeholder FROM catalog ORDER BY track_title"
        ).fetchall()
        assert [c[1] for c in catalog] == ["Fix You", "Yellow"]
        assert all(c[3] == "Real Charts" and c[5] for c in catalog)
        assert catalog[1][0] == yellow and catalog[1][4] == "2017-01-01"
        assert catalog[0][4] == "2017-01-02"  # first charted day stands in for the release
        assert catalog[1][2] == artist_id("Coldplay") == catalog[0][2]
        facts = cur.execute(
            "SELECT country, dsp, source::VARCHAR, age_band::VARCHAR, streams FROM trend_facts "
            "WHERE isrc = ? AND date = '2017-01-01' ORDER BY country",
            [yellow],
        ).fetchall()
        assert facts == [
            ("DE", "spotify", "unknown", "unknown", 1200),
            ("FR", "spotify", "unknown", "unknown", 800),
            ("XW", "spotify", "unknown", "unknown", 5000),
        ]
        # worldwide is kept in the facts but never summed with the countries
        agg = cur.execute("SELECT country, sum(streams) FROM agg_daily GROUP BY 1 ORDER BY 1")
        assert agg.fetchall() == [("DE", 2800), ("FR", 800)]
        assert worldwide_streams(store, operator_scope(store)) == 5000  # said apart
        # a chart's absence is censoring: no day without a chart row got a row
        assert cur.execute("SELECT count(*), min(streams) FROM trend_facts").fetchone() == (5, 700)
    # the same file again is a no-op, as for `ingest`
    assert _import(db, str(chart), "--label", "Real Charts") == 0
    assert "already loaded" in capsys.readouterr().out


def test_file_without_region_needs_one(db: Path, tmp_path: Path, capsys) -> None:
    chart = _write(tmp_path, "us.csv", NO_REGION)
    assert _import(db, str(chart), "--label", "US") == 1
    err = capsys.readouterr().err
    assert "no Region column" in err and "--region" in err
    assert _import(db, str(chart), "--label", "US", "--region", "us") == 0
    with open_store(db, read_only=True) as store:
        cur = store.cursor()
        sheeran = placeholder_isrc("title:ed sheeran\x1fshape of you")
        rows = cur.execute(
            "SELECT date::VARCHAR, country, streams FROM trend_facts WHERE isrc = ? ORDER BY 1",
            [sheeran],
        ).fetchall()
        assert rows == [("2017-01-02", "US", 1000000), ("2017-01-03", "US", 1100000)]
        assert cur.execute("SELECT count(*) FROM catalog").fetchone()[0] == 2


def test_a_bad_region_is_refused_once_before_anything_is_written(db: Path, tmp_path, capsys):
    chart = _write(tmp_path, "us.csv", NO_REGION)
    assert _import(db, str(chart), "--label", "US", "--region", "xx") == 1
    err = capsys.readouterr().err
    assert "--region 'xx' is not a country code" in err and err.count("xx") == 1
    with open_store(db, read_only=True) as store:
        assert store.cursor().execute("SELECT count(*) FROM catalog").fetchone()[0] == 0
    assert _import(db, str(chart), "--label", "US", "--region", "global") == 0


def test_tracks_on_another_label_are_not_moved(db: Path, tmp_path: Path, capsys) -> None:
    chart = _write(tmp_path, "coldplay.csv", WITH_REGION)
    assert _import(db, str(chart), "--label", "Real Charts") == 0
    capsys.readouterr()
    # the same file under a mistyped label: refused, nothing moved (it said "already
    # loaded" and moved both tracks, and so who may see them, to the new label)
    assert _import(db, str(chart), "--label", "Real Chart") == 1
    err = capsys.readouterr().err
    assert "2 of its tracks are already in the catalog under another label" in err
    assert "--label 'Real Charts'" in err
    with open_store(db, read_only=True) as store:
        labels = store.cursor().execute("SELECT DISTINCT label FROM catalog").fetchall()
    assert labels == [("Real Charts",)]
    # a new file with one known track and one new one: refused as well
    more = WITH_REGION.replace("Fix You", "Viva la Vida").replace("7LVHVU", "1mea3b")
    assert _import(db, str(_write(tmp_path, "more.csv", more)), "--label", "Other") == 1
    assert "1 of its tracks" in capsys.readouterr().err


def test_label_is_required(db: Path, tmp_path: Path, capsys) -> None:
    chart = _write(tmp_path, "us.csv", NO_REGION)
    with pytest.raises(SystemExit) as exc:
        _import(db, str(chart), "--region", "us")
    assert exc.value.code == 2
    assert "--label" in capsys.readouterr().err


def test_bad_rows_follow_the_ingest_policy(db: Path, tmp_path: Path, capsys) -> None:
    bad = NO_REGION + "3,Starboy,The Weeknd,lots,2017-01-03\n,,,5,2017-01-03\n"
    chart = _write(tmp_path, "bad.csv", bad)
    assert _import(db, str(chart), "--label", "US", "--region", "us") == 1
    err = capsys.readouterr().err
    # the chart file, its own line numbers and column names (not the converted temporary
    # file's path and `streams` / `isrc` columns), and that nothing of it was written
    first = err.splitlines()[0]
    assert f"cannot load {chart}: 2 problems found" in first
    assert "nothing was loaded" in first and "labelradar-charts-" not in err
    assert "line 5, column Streams, value 'lots'" in err
    assert "line 6, column Track Name / Artist (or URL)" in err
    with open_store(db, read_only=True) as store:
        cur = store.cursor()
        assert cur.execute("SELECT count(*) FROM trend_facts").fetchone()[0] == 0
        # "rejected whole": its valid tracks were not left in the catalog either
        assert cur.execute("SELECT count(*) FROM catalog").fetchone()[0] == 0
        assert cur.execute("SELECT count(*) FROM loads").fetchone()[0] == 0
    assert _import(db, str(chart), "--label", "US", "--region", "us", "--accept-valid") == 0
    rejects = tmp_path / "bad.csv.rejects.csv"
    assert rejects.exists() and len(rejects.read_text().splitlines()) == 3  # header + 2
    with open_store(db, read_only=True) as store:
        assert store.cursor().execute("SELECT count(*) FROM trend_facts").fetchone()[0] == 3


def test_real_demo_says_when_the_data_is_absent(tmp_path: Path, monkeypatch, capsys) -> None:
    from data import realdemo

    monkeypatch.setattr(realdemo, "DEFAULT_ROOT", tmp_path / "nowhere")
    db = tmp_path / "real.duckdb"
    assert main(["demo", "--real", "--db", str(db), "--quiet"]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "no real chart data" in err
    assert not db.exists()


def test_real_demo_builds_a_real_store(tmp_path: Path, monkeypatch, capsys) -> None:
    from data import realdemo

    root = tmp_path / "realdata"
    (root / "spotify_daily_coldplay_2017").mkdir(parents=True)
    (root / "spotify_daily_us_2017").mkdir()
    (root / "spotify_daily_coldplay_2017" / "coldplay.csv").write_text(WITH_REGION)
    (root / "spotify_daily_us_2017" / "us_data.csv").write_text(NO_REGION)
    monkeypatch.setattr(realdemo, "DEFAULT_ROOT", root)
    db = tmp_path / "real.duckdb"
    assert main(["demo", "--real", "--db", str(db), "--quiet", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["synthetic"] is False and out["trend_rows"] == 8
    with open_store(db, read_only=True) as store:
        assert not store.is_demo and store.get_meta("real_charts") == "true"


def test_chart_floors_sum_the_cutoffs_of_whole_charts(db: Path, tmp_path: Path, monkeypatch):
    """The floor of a listed chart track (analytics/alerts/censoring.py) is the sum of the
    cutoffs (lowest listed streams) of the country charts listing it that day, over the
    charts delivered whole; the worldwide chart repeats the countries and is not counted."""
    from data.results import alerts as alerts_results

    assert _import(db, str(_write(tmp_path, "c.csv", WITH_REGION)), "--label", "L") == 0
    yellow = placeholder_isrc("spotify:3AJwUDP919kvQ9QcozQPxg")
    fix_you = placeholder_isrc("spotify:7LVHVU3tWfcxj5aiPFEW4Q")

    def floors(full_chart: int) -> dict:
        monkeypatch.setattr(alerts_results, "FULL_CHART", full_chart)
        with open_store(db, read_only=True) as store:
            df = alerts_results.chart_floors(store.cursor())
        return {(r.isrc, str(r.date)[:10]): r.floor for r in df.itertuples()}

    # Every chart whole: day 1 Yellow is the whole DE (1,200) and FR (800) charts; day 2
    # the DE chart lists Fix You (900) and Yellow (700): cutoff 700 for both.
    assert floors(1) == {
        (yellow, "2017-01-01"): 2000.0,
        (yellow, "2017-01-02"): 700.0,
        (fix_you, "2017-01-02"): 700.0,
    }
    # A chart day with fewer listed tracks is an extract, its lowest no cutoff: only DE
    # on day 2 lists two.
    assert floors(2) == {(yellow, "2017-01-02"): 700.0, (fix_you, "2017-01-02"): 700.0}


def test_rejects_need_a_writable_folder_before_anything_loads(
    db: Path, tmp_path, capsys, monkeypatch
):
    bad = NO_REGION + "3,Starboy,The Weeknd,lots,2017-01-03\n"
    src = tmp_path / "ro"
    src.mkdir()
    chart = _write(src, "bad.csv", bad)
    import app.cli.charts as charts_cli

    writable = charts_cli.os.access
    # a read-only folder (a read-only mount: root's chmod would not stop a write)
    monkeypatch.setattr(
        charts_cli.os, "access", lambda p, mode: Path(p) != src and writable(p, mode)
    )
    args = (str(chart), "--label", "US", "--region", "us", "--accept-valid")
    assert _import(db, *args) == 1
    err = capsys.readouterr().err
    assert "is read-only" in err and "--rejects-dir" in err
    with open_store(db, read_only=True) as store:
        assert store.cursor().execute("SELECT count(*) FROM trend_facts").fetchone()[0] == 0
    out = tmp_path / "rejects"
    out.mkdir()
    assert _import(db, *args, "--rejects-dir", str(out)) == 0
    assert len((out / "bad.csv.rejects.csv").read_text().splitlines()) == 2  # header + 1
    assert not (src / "bad.csv.rejects.csv").exists()


def test_an_interrupted_import_leaves_the_store_as_it_was(
    db: Path, tmp_path: Path, monkeypatch, capsys
) -> None:
    """Ctrl-C while the trend part is written: the catalog part, written just before in
    the same transaction, is rolled back with it."""
    from data.ingest import load

    real_write = load._write

    def interrupted(cur, source, compiled, **kw):
        if compiled.spec.kind == "trend":
            raise KeyboardInterrupt
        return real_write(cur, source, compiled, **kw)

    monkeypatch.setattr(load, "_write", interrupted)
    chart = _write(tmp_path, "us.csv", NO_REGION)
    assert _import(db, str(chart), "--label", "US", "--region", "us") == 130
    assert "nothing half-written was kept" in capsys.readouterr().err
    with open_store(db, read_only=True) as store:
        cur = store.cursor()
        for table in ("catalog", "trend_facts", "loads"):
            assert cur.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == 0, table
    monkeypatch.setattr(load, "_write", real_write)
    assert _import(db, str(chart), "--label", "US", "--region", "us") == 0  # loads whole
    with open_store(db, read_only=True) as store:
        cur = store.cursor()
        assert cur.execute("SELECT count(*) FROM catalog").fetchone()[0] == 2
        assert cur.execute("SELECT count(*) FROM trend_facts").fetchone()[0] == 3
