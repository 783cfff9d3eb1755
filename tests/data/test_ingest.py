"""Loading files: whole-file rejection, accept_valid, atomicity, idempotency, replace, upserts,
formats (CSV, gzip CSV, Parquet), malformed CSV, and text stored verbatim."""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import json

import pyarrow as pa
import pytest

from data import aggregates, audit, ingest
from data.ingest import validation as v
from data.store import open_store

TODAY = dt.date(2026, 6, 30)


def trend(store, path, **kw):
    return ingest.load_trend_report(store, path, today=TODAY, **kw)


def rows_of(store, sql, params=()):
    return store.cursor().execute(sql, list(params)).fetchall()


# -- a valid load --------------------------------------------------------------------------
def test_valid_load_writes_facts_loads_row_aggregates_and_audit(loaded, files, counts):
    rows = [
        files.trend_row(1, date="2026-01-01", streams="5"),
        files.trend_row(2, date="2026-01-03", dsp="apple_music", source="search", playlist_id=""),
        files.trend_row(3, date="2026-01-02", region="", listener_id=""),
    ]
    before = counts(loaded)
    result = trend(loaded, files.csv("report.csv", rows))
    assert result.kind == "trend" and not result.duplicate and result.rows_rejected == 0
    assert result.rows_loaded == 3 and result.rejects_file is None and result.replaced_rows == 0
    assert result.message == (
        "loaded 3 rows from report.csv (2026-01-01..2026-01-03, apple_music, spotify)"
    )
    after = counts(loaded)
    assert after["trend_facts"] == 3 and after["loads"] == before["loads"] + 1
    assert after["agg_daily"] > 0
    load = rows_of(
        loaded,
        "SELECT kind, file_name, rows_loaded, dsps, date_min, date_max, mode, loaded_by, "
        "length(content_hash) FROM loads WHERE load_id = ?",
        [result.load_id],
    )
    assert load == [
        (
            "trend",
            "report.csv",
            3,
            ["apple_music", "spotify"],
            dt.date(2026, 1, 1),
            dt.date(2026, 1, 3),
            "strict",
            "cli",
            64,
        )
    ]
    fact = rows_of(
        loaded,
        "SELECT date, dsp, isrc, country, region, age_band, source, playlist_id, listener_id, "
        "streams FROM trend_facts WHERE isrc = 'QZABC2600003'",
    )
    assert fact == [
        (
            dt.date(2026, 1, 2),
            "spotify",
            "QZABC2600003",
            "US",
            None,
            "18-24",
            "editorial_playlist",
            "pl1",
            None,
            3,
        )
    ]
    entries = audit.entries(loaded, entity="load", entity_id=str(result.load_id))
    assert list(entries["action"]) == ["ingest.trend"]
    assert json.loads(entries["after"].iloc[0])["rows_loaded"] == 3
    daily = rows_of(loaded, "SELECT sum(streams) FROM agg_daily")
    assert daily == [(10,)]


def test_commit_is_durable(tmp_path, files):
    path = tmp_path / "disk.duckdb"
    with open_store(path) as store:
        ingest.load_catalog(store, files.csv("c.csv", [files.catalog_row(1)]))
        trend(store, files.csv("t.csv", [files.trend_row(1)]))
    with open_store(path) as store:
        assert rows_of(store, "SELECT count(*) FROM trend_facts") == [(1,)]


def test_progress_reports_stages_up_to_done(loaded, files):
    seen = []
    trend(
        loaded, files.csv("t.csv", [files.trend_row(1)]), progress=lambda s, f: seen.append((s, f))
    )
    stages = [s.split(" ")[0] for s, _ in seen]
    assert stages[:3] == ["hashing", "reading", "validating"]
    assert "refreshing" in stages and seen[-1] == ("done", 1.0)
    fractions = [f for _, f in seen]
    assert fractions == sorted(fractions)


