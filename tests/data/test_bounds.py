"""Upper bounds of the input (docs/spec-bounds.md): values that would overflow the store's
sums are rejected per row, and a store cannot outgrow the bound that proves its sums fit."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pytest

from data import ingest
from data.ingest import specs
from data.ingest import write as ingest_write
from data.inventory import checksums

TODAY = dt.date(2026, 6, 30)


def _trend(store, path, **kw):
    return ingest.load_trend_report(store, path, today=TODAY, **kw)


def test_huge_streams_on_twelve_rows_are_rejected_per_row(loaded, files):
    rows = [files.trend_row(1, streams="999999999999999999") for _ in range(12)]
    before = checksums(loaded)
    with pytest.raises(ingest.IngestError) as caught:
        _trend(loaded, files.csv("huge.csv", rows))
    err = caught.value
    assert err.total == 12
    first = err.problems[0]
    assert (first.line, first.column, first.value) == (2, "streams", "999999999999999999")
    assert "must be at most 1,000,000,000" in first.rule
    assert checksums(loaded) == before


def test_int64_max_in_parquet_is_rejected(loaded, files):
    row = files.trend_row(1)
    table = pa.table({**{k: [v] for k, v in row.items() if k != "streams"}, "streams": [2**63 - 1]})
    before = checksums(loaded)
    with pytest.raises(ingest.IngestError) as caught:
        _trend(loaded, files.parquet("max.parquet", table))
    (problem,) = caught.value.problems
    assert (problem.row, problem.column, problem.value) == (0, "streams", str(2**63 - 1))
    assert "must be at most" in problem.rule
    assert checksums(loaded) == before


def test_the_bound_itself_loads_and_aggregates(loaded, files):
    rows = [files.trend_row(1, streams=str(specs.MAX_STREAMS), region=f"r{i}") for i in range(12)]
    result = _trend(loaded, files.csv("big.csv", rows))
    assert result.rows_loaded == 12
    total = loaded.cursor().execute("SELECT sum(streams) FROM agg_daily").fetchone()[0]
    assert total == 12 * specs.MAX_STREAMS


def test_accept_valid_keeps_rows_within_the_bound(loaded, files):
    rows = [files.trend_row(1, streams="5"), files.trend_row(2, streams="1000000001")]
    result = _trend(loaded, files.csv("mixed.csv", rows), accept_valid=True)
    assert (result.rows_loaded, result.rows_rejected) == (1, 1)


def test_bounds_prove_sums_fit_bigint():
    assert specs.MAX_STREAMS * specs.MAX_TREND_ROWS < 2**63 - 1


def test_a_load_past_the_store_bound_is_rejected_whole(loaded, files, monkeypatch):
    monkeypatch.setattr(ingest_write, "MAX_TREND_ROWS", 2)
    _trend(loaded, files.csv("a.csv", [files.trend_row(1), files.trend_row(2)]))
    before = checksums(loaded)
    with pytest.raises(ingest.IngestError, match="more than its bound of 2"):
        _trend(loaded, files.csv("b.csv", [files.trend_row(3)]))
    assert checksums(loaded) == before
