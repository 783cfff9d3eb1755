"""Growth metrics of the alerts job: the numpy-code sort against the pandas three-column
sort it replaced, on the identified listener rows of a demo store (SYNTHETIC), CPU time.

    python bench/alerts_growth_speed.py --db /tmp/demo.duckdb [--tracks 300]

Both give the same listener counts and passive-to-active conversion (checked here; the
baseline computes only that one metric, so the ratio understates the gain); prints CPU
seconds of each and the ratio.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from analytics.alerts.attribution import growth_metrics
from data.results.alerts import sample_listeners
from data.store import open_store

ACTIVE = {"search", "collection", "artist"}


def pandas_sort(rows: pd.DataFrame, start, end) -> tuple:
    """The former ordering step (pandas sort of three columns), then the same metric."""
    r = rows[(rows.date >= start) & (rows.date <= end)].copy()
    r = r.sort_values(["listener_id", "date", "source"], kind="stable")
    code, _ = pd.factorize(r.listener_id)
    date = r.date.to_numpy()
    source = r.source.astype(str).to_numpy()
    _, first = np.unique(code, return_index=True)
    later = date > date[first][code]
    who = np.flatnonzero(~np.isin(source[first], list(ACTIVE)))
    if len(who) < 5:
        return len(first), None
    p2a = float(np.isin(who, code[later & np.isin(source, list(ACTIVE))]).mean())
    return len(first), p2a


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", required=True)
    ap.add_argument("--tracks", type=int, default=300)
    args = ap.parse_args()
    with open_store(args.db, read_only=True) as store:
        hi = pd.Timestamp(store.cursor().execute("SELECT max(date) FROM agg_daily").fetchone()[0])
        lo = hi - pd.Timedelta(days=60)
        rows = sample_listeners(store.cursor(), lo.date(), hi.date(), args.tracks)
    groups = [g for _, g in rows.groupby("key")]
    t0 = time.process_time()
    new = [growth_metrics(g, lo, hi, active=ACTIVE) for g in groups]
    t_new = time.process_time() - t0
    t0 = time.process_time()
    old = [pandas_sort(g, lo, hi) for g in groups]
    t_old = time.process_time() - t0
    same = all(
        (g.listeners, g.passive_to_active) == o
        for g, o in zip(new, old, strict=True)
        if g.available
    )
    print(f"{len(groups)} tracks, {len(rows)} listener rows; same metrics: {same}")
    print(f"numpy codes {t_new:.2f} s CPU, pandas sort {t_old:.2f} s CPU: x{t_old / t_new:.1f}")


if __name__ == "__main__":
    main()