# -- whole-file rejection ------------------------------------------------------------------
def test_rejected_file_writes_nothing_and_lists_20_problems(loaded, files, counts):
    rows = [files.trend_row(1)] + [files.trend_row(1, streams="0") for _ in range(30)]
    before = counts(loaded)
    path = files.csv("bad.csv", rows)
    with pytest.raises(ingest.IngestError) as caught:
        trend(loaded, path)
    err = caught.value
    assert counts(loaded) == before
    assert err.total == 30 and len(err.problems) == 20
    text = str(err)
    assert text.splitlines()[0] == f"cannot load {path}: 30 problems found; nothing was loaded"
    assert "  line 3, column streams, value '0': must be an integer >= 1" in text
    assert text.splitlines()[-1] == "  ... and 10 more problems"
    assert [p.line for p in err.problems] == list(range(3, 23))


def test_long_values_are_truncated_to_80_characters(store, files):
    path = files.csv("c.csv", [files.catalog_row(1, track_title="é" * 500)])
    with pytest.raises(ingest.IngestError) as caught:
        ingest.load_catalog(store, path)
    (problem,) = caught.value.problems
    assert len(problem.value) == 80 and problem.value.endswith("...")


def test_line_numbers_count_newlines_inside_quoted_fields(loaded, files):
    rows = [
        files.trend_row(1, region="two\nlines"),
        files.trend_row(2, region="three\nlines\nhere"),
        files.trend_row(3, country="XX"),
    ]
    with pytest.raises(ingest.IngestError) as caught:
        trend(loaded, files.csv("t.csv", rows))
    (problem,) = caught.value.problems
    # header 1, row 1 on lines 2-3, row 2 on lines 4-6, row 3 on line 7
    assert (problem.line, problem.row, problem.column, problem.value) == (7, 2, "country", "XX")


def test_catalog_must_be_loaded_first(store, files, counts):
    before = counts(store)
    with pytest.raises(ingest.IngestError) as caught:
        trend(store, files.csv("t.csv", [files.trend_row(1)]))
    assert caught.value.problems[0].rule == v.RULE_CATALOG
    assert counts(store) == before


# -- accept_valid ----------------------------------------------------------------------------
def test_accept_valid_loads_good_rows_and_writes_rejects(loaded, files, counts):
    rows = [
        files.trend_row(1),
        files.trend_row(2, streams="0", country="uk"),
        files.trend_row(3, region="multi\nline"),
        files.trend_row(4, isrc="QZABC2699999", region='say "hi", <b>'),
    ]
    path = files.csv("report.csv", rows)
    result = trend(loaded, path, accept_valid=True)
    assert (result.rows_loaded, result.rows_rejected) == (2, 2)
    assert result.rejects_file == path.with_name("report.csv.rejects.csv")
    assert "rejected 2 invalid rows, see report.csv.rejects.csv" in result.message
    assert counts(loaded)["trend_facts"] == 2
    assert rows_of(
        loaded, "SELECT mode, rows_rejected FROM loads WHERE load_id = ?", [result.load_id]
    ) == [("accept_valid", 2)]
    with open(result.rejects_file, encoding="utf-8", newline="") as f:
        rejects = list(csv.DictReader(f))
    assert list(rejects[0]) == ["_line", "_reason", *files.TREND]
    assert [r["_line"] for r in rejects] == ["3", "6"]
    assert rejects[0]["_reason"] == (f"country: {v.RULE_COUNTRY}; streams: must be an integer >= 1")
    assert rejects[1]["_reason"] == f"isrc: {v.RULE_CATALOG}"
    assert rejects[1]["region"] == 'say "hi", <b>'  # original values, verbatim
    assert rejects[0]["streams"] == "0" and rejects[0]["country"] == "uk"


def test_accept_valid_parquet_rejects_use_row_numbers(loaded, files):
    rows = [files.trend_row(i) for i in range(1, 4)]
    rows[2]["gender"] = "x"
    result = trend(loaded, files.parquet("t.parquet", rows), accept_valid=True)
    assert (result.rows_loaded, result.rows_rejected) == (2, 1)
    with open(result.rejects_file, encoding="utf-8", newline="") as f:
        (reject,) = list(csv.DictReader(f))
    assert reject["_line"] == "2" and reject["gender"] == "x"


