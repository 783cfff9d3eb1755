"""What a store holds, read for `labelradar info` and `labelradar doctor`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from data.store import Store

# The tables `info` counts, in the order it lists them; users and the audit log are in the
# state database.
COUNTED_TABLES = ("catalog", "trend_facts", "campaigns", "users", "loads", "audit_log")
STATE_TABLES = ("users", "audit_log")


@dataclass(frozen=True)
class Contents:
    labels: list[str]
    rows: dict[str, int]
    data_from: dt.date | None
    data_through: dt.date | None


def contents(store: Store) -> Contents:
    """Row counts of the main tables, the labels in the catalog and the span of the facts."""
    cur = store.cursor()
    rows = {
        t: int(
            store.state.read(f"SELECT count(*) FROM {t}")[0][0]
            if t in STATE_TABLES
            else cur.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
        )
        for t in COUNTED_TABLES
    }
    first, last = cur.execute("SELECT min(date), max(date) FROM trend_facts").fetchone()
    labels = [r[0] for r in cur.execute("SELECT DISTINCT label FROM catalog ORDER BY 1").fetchall()]
    return Contents(labels, rows, first, last)


def data_through(store: Store) -> dt.date | None:
    """The last day with trend data in the store."""
    return store.cursor().execute("SELECT max(date) FROM trend_facts").fetchone()[0]


def checksums(store: Store) -> dict[str, tuple[int, int]]:
    """Per base table: (row count, an order-independent hash of all its rows).

    Equal checksums before and after an operation mean it changed no row: how the tests
    show that a rejected file left the store exactly as it was."""
    cur = store.cursor()
    tables = [
        r[0]
        for r in cur.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_type = 'BASE TABLE' AND table_schema = 'main' ORDER BY 1"
        ).fetchall()
    ]
    out = {}
    for table in tables:
        # Summing the row hashes (not XOR) lets duplicate rows count.
        count, digest = cur.execute(
            f'SELECT count(*), coalesce(sum(hash(t)::HUGEINT), 0) FROM "{table}" t'
        ).fetchone()
        out[table] = (int(count), int(digest))
    return out
