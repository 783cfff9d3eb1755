"""Fixtures for the ingest and validation tests: a fresh store and small input files."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from data.ingest import validation
from data.store import Store, open_store

TODAY = dt.date(2026, 6, 30)

CATALOG_COLUMNS = [
    "isrc",
    "track_title",
    "artist_id",
    "artist_name",
    "label",
    "genre",
    "release_date",
]
TREND_COLUMNS = [c.name for c in validation.TREND.columns]
CAMPAIGN_COLUMNS = [
    "campaign_id",
    "isrc",
    "country",
    "platform",
    "start_date",
    "end_date",
    "spend_usd",
    "impressions",
    "clicks",
    "reach",
]
TABLES = (
    "loads",
    "catalog",
    "trend_facts",
    "campaigns",
    "audit_log",
    "agg_daily",
)


def catalog_row(i: int = 1, **overrides: str) -> dict[str, str]:
    row = {
        "isrc": f"QZABC26{i:05d}",
        "track_title": f"Track {i}",
        "artist_id": f"artist_{i}",
        "artist_name": f"Artist {i}",
        "label": "Label A",
        "genre": "Pop",
        "release_date": "2020-01-01",
    }
    row.update(overrides)
    return row


def trend_row(i: int = 1, **overrides: str) -> dict[str, str]:
    row = {
        "date": "2026-01-01",
        "dsp": "spotify",
        "isrc": f"QZABC26{i:05d}",
        "country": "US",
        "region": "New York",
        "age_band": "18-24",
        "gender": "female",
        "subscription": "premium",
        "device": "mobile",
        "os": "ios",
        "source": "editorial_playlist",
        "playlist_id": "pl1",
        "listener_id": f"listener{i}",
        "streams": str(i),
    }
    row.update(overrides)
    return row


def campaign_row(i: int = 1, **overrides: str) -> dict[str, str]:
    row = {
        "campaign_id": f"cmp-{i}",
        "isrc": "QZABC2600001",
        "country": "GB",
        "platform": "meta",
        "start_date": "2026-01-01",
        "end_date": "2026-01-31",
        "spend_usd": "1500.50",
        "impressions": "100000",
        "clicks": "2000",
        "reach": "50000",
    }
    row.update(overrides)
    return row


class InputFiles:
    """Writes small input files into a test's tmp_path."""

    catalog_row = staticmethod(catalog_row)
    trend_row = staticmethod(trend_row)
    campaign_row = staticmethod(campaign_row)
    CATALOG = CATALOG_COLUMNS
    TREND = TREND_COLUMNS
    CAMPAIGNS = CAMPAIGN_COLUMNS
    TODAY = TODAY

    def __init__(self, root: Path):
        self.root = root

    def csv(self, name: str, rows: list[dict[str, str]], columns: list[str] | None = None) -> Path:
        """A CSV file as a DSP would write it (csv module quoting, \\n line ends)."""
        columns = columns or list(rows[0])
        path = self.root / name
        with open(path, "w", encoding="utf-8", newline="") as f:
            writer = csv.writer(f, lineterminator="\n")
            writer.writerow(columns)
            for row in rows:
                writer.writerow([row.get(c, "") for c in columns])
        return path

    def text(self, name: str, content: str | bytes) -> Path:
        path = self.root / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8", newline="")
        return path

    def parquet(self, name: str, table: pa.Table | list[dict[str, object]]) -> Path:
        if not isinstance(table, pa.Table):
            table = pa.Table.from_pylist(table)
        path = self.root / name
        pq.write_table(table, path)
        return path


def table_counts(store: Store) -> dict[str, int]:
    cur = store.cursor()
    return {
        t: store.state.read(f"SELECT count(*) FROM {t}")[0][0]
        if t == "audit_log"  # workflow state: in the state database
        else cur.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
        for t in TABLES
    }


@pytest.fixture
def files(tmp_path: Path) -> InputFiles:
    return InputFiles(tmp_path)


@pytest.fixture
def counts():
    """counts(store) -> {table: row count} for every table a load may touch."""
    return table_counts


@pytest.fixture
def store(tmp_path: Path):
    s = open_store(":memory:")
    yield s
    s.close()


@pytest.fixture
def loaded(store: Store, files: InputFiles) -> Store:
    """A store with a five-track catalog (QZABC2600001..QZABC2600005)."""
    from data import ingest

    ingest.load_catalog(store, files.csv("catalog.csv", [catalog_row(i) for i in range(1, 6)]))
    return store