def test_accept_valid_without_problems_writes_no_rejects_file(loaded, files):
    path = files.csv("t.csv", [files.trend_row(1)])
    result = trend(loaded, path, accept_valid=True)
    assert result.rejects_file is None and not path.with_name("t.csv.rejects.csv").exists()


# -- atomicity ------------------------------------------------------------------------------
@pytest.mark.parametrize("error", [RuntimeError("disk on fire"), KeyboardInterrupt()])
def test_failure_half_way_leaves_every_table_unchanged(loaded, files, counts, monkeypatch, error):
    trend(loaded, files.csv("first.csv", [files.trend_row(1)]))
    before = counts(loaded)
    calls = []

    def failing_refresh(cur, lo, hi, dsps=None):
        # the old row is deleted and the new ones are in when the failure strikes
        calls.append(cur.execute("SELECT count(*) FROM trend_facts").fetchone()[0])
        raise error

    monkeypatch.setattr(aggregates, "refresh", failing_refresh)
    path = files.csv("second.csv", [files.trend_row(i) for i in range(1, 4)])
    with pytest.raises(type(error)):
        trend(loaded, path, replace=True)
    assert calls == [3]
    assert counts(loaded) == before
    monkeypatch.undo()
    # the store is usable, and the same file loads (it was not recorded as loaded)
    assert trend(loaded, path).rows_loaded == 3


def test_failure_in_audit_rolls_back_catalog_upsert(store, files, counts, monkeypatch):
    ingest.load_catalog(store, files.csv("a.csv", [files.catalog_row(1)]))
    before = counts(store)

    def boom(*a, **k):
        raise RuntimeError("audit down")

    monkeypatch.setattr(audit, "record", boom)
    with pytest.raises(RuntimeError):
        ingest.load_catalog(store, files.csv("b.csv", [files.catalog_row(1, track_title="New")]))
    assert counts(store) == before
    assert rows_of(store, "SELECT track_title FROM catalog") == [("Track 1",)]


def test_failed_accept_valid_load_leaves_no_rejects_file(loaded, files, monkeypatch):
    monkeypatch.setattr(aggregates, "refresh", lambda *a: (_ for _ in ()).throw(RuntimeError()))
    path = files.csv("t.csv", [files.trend_row(1), files.trend_row(2, streams="x")])
    with pytest.raises(RuntimeError):
        trend(loaded, path, accept_valid=True)
    assert sorted(p.name for p in path.parent.iterdir() if "rejects" in p.name) == []


# -- idempotency -----------------------------------------------------------------------------
def test_same_content_twice_is_a_no_op(loaded, files, counts):
    path = files.csv("t.csv", [files.trend_row(1)])
    first = trend(loaded, path)
    before = counts(loaded)
    copy = path.with_name("renamed.csv")
    copy.write_bytes(path.read_bytes())
    for again_path in (path, copy):
        again = trend(loaded, again_path)
        assert again.duplicate and again.load_id == first.load_id and again.rows_loaded == 0
        assert (
            again.message
            == f"{again_path.name} was already loaded (load {first.load_id}): nothing to do"
        )
    assert counts(loaded) == before


def test_a_gzipped_copy_is_the_same_content(loaded, files, counts):
    path = files.csv("t.csv", [files.trend_row(1)])
    first = trend(loaded, path)
    before = counts(loaded)
    gz = path.with_name("t-copy.csv.gz")
    gz.write_bytes(gzip.compress(path.read_bytes(), mtime=1))
    again = trend(loaded, gz)  # it loaded again and doubled every figure
    assert again.duplicate and again.load_id == first.load_id and again.rows_loaded == 0
    # and the other way round: a gzip first, then the same bytes plain (another recompression
    # of it too, whose compressed bytes differ)
    other = files.csv("u.csv", [files.trend_row(2)])
    other_gz = other.with_name("u.csv.gz")
    other_gz.write_bytes(gzip.compress(other.read_bytes(), mtime=2))
    loaded_gz = trend(loaded, other_gz)
    assert not loaded_gz.duplicate and loaded_gz.rows_loaded == 1
    assert trend(loaded, other).duplicate
    recompressed = other.with_name("u2.csv.gz")
    recompressed.write_bytes(gzip.compress(other.read_bytes(), compresslevel=1, mtime=3))
    assert trend(loaded, recompressed).duplicate
    after = counts(loaded)
    assert after["trend_facts"] == before["trend_facts"] + 1  # u.csv's row, once


