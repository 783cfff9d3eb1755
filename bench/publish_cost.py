"""What publishing costs a writing command: open, one small write, close, on a private
copy published by atomic rename (data/publish.py) against the same in place (the obvious
alternative, which blocks every reader). Median of --repeat runs on a copy of --db.

    python bench/publish_cost.py --db /tmp/x/demo.duckdb [--repeat 3]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from data.publish import PublishingStore
from data.store import open_store


def _median_s(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", type=Path, required=True)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="publish-cost-"))
    db = work / "bench.duckdb"
    shutil.copyfile(args.db, db)
    counter = iter(range(10**6))

    def in_place() -> None:
        with open_store(db) as store:
            store.set_meta("bench", str(next(counter)))

    def published() -> None:
        with PublishingStore(db) as store:
            store.set_meta("bench", str(next(counter)))

    in_place()  # migrate once, warm the page cache
    size_mb = db.stat().st_size / 1e6
    place_s = _median_s(in_place, args.repeat)
    publish_s = _median_s(published, args.repeat)
    print(f"store: {size_mb:,.0f} MB")
    print(f"in place (readers blocked): {place_s:.2f} s median")
    print(f"copy + publish (readers served): {publish_s:.2f} s median")
    print(f"ratio: {publish_s / place_s:.1f}x, extra {publish_s - place_s:.2f} s per command")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
