"""Today's ranking against the opportunities a generated (SYNTHETIC) world planted.

    labelradar demo --size demo --seed 7 --db /tmp/s7.duckdb && labelradar refresh --db ...
    python bench/today_precision.py --db data/labelradar.duckdb /tmp/s7.duckdb ...

For each store (built by `labelradar demo` and refreshed: the ranking reads what the other
jobs persisted), ranks the opportunities with the current code (read-only: nothing is
written) and prints precision@10 and @20: the share of the top rows that are planted (an
under-served territory, a planted editorial playlist removal, an audience group planted to
respond above average; data/synth/opportunities.py). Two baselines, by the raw streams at
stake (the potential-streams gap, the streams a removal took away, a release's forecast, the
passive listeners' streams) without response curves or costs:

- "same candidates": the ranking's own candidates, sorted by streams at stake;
- "raw gap": every territory where an artist streams below its peers (no shortfall
  threshold) with the other candidates, sorted by streams at stake: the obvious ranking a
  potential-streams map gives.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import pandas as pd
from truth import ground_truth_dir

from analytics import today as today_model
from analytics.today import candidates
from app.today.job import read_inputs
from data.store import open_store
from data.synth import opportunities as planted


def precision(flags: list[bool], k: int) -> float:
    top = flags[:k]
    return sum(top) / len(top) if top else float("nan")


def evaluate(db: Path) -> dict[str, object]:
    truth = planted.read(ground_truth_dir(db))
    seed = json.loads((ground_truth_dir(db) / "world.json").read_text())["seed"]
    with open_store(db, read_only=True) as store:
        inputs, _ = read_inputs(store)
    started = time.perf_counter()
    ranked = today_model.fit(inputs).opportunities
    seconds = time.perf_counter() - started
    baseline = ranked.sort_values(["at_stake", "id"], ascending=[False, True], kind="mergesort")
    threshold = candidates.MIN_PEER_GAP
    candidates.MIN_PEER_GAP = 0.0  # every territory below the peers' share
    try:
        everything = today_model.fit(inputs).opportunities
    finally:
        candidates.MIN_PEER_GAP = threshold
    raw = everything.sort_values(["at_stake", "id"], ascending=[False, True], kind="mergesort")
    mine, base, raw_flags = truth.flags(ranked), truth.flags(baseline), truth.flags(raw)
    return {
        "store": db.name,
        "seed": seed,
        "candidates": len(ranked),
        "planted candidates": sum(mine),
        "P@10": precision(mine, 10),
        "P@20": precision(mine, 20),
        "same candidates P@10": precision(base, 10),
        "same candidates P@20": precision(base, 20),
        "raw gap P@10": precision(raw_flags, 10),
        "raw gap P@20": precision(raw_flags, 20),
        "top-10 actions": dict(ranked.head(10)["action"].value_counts()),
        "rank seconds": round(seconds, 2),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--db", nargs="+", type=Path, default=[Path("data/labelradar.duckdb")])
    args = ap.parse_args()
    rows = [evaluate(db) for db in args.db]
    pd.set_option("display.width", 200)
    print(pd.DataFrame(rows).to_string(index=False, float_format=lambda x: f"{x:.2f}"))
    for r in rows:
        verdict = "MET" if r["P@10"] >= 0.8 else "NOT MET"
        print(f"seed {r['seed']}: precision@10 = {r['P@10']:.2f} (>= 0.80: {verdict})")


if __name__ == "__main__":
    main()