def test_same_content_as_another_kind_is_not_a_duplicate(store, files):
    """The hash is per kind: only a load of the same kind makes a file a duplicate."""
    path = files.csv("c.csv", [files.catalog_row(1)])
    ingest.load_catalog(store, path)
    with pytest.raises(ingest.IngestError):
        ingest.load_campaigns(store, path)  # wrong columns, but not "already loaded"


# -- overlap and replace ----------------------------------------------------------------------
def _days(files, name, dsp, days, streams="1", **kw):
    rows = [
        files.trend_row(1, date=f"2026-01-{d:02d}", dsp=dsp, streams=streams, **kw) for d in days
    ]
    return files.csv(name, rows)


def test_overlap_without_replace_adds_rows(loaded, files):
    trend(loaded, _days(files, "a.csv", "spotify", [1, 2]))
    trend(loaded, _days(files, "b.csv", "spotify", [2, 3], country="GB"))
    assert rows_of(loaded, "SELECT count(*) FROM trend_facts") == [(4,)]


def test_overlap_without_replace_says_which_cells_are_counted_twice(loaded, files):
    """Same DSP, days and listener group as an earlier load (a corrected re-delivery loaded
    without --replace): both are counted, and the load says so, naming the earlier load."""
    a = trend(loaded, _days(files, "a.csv", "spotify", [1, 2, 3], streams="10"))
    other_group = trend(loaded, _days(files, "g.csv", "spotify", [1, 2], country="GB"))
    assert other_group.overlapping_rows == 0 and "Warning" not in other_group.message
    again = trend(loaded, _days(files, "a-fixed.csv", "spotify", [2, 3, 4], streams="12"))
    assert again.overlapping_rows == 2  # days 2 and 3; day 4 is new
    assert again.message.endswith(
        f". Warning: 2 rows repeat cells that load {a.load_id} already holds (same DSP, day, "
        "track, country and listener group): both are counted. If this file corrects that "
        f"delivery, remove this load (`labelradar doctor --drop-load {again.load_id}`) and "
        "load the file again with --replace"
    )
    assert rows_of(loaded, "SELECT sum(streams) FROM trend_facts WHERE dsp = 'spotify'") == [
        (30 + 2 + 36,)
    ]
    entry = audit.entries(loaded, entity="load").iloc[-1]
    assert json.loads(entry["after"])["overlapping_loads"] == [a.load_id]
    elsewhere = trend(loaded, _days(files, "d.csv", "deezer", [1, 2, 3], streams="10"))
    assert elsewhere.overlapping_rows == 0  # another DSP's same days are no repeat
    fixed = trend(loaded, _days(files, "a2.csv", "spotify", [1, 2], streams="9"), replace=True)
    assert fixed.overlapping_rows == 0 and "Warning" not in fixed.message


