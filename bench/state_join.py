"""How much the alert feed pays for alert statuses living in the state database.

The feed joins alert statuses (state database) to alerts (analytics store) through
data/state/joined.py: read the status table into pandas, register it on a DuckDB cursor.
The obvious alternative is the status table inside DuckDB (as before workflow state moved
out). Both run the same scoped query (data.queries.alerts.alerts_feed) on the same store,
with every alert given a status, median of --repeat runs. SYNTHETIC store.

    python bench/state_join.py --db /tmp/x/demo.duckdb [--repeat 15]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from data.queries import alerts as alert_queries
from data.queries import operator_scope
from data.state import utc_now
from data.store import open_store


def _median_ms(fn, repeat: int) -> float:
    fn()  # warm
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", type=Path, required=True)
    ap.add_argument("--repeat", type=int, default=15)
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="state-join-"))
    db = work / "bench.duckdb"
    shutil.copyfile(args.db, db)  # a private store with its own (empty) state database
    store = open_store(db)
    keys = [k for (k,) in store.cursor().execute("SELECT alert_key FROM alerts").fetchall()]
    now = utc_now()
    rows = [[k, "acknowledged", "bench", now] for k in keys]
    with store.state.transaction() as cur:
        cur.executemany("INSERT INTO alert_status VALUES (?, ?, ?, ?)", rows)
    # the alternative: the same statuses as a DuckDB table of the store (a table of that
    # name shadows nothing here: the feed below reads it only when told to)
    cur = store.cursor()
    cur.execute(
        "CREATE TABLE native_status (alert_key VARCHAR PRIMARY KEY, status VARCHAR, "
        "changed_by VARCHAR, changed_at TIMESTAMP)"
    )
    cur.executemany("INSERT INTO native_status VALUES (?, ?, ?, ?)", rows)
    store.close()
    store = open_store(db, read_only=True)  # as the app reads it
    scope = operator_scope(store)

    def feed() -> int:
        return len(alert_queries.alerts_feed(store, scope))

    state_ms = _median_ms(feed, args.repeat)
    from data.queries import read_df

    original = alert_queries.read_df

    def native_read_df(store, sql, params, state=()):
        return read_df(store, sql.replace("alert_status", "native_status"), params)

    alert_queries.read_df = native_read_df
    native_ms = _median_ms(feed, args.repeat)
    n_native = feed()
    alert_queries.read_df = original
    n = feed()
    assert n == n_native
    print(f"alerts: {len(keys):,}, statuses: {len(rows):,}, feed rows: {n:,}")
    print(f"feed via the state database (joined.py): {state_ms:.1f} ms median")
    print(f"feed with statuses inside DuckDB:          {native_ms:.1f} ms median")
    print(f"ratio: {state_ms / native_ms:.2f}x")
    store.close()
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
