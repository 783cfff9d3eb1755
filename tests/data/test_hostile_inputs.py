"""Hostile and malformed input files, generated: each is rejected with a clear IngestError
that leaves every table of the store exactly as it was (count and hash of all rows), or is
explicitly accepted with its text stored verbatim. After all of them the same store still
loads a good file, refreshes, lists users and describes itself."""

from __future__ import annotations

import datetime as dt
import gzip
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pytest

from app.cli import main
from data import ingest
from data.inventory import checksums
from data.store import open_store
from tests.data.conftest import InputFiles, campaign_row, catalog_row, trend_row

TODAY = dt.date(2026, 6, 30)
SQL_INJECTION = "x'); DROP TABLE trend_facts; --"
HTML = "<script>alert('x')</script><b>bold</b>"
MARKDOWN = "**bold** [click](javascript:alert(1)) | table |"
FORMULA = '=HYPERLINK("http://evil.example","open me")'


@dataclass(frozen=True)
class Case:
    name: str
    kind: str  # catalog | trend | campaigns
    make: Callable[[InputFiles], Path]
    reject: str | None  # a text the IngestError must contain; None = accepted
    stored: tuple[str, str] | None = None  # accepted: (column, value) stored verbatim


def _csv(kind: str, **overrides: str) -> Callable[[InputFiles], Path]:
    row = {"catalog": catalog_row, "trend": trend_row, "campaigns": campaign_row}[kind]

    def make(files: InputFiles) -> Path:
        first = row(9) if kind == "catalog" else row(1)
        return files.csv(
            f"{kind}.csv", [first, row(2) | overrides] if kind != "catalog" else [first | overrides]
        )

    return make


def _trend(**overrides: str) -> Callable[[InputFiles], Path]:
    return _csv("trend", **overrides)


def _bytes(transform: Callable[[bytes], bytes], suffix: str = ".csv") -> Callable:
    """A good two-row trend CSV, its bytes transformed."""

    def make(files: InputFiles) -> Path:
        good = files.csv("base.csv", [trend_row(1), trend_row(2)]).read_bytes()
        return files.text(f"t{suffix}", transform(good))

    return make


def _gz(transform: Callable[[bytes], bytes] = lambda b: b, **overrides: str) -> Callable:
    def make(files: InputFiles) -> Path:
        plain = files.csv("base.csv", [trend_row(1), trend_row(2) | overrides]).read_bytes()
        return files.text("t.csv.gz", transform(gzip.compress(plain)))

    return make


def _parquet(**columns: pa.Array) -> Callable[[InputFiles], Path]:
    def make(files: InputFiles) -> Path:
        base = trend_row(1)
        table = {k: pa.array([v]) for k, v in base.items() if k not in columns}
        table.update(columns)
        return files.parquet("t.parquet", pa.table(table))

    return make


def _raw_parquet(transform: Callable[[bytes], bytes]) -> Callable[[InputFiles], Path]:
    def make(files: InputFiles) -> Path:
        good = files.parquet("base.parquet", [trend_row(1)]).read_bytes()
        return files.text("t.parquet", transform(good))

    return make


def _sub(old: bytes, new: bytes) -> Callable[[bytes], bytes]:
    return lambda b: b.replace(old, new, 1)