def test_replace_swaps_out_earlier_rows_of_the_same_dsp_and_dates(loaded, files):
    a = trend(loaded, _days(files, "a.csv", "spotify", [1, 2, 3], streams="10"))
    b = trend(loaded, _days(files, "b.csv", "spotify", [4, 5], streams="10"))
    other = trend(loaded, _days(files, "c.csv", "deezer", [1, 2, 3], streams="7"))
    fixed = trend(loaded, _days(files, "a2.csv", "spotify", [1, 2, 3], streams="20"), replace=True)
    assert fixed.replaced_rows == 3
    assert "replacing 3 earlier rows" in fixed.message
    superseded = dict(
        rows_of(loaded, "SELECT load_id, superseded_by FROM loads WHERE kind = 'trend'")
    )
    assert superseded == {
        a.load_id: fixed.load_id,
        b.load_id: None,
        other.load_id: None,
        fixed.load_id: None,
    }
    per_dsp = rows_of(loaded, "SELECT dsp, sum(streams) FROM trend_facts GROUP BY dsp ORDER BY dsp")
    assert per_dsp == [("deezer", 21), ("spotify", 80)]  # 3*20 new + 2*10 untouched days
    # aggregates follow the facts
    assert (
        rows_of(loaded, "SELECT dsp, sum(streams) FROM agg_daily GROUP BY dsp ORDER BY dsp")
        == per_dsp
    )
    mode = rows_of(loaded, "SELECT mode FROM loads WHERE load_id = ?", [fixed.load_id])
    assert mode == [("replace",)]
    entry = audit.entries(loaded, entity="load", entity_id=str(fixed.load_id))
    assert json.loads(entry["before"].iloc[0]) == {
        "replaced_rows": 3,
        "superseded_loads": [a.load_id],
    }


def test_partial_replace_does_not_supersede(loaded, files):
    a = trend(loaded, _days(files, "a.csv", "spotify", [1, 2, 3, 4]))
    fixed = trend(loaded, _days(files, "fix.csv", "spotify", [2, 3], streams="5"), replace=True)
    assert fixed.replaced_rows == 2
    assert rows_of(loaded, "SELECT superseded_by FROM loads WHERE load_id = ?", [a.load_id]) == [
        (None,)
    ]
    assert rows_of(loaded, "SELECT count(*), sum(streams) FROM trend_facts") == [(4, 12)]


def test_superseded_content_can_be_loaded_again(loaded, files):
    path = _days(files, "a.csv", "spotify", [1])
    trend(loaded, path)
    trend(loaded, _days(files, "fix.csv", "spotify", [1], streams="9"), replace=True)
    again = trend(loaded, path, replace=True)
    assert not again.duplicate and again.replaced_rows == 1


# -- catalog and campaigns -------------------------------------------------------------------
def test_catalog_upserts_by_isrc_and_never_deletes(store, files):
    first = ingest.load_catalog(
        store, files.csv("c1.csv", [files.catalog_row(i) for i in (1, 2, 3)])
    )
    assert first.message == "loaded 3 catalog rows from c1.csv (3 new, 0 updated)"
    second = ingest.load_catalog(
        store,
        files.csv(
            "c2.csv",
            [files.catalog_row(2, track_title="Fixed Title", genre="JAZZ"), files.catalog_row(4)],
        ),
    )
    assert second.message == "loaded 2 catalog rows from c2.csv (1 new, 1 updated)"
    rows = rows_of(store, "SELECT isrc, track_title, genre, load_id FROM catalog ORDER BY isrc")
    assert rows == [
        ("QZABC2600001", "Track 1", "pop", first.load_id),
        ("QZABC2600002", "Fixed Title", "jazz", second.load_id),
        ("QZABC2600003", "Track 3", "pop", first.load_id),
        ("QZABC2600004", "Track 4", "pop", second.load_id),
    ]
    entry = audit.entries(store, entity="load", entity_id=str(second.load_id))
    after = json.loads(entry["after"].iloc[0])
    assert (entry["action"].iloc[0], after["rows_new"], after["rows_updated"]) == (
        "ingest.catalog",
        1,
        1,
    )


def test_campaigns_load_and_upsert(loaded, files):
    rows = [
        files.campaign_row(1),
        files.campaign_row(2, impressions="", clicks="", reach="", spend_usd="0"),
    ]
    first = ingest.load_campaigns(loaded, files.csv("camp.csv", rows))
    assert first.kind == "campaigns" and first.rows_loaded == 2
    again = ingest.load_campaigns(
        loaded,
        files.csv("camp2.csv", [files.campaign_row(1, spend_usd="99.999", platform="tiktok")]),
    )
    assert again.message == "loaded 1 campaign from camp2.csv (0 new, 1 updated)"
    rows = rows_of(
        loaded,
        "SELECT campaign_id, platform, start_date, spend_usd::VARCHAR, impressions, clicks, reach "
        "FROM campaigns ORDER BY 1",
    )
    assert rows == [
        ("cmp-1", "tiktok", dt.date(2026, 1, 1), "100.00", 100000, 2000, 50000),
        ("cmp-2", "meta", dt.date(2026, 1, 1), "0.00", None, None, None),
    ]


