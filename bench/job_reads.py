"""The batch jobs' reads before and after migration 030 dropped two aggregates.

    python bench/job_reads.py --db demo=/tmp/demo.duckdb [--db large=...] [--repeat 3]

Each `--db` is a store of schema 029 (built by the code before migration 030, e.g. by
`labelradar demo` at that commit), opened read-only: it still holds agg_group_week and
agg_listener_month, so both variants run on the same file in the same process:

- `before`: the five reads as they were, from the two aggregates (`BEFORE` below, the SQL of
  data/results/*.py at schema 029);
- `now`: the same reads from the facts' country rows, the functions the jobs call today.

Each pair must return the same rows (checked: a failed check stops the bench). Prints the
median seconds of each read, the sum over the five, and the ratio now / before.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from data.results import alerts, budget, recommend, similar

WEEKS = budget.WINDOW_WEEKS
# The reads of schema 029 (data/results/*.py before migration 030), unchanged here.
BEFORE = {
    "budget consumption": """
        WITH e AS (SELECT max(week) AS w FROM agg_group_week)
        SELECT isrc, country, age_band::VARCHAR AS age_band, gender::VARCHAR AS gender,
               subscription::VARCHAR AS subscription, sum(active_streams)::DOUBLE AS a,
               sum(streams - active_streams)::DOUBLE AS p
        FROM agg_group_week, e WHERE week BETWEEN e.w - INTERVAL 77 DAY AND e.w
        GROUP BY ALL ORDER BY ALL""",
    "budget streams per listener": """
        WITH e AS (SELECT max(week) AS w FROM agg_group_week)
        SELECT sum(streams)::DOUBLE, count(DISTINCT listener_id) FROM agg_listener_month, e
        WHERE month >= date_trunc('month', e.w - INTERVAL 84 DAY)""",
    "recommend monthly plays": """
        SELECT listener_id, isrc, month, sum(streams)::DOUBLE AS streams
        FROM agg_listener_month GROUP BY listener_id, isrc, month
        ORDER BY listener_id, isrc, month""",
    "similar listener streams": """
        SELECT c.artist_id, c.label, l.listener_id, sum(l.streams)::DOUBLE AS streams
        FROM agg_listener_month l JOIN catalog c USING (isrc)
        GROUP BY c.artist_id, c.label, l.listener_id""",
    "alerts listener tracks": "SELECT DISTINCT isrc FROM agg_listener_month ORDER BY isrc",
}


class _ReadOnly:
    """The little of data.store.Store the job reads use (a cursor), over a plain read-only
    connection: a schema-029 store must not be migrated by opening it."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con

    def cursor(self) -> duckdb.DuckDBPyConnection:
        return self.con.cursor()


def _now(store: _ReadOnly) -> dict[str, Callable[[], object]]:
    cur = store.cursor()
    return {
        "budget consumption": lambda: budget.group_consumption(cur, WEEKS),
        "budget streams per listener": lambda: budget.streams_per_listener(cur, WEEKS),
        "recommend monthly plays": lambda: recommend.monthly_plays(store),
        "similar listener streams": lambda: similar.listener_streams(store),
        "alerts listener tracks": lambda: alerts.listener_tracks(cur),
    }


def _frame(value: object) -> pd.DataFrame:
    if isinstance(value, pd.DataFrame):
        df = value.copy()
    elif isinstance(value, float):  # streams per listener: the before read gives its parts
        df = pd.DataFrame({"v": [value]})
    else:
        df = pd.DataFrame({"v": list(value)})
    for col in df.columns:
        if df[col].dtype.kind not in "fiub":  # dates, strings: compared as text
            df[col] = df[col].astype(str)
    return df.sort_values(list(df.columns)).reset_index(drop=True)


def _before(cur: duckdb.DuckDBPyConnection, name: str) -> object:
    df = cur.execute(BEFORE[name]).df()
    if name == "budget streams per listener":
        total, people = df.iloc[0]
        return float(total / people) if people else 1.0
    if name == "budget consumption":
        return df.fillna({"a": 0.0, "p": 0.0})
    if name == "alerts listener tracks":
        return df.isrc.tolist()
    return df


def _same(a: object, b: object, name: str) -> None:
    fa, fb = _frame(a), _frame(b)
    if list(fa.columns) != list(fb.columns) or len(fa) != len(fb):
        raise SystemExit(f"{name}: shapes differ ({fa.shape} before, {fb.shape} now)")
    for col in fa.columns:
        x, y = fa[col], fb[col]
        ok = np.allclose(x, y, rtol=1e-12) if x.dtype.kind == "f" else (x == y).all()
        if not ok:
            raise SystemExit(f"{name}: column {col} differs")


def _time(fn: Callable[[], object], repeat: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def run(name: str, path: Path, repeat: int) -> None:
    con = duckdb.connect(str(path), read_only=True)
    version = con.execute("SELECT max(version) FROM schema_migrations").fetchone()[0]
    if version != 29:
        raise SystemExit(f"{path}: schema {version}, the bench needs a schema-029 store")
    store = _ReadOnly(con)
    facts = con.execute("SELECT count(*) FROM trend_facts").fetchone()[0]
    print(f"\n{name}: {path} ({facts:,} fact rows), median of {repeat}")
    print(f"{'read':30s} {'before s':>9s} {'now s':>9s} {'now/before':>11s}")
    total = {"before": 0.0, "now": 0.0}
    for read, fn in _now(store).items():
        t_before, before = _time(lambda r=read: _before(store.cursor(), r), repeat)
        t_now, now = _time(fn, repeat)
        _same(before, now, read)
        total["before"] += t_before
        total["now"] += t_now
        print(f"{read:30s} {t_before:9.2f} {t_now:9.2f} {t_now / t_before:10.2f}x")
    print(
        f"{'all five (same rows: checked)':30s} {total['before']:9.2f} {total['now']:9.2f} "
        f"{total['now'] / total['before']:10.2f}x"
    )
    con.close()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--db", action="append", required=True, help="name=path (schema 029)")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    print(f"{dt.date.today()}, load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    for spec in args.db:
        name, _, path = spec.partition("=")
        run(name, Path(path), args.repeat)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