AT_MOST = "must be at most 1,000,000,000"
INTEGER = "must be an integer >= 1"
NOT_UTF8 = "not UTF-8"
CASES = [
    # streams: huge, negative, not a number, not an integer
    Case("streams-huge", "trend", _trend(streams="999999999999999999"), AT_MOST),
    Case("streams-int64-max", "trend", _trend(streams=str(2**63 - 1)), INTEGER),
    Case("streams-over-int64", "trend", _trend(streams=str(2**64)), INTEGER),
    Case("streams-negative", "trend", _trend(streams="-5"), INTEGER),
    Case("streams-zero", "trend", _trend(streams="0"), INTEGER),
    Case("streams-nan", "trend", _trend(streams="NaN"), INTEGER),
    Case("streams-inf", "trend", _trend(streams="inf"), INTEGER),
    Case("streams-float", "trend", _trend(streams="1.5"), INTEGER),
    Case("streams-exponent", "trend", _trend(streams="1e3"), INTEGER),
    Case("streams-spaces", "trend", _trend(streams=" 7 "), INTEGER),
    # dates
    Case("date-future", "trend", _trend(date="2999-01-01"), "must not be in the future"),
    Case("date-zero", "trend", _trend(date="0000-00-00"), "YYYY-MM-DD"),
    Case("date-1900", "trend", _trend(date="1900-01-01"), "must not be before 2000-01-01"),
    Case("date-feb-30", "trend", _trend(date="2026-02-30"), "YYYY-MM-DD"),
    Case("date-us-format", "trend", _trend(date="01/02/2026"), "YYYY-MM-DD"),
    # vocabularies
    Case("enum-gender", "trend", _trend(gender="man"), "must be one of"),
    Case("enum-device-case", "trend", _trend(device="PHONE"), "must be one of"),
    Case("enum-source", "trend", _trend(source="'; DROP TABLE x; --"), "must be one of"),
    Case("country-unknown", "trend", _trend(country="XX"), "ISO 3166-1"),
    Case("dsp-injection", "trend", _trend(dsp=SQL_INJECTION), "slug"),
    Case("isrc-injection", "trend", _trend(isrc=SQL_INJECTION), "must be an ISRC"),
    # text is data: stored verbatim, never run
    Case("region-sql", "trend", _trend(region=SQL_INJECTION), None, ("region", SQL_INJECTION)),
    Case("region-html", "trend", _trend(region=HTML), None, ("region", HTML)),
    Case("region-markdown", "trend", _trend(region=MARKDOWN), None, ("region", MARKDOWN)),
    Case("region-formula", "trend", _trend(region=FORMULA), None, ("region", FORMULA)),
    Case("region-emoji-rtl", "trend", _trend(region="🎧 عربي"), None, ("region", "🎧 عربي")),
    Case("region-nul", "trend", _trend(region="New\x00York"), "NUL character"),
    # CSV structure and encodings
    Case("bad-quote", "trend", _bytes(_sub(b",New York", b',"New York')), "quoted field"),
    Case(
        "quote-mid-field",
        "trend",
        _bytes(_sub(b"New York", b'New "York')),
        None,
        ("region", 'New "York'),
    ),
    Case("too-many-fields", "trend", _bytes(_sub(b",1\n", b",1,extra\n")), "fields"),
    Case("too-few-fields", "trend", _bytes(_sub(b",listener1,1\n", b"\n")), "fields"),
    Case("latin-1", "trend", _bytes(_sub(b"New York", "Zoë".encode("latin-1"))), NOT_UTF8),
    Case("utf-16", "trend", _bytes(lambda b: b.decode().encode("utf-16")), NOT_UTF8),
    Case("utf-8-bom", "trend", _bytes(lambda b: b"\xef\xbb\xbf" + b), None, ("region", "New York")),
    Case("crlf", "trend", _bytes(lambda b: b.replace(b"\n", b"\r\n")), None, ("os", "ios")),
    Case("empty", "trend", _bytes(lambda b: b""), "empty"),
    Case("blank-lines", "trend", _bytes(lambda b: b"\n\n\n"), "empty"),
    Case("header-only", "trend", _bytes(lambda b: b.split(b"\n")[0] + b"\n"), None),
    Case("no-header", "trend", _bytes(lambda b: b.split(b"\n", 1)[1]), "no header row"),
    Case("duplicate-column", "trend", _bytes(_sub(b"region", b"country")), "occurs twice"),
    Case("unknown-column", "trend", _bytes(_sub(b"region", b"regio")), "unknown column"),
    Case("line-10-mb", "trend", _bytes(_sub(b"New York", b"x" * (10 << 20))), "too long"),
    Case("binary", "trend", _bytes(lambda b: bytes(range(256)) * 64), "header"),
    # CSV.gz
    Case("gz-huge-streams", "trend", _gz(streams="999999999999999999"), AT_MOST),
    Case("gz-truncated", "trend", _gz(lambda z: z[: len(z) // 2]), "cannot load"),
    Case("gz-garbage-after-magic", "trend", _gz(lambda z: z[:10] + b"\x00" * 50), "cannot load"),
    # Parquet
    Case("pq-int64-max", "trend", _parquet(streams=pa.array([2**63 - 1], pa.int64())), AT_MOST),
    Case("pq-uint64-max", "trend", _parquet(streams=pa.array([2**64 - 1], pa.uint64())), INTEGER),
    Case("pq-negative", "trend", _parquet(streams=pa.array([-1], pa.int32())), INTEGER),
    Case("pq-nan", "trend", _parquet(streams=pa.array([float("nan")], pa.float64())), INTEGER),
    Case("pq-inf", "trend", _parquet(streams=pa.array([float("inf")], pa.float64())), INTEGER),
    Case("pq-float", "trend", _parquet(streams=pa.array([2.0], pa.float64())), INTEGER),
    Case("pq-text-streams", "trend", _parquet(streams=pa.array(["many"])), INTEGER),
    Case("pq-date-as-int", "trend", _parquet(date=pa.array([20260101], pa.int64())), "YYYY-MM-DD"),
    Case("pq-date-1900", "trend", _parquet(date=pa.array([dt.date(1900, 1, 1)])), "before 2000"),
    Case("pq-bool-gender", "trend", _parquet(gender=pa.array([True])), "must be one of"),
    Case("pq-truncated", "trend", _raw_parquet(lambda b: b[: len(b) // 2]), "Parquet"),
    Case("pq-bad-footer", "trend", _raw_parquet(lambda b: b[:-8] + b"\x00" * 8), "Parquet"),
    # catalog
    Case("catalog-bad-isrc", "catalog", _csv("catalog", isrc="'; DROP TABLE catalog; --"), "ISRC"),
    Case("catalog-long-title", "catalog", _csv("catalog", track_title="x" * 301), "at most 300"),
    Case("catalog-date-zero", "catalog", _csv("catalog", release_date="0000-00-00"), "YYYY-MM-DD"),
    Case(
        "catalog-title-sql",
        "catalog",
        _csv("catalog", track_title=SQL_INJECTION),
        None,
        ("track_title", SQL_INJECTION),
    ),
    Case(
        "catalog-artist-html",
        "catalog",
        _csv("catalog", artist_name=HTML),
        None,
        ("artist_name", HTML),
    ),
    # campaigns
    Case("campaign-spend-nan", "campaigns", _csv("campaigns", spend_usd="NaN"), "decimal"),
    Case("campaign-spend-negative", "campaigns", _csv("campaigns", spend_usd="-1"), "decimal"),
    Case("campaign-spend-inf", "campaigns", _csv("campaigns", spend_usd="inf"), "decimal"),
    Case(
        "campaign-impressions-int64",
        "campaigns",
        _csv("campaigns", impressions=str(2**63 - 1)),
        "integer",
    ),
    Case("campaign-clicks-over", "campaigns", _csv("campaigns", clicks="200001"), "impressions"),
    Case("campaign-platform", "campaigns", _csv("campaigns", platform="<b>meta</b>"), "one of"),
    Case("campaign-dates", "campaigns", _csv("campaigns", end_date="2025-12-31"), "start_date"),
]


def test_there_are_at_least_forty_hostile_files():
    assert len(CASES) >= 40
    assert len({c.name for c in CASES}) == len(CASES)


@pytest.fixture(scope="module")
def hostile_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One store on disk shared by every case, with a catalog, a trend load and a user."""
    root = tmp_path_factory.mktemp("hostile")
    files = InputFiles(root)
    db = root / "store.duckdb"
    with open_store(db) as store:
        ingest.load_catalog(store, files.csv("c.csv", [catalog_row(i) for i in range(1, 6)]))
        ingest.load_trend_report(
            store,
            files.csv("t0.csv", [trend_row(i, listener_id="") for i in (1, 2)]),
            today=TODAY,
        )
    return db


def _load(store, kind: str, path: Path):
    if kind == "catalog":
        return ingest.load_catalog(store, path)
    if kind == "campaigns":
        return ingest.load_campaigns(store, path)
    return ingest.load_trend_report(store, path, today=TODAY)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_hostile_file(hostile_db: Path, tmp_path: Path, case: Case) -> None:
    path = case.make(InputFiles(tmp_path))
    with open_store(hostile_db) as store:
        before = checksums(store)
        if case.reject is not None:
            with pytest.raises(ingest.IngestError) as caught:
                _load(store, case.kind, path)
            message = str(caught.value)
            assert message.startswith(f"cannot load {path}")
            assert case.reject in message, message
            assert "nothing was loaded" in message.splitlines()[0]
            assert checksums(store) == before
            return
        result = _load(store, case.kind, path)
        assert not result.duplicate and result.rows_rejected == 0
        if case.stored is not None:
            column, value = case.stored
            table = {"catalog": "catalog", "trend": "trend_facts"}[case.kind]
            got = (
                store.cursor()
                .execute(
                    f"SELECT {column}::VARCHAR FROM {table} WHERE load_id = ?", [result.load_id]
                )
                .fetchall()
            )
            assert (value,) in got
        tables = (
            store.cursor().execute("SELECT table_name FROM information_schema.tables").fetchall()
        )
        assert ("trend_facts",) in tables and ("catalog",) in tables


# One rejected file of each family (a CLI run per file is slower than a load in-process).
CLI_SAMPLE = (
    "streams-huge",
    "date-zero",
    "bad-quote",
    "latin-1",
    "empty",
    "duplicate-column",
    "gz-truncated",
    "gz-garbage-after-magic",
    "pq-int64-max",
    "pq-truncated",
)


def test_the_cli_gives_hostile_files_a_clean_error(hostile_db: Path, tmp_path: Path, capsys):
    """Through the command line too: an error headline and indented problems, no traceback."""
    for case in (c for c in CASES if c.name in CLI_SAMPLE):
        folder = tmp_path / case.name
        folder.mkdir()
        path = case.make(InputFiles(folder))
        before = _cli_checksums(hostile_db)
        assert main(["ingest", str(path), "--db", str(hostile_db), "-q"]) == 1, case.name
        err = capsys.readouterr().err.splitlines()
        assert err[0].startswith("labelradar: error: cannot load"), (case.name, err)
        assert all(line.startswith("  ") for line in err[1:]), (case.name, err)
        assert _cli_checksums(hostile_db) == before, case.name


def _cli_checksums(db: Path) -> dict:
    with open_store(db, read_only=True) as store:
        return checksums(store)


def test_the_store_still_works_after_every_hostile_file(hostile_db: Path, tmp_path: Path, capsys):
    files = InputFiles(tmp_path)
    good = files.csv("good.csv", [trend_row(i, date="2026-03-01") for i in range(1, 6)])
    db = str(hostile_db)
    assert main(["ingest", str(good), "--db", db, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["loads"][0]["rows_loaded"] == 5
    assert main(["refresh", "--db", db, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["aggregates"] is True
    assert main(["users", "list", "--db", db, "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"users": []}
    assert main(["info", "--db", db, "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["data_from"] >= "2000-01-01" and info["data_through"] <= TODAY.isoformat()
    assert main(["doctor", "--db", db]) == 0
    with open_store(db, read_only=True) as store:
        cur = store.cursor()
        facts = cur.execute("SELECT sum(streams) FROM trend_facts").fetchone()[0]
        assert facts == cur.execute("SELECT sum(streams) FROM agg_daily").fetchone()[0]