def test_campaign_optional_columns_may_be_absent(loaded, files):
    columns = [c for c in files.CAMPAIGNS if c not in ("impressions", "clicks", "reach")]
    result = ingest.load_campaigns(loaded, files.csv("c.csv", [files.campaign_row(1)], columns))
    assert result.rows_loaded == 1


# -- formats ---------------------------------------------------------------------------------
def test_gzip_csv(loaded, files):
    plain = files.csv("t.csv", [files.trend_row(1), files.trend_row(2)])
    gz = plain.with_name("t.csv.gz")
    gz.write_bytes(gzip.compress(plain.read_bytes()))
    assert trend(loaded, gz).rows_loaded == 2
    bad = files.csv("b.csv", [files.trend_row(1), files.trend_row(2, region="a\nb", os="beos")])
    bad_gz = bad.with_name("b.csv.gz")
    bad_gz.write_bytes(gzip.compress(bad.read_bytes()))
    with pytest.raises(ingest.IngestError) as caught:
        trend(loaded, bad_gz)
    (problem,) = caught.value.problems
    assert (problem.line, problem.column) == (3, "os")


def test_parquet_typed_columns(loaded, files):
    table = pa.table(
        {
            "date": pa.array([dt.date(2026, 1, 1), dt.date(2026, 1, 2)], pa.date32()),
            "dsp": ["spotify", "tidal"],
            "isrc": ["QZABC2600001", "QZABC2600002"],
            "country": ["US", "SE"],
            "age_band": pa.array(["65+", "unknown"]).dictionary_encode(),
            "gender": ["male", "nonbinary"],
            "subscription": ["free", "trial"],
            "device": ["car", "tv"],
            "os": ["linux", "other"],
            "source": ["radio", "chart"],
            "playlist_id": [None, "pl"],
            "streams": pa.array([3, 4], pa.int32()),
        }
    )
    result = trend(loaded, files.parquet("t.parquet", table))
    assert result.rows_loaded == 2
    assert rows_of(loaded, "SELECT sum(streams), count(region) FROM trend_facts") == [(7, 0)]


def test_parquet_problems_name_0_based_rows(loaded, files):
    rows = [files.trend_row(i) for i in range(1, 6)]
    rows[3]["dsp"] = "Bad DSP"
    table = pa.Table.from_pylist(rows).set_column(
        13, "streams", pa.array([1, 2, 3, 4, 0], pa.int64())
    )
    path = files.parquet("t.parquet", table)
    with pytest.raises(ingest.IngestError) as caught:
        trend(loaded, path)
    err = caught.value
    assert [(p.line, p.row, p.column, p.value) for p in err.problems] == [
        (None, 3, "dsp", "Bad DSP"),
        (None, 4, "streams", "0"),
    ]
    assert "  row 3, column dsp, value 'Bad DSP': must be a lower-case slug" in str(err)


def test_parquet_future_date_and_wrong_types(loaded, files):
    table = pa.table(
        {
            **{c: [files.trend_row(1)[c]] * 2 for c in files.TREND if c not in ("date", "streams")},
            "date": pa.array([dt.date(2026, 1, 1), dt.date(2027, 1, 1)], pa.date32()),
            "streams": pa.array([1.0, 2.5], pa.float64()),
        }
    )
    with pytest.raises(ingest.IngestError) as caught:
        trend(loaded, files.parquet("t.parquet", table))
    got = [(p.row, p.column, p.rule) for p in caught.value.problems]
    assert got == [
        (0, "streams", "must be an integer >= 1"),
        (1, "date", v.RULE_FUTURE),
        (1, "streams", "must be an integer >= 1"),
    ]


def test_not_a_parquet_file(loaded, files):
    path = files.text("t.parquet", "PAR1 but not really")
    with pytest.raises(ingest.IngestError) as caught:
        trend(loaded, path)
    assert "not a readable Parquet file" in str(caught.value)


def test_missing_file(store, tmp_path):
    with pytest.raises(ingest.IngestError) as caught:
        ingest.load_catalog(store, tmp_path / "nope.csv")
    assert str(caught.value).startswith(f"cannot load {tmp_path / 'nope.csv'}: file not found")


# -- columns -----------------------------------------------------------------------------------
def test_extra_columns_are_an_error_unless_ignored(loaded, files, counts):
    rows = [{**files.trend_row(1), "note": "x", "tenant": "y"}]
    path = files.csv("t.csv", rows, [*reversed(files.TREND), "note", "tenant"])
    before = counts(loaded)
    with pytest.raises(ingest.IngestError) as caught:
        trend(loaded, path)
    assert [(p.line, p.column) for p in caught.value.problems] == [(1, "note"), (1, "tenant")]
    assert "unknown column" in caught.value.problems[0].rule
    assert caught.value.problems[0].rule.endswith("load with --ignore-extra to skip it")
    assert counts(loaded) == before
    result = trend(loaded, path, ignore_extra=True)
    assert result.rows_loaded == 1


def test_extra_parquet_columns(loaded, files):
    path = files.parquet("t.parquet", [{**files.trend_row(1), "extra": 1}])
    with pytest.raises(ingest.IngestError) as caught:
        trend(loaded, path)
    assert [(p.line, p.row, p.column) for p in caught.value.problems] == [(None, None, "extra")]
    assert trend(loaded, path, ignore_extra=True).rows_loaded == 1


def test_missing_required_column_and_optional_columns(loaded, files):
    no_streams = [c for c in files.TREND if c != "streams"]
    with pytest.raises(ingest.IngestError) as caught:
        trend(loaded, files.csv("t.csv", [files.trend_row(1)], no_streams))
    assert [(p.column, p.rule) for p in caught.value.problems] == [
        ("streams", "required column is missing")
    ]
    required = [c for c in files.TREND if c in v.TREND.required]
    assert trend(loaded, files.csv("r.csv", [files.trend_row(1)], required)).rows_loaded == 1


def test_duplicate_header_column(loaded, files):
    path = files.text("t.csv", ",".join([*files.TREND, "dsp"]) + "\n")
    with pytest.raises(ingest.IngestError) as caught:
        trend(loaded, path)
    assert [(p.line, p.column) for p in caught.value.problems][0] == (1, "dsp")


# -- malformed CSV ---------------------------------------------------------------------------
HEADER = ",".join(c.name for c in v.TREND.columns)
GOOD = "2026-01-01,spotify,QZABC2600001,US,,18-24,male,free,mobile,ios,search,,,5"


@pytest.mark.parametrize(
    ("content", "line", "rule"),
    [
        (b"", 1, "the file is empty"),
        (b"\n\n", 1, "the file is empty"),
        (f"{HEADER}\n{GOOD}\n{GOOD},7\n".encode(), 3, "expected 14 fields, found 15"),
        (f"{HEADER}\n{GOOD}\n2026-01-01,spotify\n".encode(), 3, "expected 14 fields, found 2"),
        (
            f'{HEADER}\n{GOOD}\n"a\nb",x\n{GOOD}\n'.encode(),
            3,
            "expected 14 fields, found 2",
        ),
        (f'{HEADER}\n{GOOD}\n2026-01-01,"spotify\n'.encode(), 3, "quoted field is not closed"),
        (f"{HEADER}\n{GOOD}\n{GOOD[:-1]}\xff\n".encode("latin-1"), 3, "not UTF-8"),
        (f"{HEADER}\n".encode()[:-1] + b"\xe9\n", 1, "not UTF-8"),
    ],
    ids=[
        "empty",
        "blank",
        "too-many",
        "too-few",
        "multiline-too-few",
        "open-quote",
        "latin1",
        "header-latin1",
    ],
)
def test_malformed_csv_names_the_line(loaded, files, counts, content, line, rule):
    before = counts(loaded)
    path = files.text("m.csv", content)
    for accept_valid in (False, True):
        with pytest.raises(ingest.IngestError) as caught:
            trend(loaded, path, accept_valid=accept_valid)
        problem = caught.value.problems[0]
        assert problem.line == line, str(caught.value)
        assert rule in problem.rule, str(caught.value)
        assert "Traceback" not in str(caught.value) and "Possible fixes" not in str(caught.value)
    assert counts(loaded) == before


def test_no_header_row(loaded, files):
    with pytest.raises(ingest.IngestError) as caught:
        trend(loaded, files.text("t.csv", f"{GOOD}\n{GOOD}\n"))
    assert "no header row" in str(caught.value)


def test_header_only_loads_nothing(loaded, files):
    result = trend(loaded, files.text("t.csv", HEADER + "\n"))
    assert result.rows_loaded == 0 and result.message == "loaded 0 rows from t.csv"


def test_crlf_bom_and_blank_lines(loaded, files):
    content = "\ufeff" + HEADER + "\r\n" + GOOD + "\r\n\r\n" + GOOD.replace(",5", ",x") + "\r\n"
    with pytest.raises(ingest.IngestError) as caught:
        trend(loaded, files.text("t.csv", content))
    (problem,) = caught.value.problems
    assert (problem.line, problem.row, problem.column) == (4, 1, "streams")


# -- text is data -------------------------------------------------------------------------------
NASTY = [
    'Say "Hello", World',
    "<script>alert('x')</script>",
    "Robert'); DROP TABLE catalog; --",
    "🎵🔥 emoji",
    "שלום עולם \u202eRTL",
    "line one\nline two\r\nthree",
    "comma, separated, title",
    "  padded  ",
    "NULL",
    "back\\slash \t tab",
]


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_text_is_stored_verbatim(store, files, fmt):
    rows = [
        files.catalog_row(i + 1, track_title=t, artist_name=t, label=t, genre="")
        for i, t in enumerate(NASTY)
    ]
    path = files.csv("c.csv", rows) if fmt == "csv" else files.parquet("c.parquet", rows)
    result = ingest.load_catalog(store, path)
    assert result.rows_loaded == len(NASTY)
    stored = rows_of(store, "SELECT track_title, artist_name, label FROM catalog ORDER BY isrc")
    assert stored == [(t, t, t) for t in NASTY]
    assert rows_of(store, "SELECT count(*) FROM catalog") == [(len(NASTY),)]


def test_nasty_text_in_error_messages_and_rejects(loaded, files):
    region = "<script>\n'; DROP TABLE trend_facts; --"
    rows = [files.trend_row(1), files.trend_row(2, region=region, streams="-1")]
    path = files.csv("t.csv", rows)
    with pytest.raises(ingest.IngestError) as caught:
        trend(loaded, path)
    assert len(str(caught.value).splitlines()) == 2  # the value cannot break the message
    result = trend(loaded, path, accept_valid=True)
    with open(result.rejects_file, encoding="utf-8", newline="") as f:
        (reject,) = list(csv.DictReader(f))
    assert reject["region"] == region and reject["_line"] == "3"
    assert rows_of(loaded, "SELECT count(*) FROM trend_facts") == [(1,)]


@pytest.mark.parametrize("region", ["plain", "two\nlines"])
def test_line_numbers_for_large_files(loaded, files, monkeypatch, region):
    """Past LINE_SCAN_LIMIT rows, line = row + 2 when no record spans lines (counted)."""
    from data.ingest import diagnose

    monkeypatch.setattr(diagnose, "LINE_SCAN_LIMIT", 0)
    rows = [files.trend_row(1, region=region), files.trend_row(2), files.trend_row(3, os="x")]
    path = files.csv("t.csv", rows)
    expected = 4 if region == "plain" else 5
    with pytest.raises(ingest.IngestError) as caught:
        trend(loaded, path)
    assert caught.value.problems[0].line == expected
    result = trend(loaded, path, accept_valid=True)
    with open(result.rejects_file, encoding="utf-8", newline="") as f:
        assert [r["_line"] for r in csv.DictReader(f)] == [str(expected)]
