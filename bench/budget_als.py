"""Audience models: ALS update accuracy and speed, offline fit time, online scoring latency.

    .venv/bin/python bench/budget_als.py [--db data/labelradar.duckdb] [--requests 40]

1. The approximated update that ignores missing entries (Y^T Y instead of Y^T D_i Y) against the exact masked
   update on planted rank-5 matrices of several sizes, 20 % of entries held out: held-out
   SSE (and the row+column-mean baseline's) and seconds per fit, same k, lambda, iterations.
2. On a store whose `budget` job has run (--db): the CV grid and the refit of the largest
   category, timed (re-built from the store exactly as the job does).
3. Online scoring latency per request (load the persisted model + score, no cache) over
   --requests tracks, against the same request served from an in-process cache.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import numpy as np
from truth import ground_truth_dir

from analytics.budget import model as bm

ROOT = Path(__file__).resolve().parents[1]


def planted(m: int, n: int, k: int = 5, noise: float = 0.3, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return (
        2.0
        + rng.normal(size=(m, k)) @ rng.normal(size=(n, k)).T / np.sqrt(k)
        + rng.normal(0, noise, (m, n))
    )


def updates(sizes: list[tuple[int, int]]) -> None:
    print("## 1. Approximated vs exact ALS update (planted rank 5, noise sd 0.3, 20 % held out)")
    print("| m x n | k | lambda | exact SSE | approx SSE | baseline SSE | exact s | approx s |")
    print("|---|---|---|---|---|---|---|---|")
    for m, n in sizes:
        e = planted(m, n)
        train = bm.train_test_mask(e.shape, 0.2, 0)
        base = bm.sse(e, bm.baseline_estimate(e, train), ~train)
        for k in (5, 10):
            row = {}
            for upd in ("exact", "approx"):
                t0 = time.perf_counter()
                x, y = bm.als(e, train, k, 1.0, update=upd, iters=30, tol=0.0)
                row[upd] = (bm.sse(e, x @ y.T, ~train), time.perf_counter() - t0)
            print(
                f"| {m} x {n} | {k} | 1.0 | {row['exact'][0]:.0f} | {row['approx'][0]:.0f} | "
                f"{base:.0f} | {row['exact'][1]:.3f} | {row['approx'][1]:.3f} |"
            )


def offline(db: str) -> None:
    import pandas as pd

    from analytics.budget import fitting
    from data.results import budget as bdata
    from data.store import open_store

    with open_store(db, read_only=True) as store:
        cur = store.cursor()
        t0 = time.perf_counter()
        cons = bdata.group_consumption(cur)
        read_s = time.perf_counter() - t0
        genre = bdata.genres(cur)
        models = cur.execute("SELECT * FROM budget_models ORDER BY assets DESC").df()
    t0 = time.perf_counter()
    cats = bm.asset_categories(fitting._features(cons), genre)
    cluster_s = time.perf_counter() - t0
    cons = cons.assign(category=cons["isrc"].map(cats))
    biggest = int(cats.value_counts().idxmax())
    part = cons[cons["category"] == biggest]
    print("\n## 2. Offline fit on the demo store")
    print(f"- read group consumption (12 weeks, SQL contraction of the channel tensor): "
          f"{read_s:.1f} s; clustering {cons['isrc'].nunique()} assets: {cluster_s:.1f} s")  # fmt: skip
    for upd in ("exact", "approx"):
        t0 = time.perf_counter()
        summary, _, _ = fitting._category(biggest, part, genre, upd)
        total = time.perf_counter() - t0
        # the CV grid alone, on the same truncated matrix
        print(
            f"- largest category ({summary['assets']} assets, truncated to {summary['m']} x "
            f"{summary['n']}), update={upd}: total {total:.1f} s, of which the CV grid "
            f"({summary['grid_fits']} fits) {summary['grid_seconds']:.1f} s; chosen k={summary['k']}, "
            f"lambda={summary['lam']:.3g}; held-out SSE {summary['test_sse']:.0f} vs "
            f"row+column means {summary['baseline_sse']:.0f}"
        )
    print("- persisted categories (job run):")
    print(models[["category", "assets", "m", "n", "k", "lam", "test_sse", "baseline_sse",
                  "seconds"]].round(3).to_string(index=False))  # fmt: skip
    _ = pd


def online(db: str, requests: int) -> None:
    from analytics.budget import scoring as budget_scoring
    from data.results import budget as bdata
    from data.results import runs as model_runs
    from data.store import open_store

    with open_store(db, read_only=True) as store:
        params = model_runs.latest(store, "budget").params
        isrcs = [
            r[0]
            for r in store.cursor()
            .execute("SELECT isrc FROM budget_assets ORDER BY hash(isrc) LIMIT ?", [requests])
            .fetchall()
        ]
        cold, load_only, cached = [], [], []
        cache = {}
        for i, isrc in enumerate(isrcs):
            goal = ("expand", "accelerate", "sustain")[i % 3]
            t0 = time.perf_counter()
            inputs = bdata.load_model(store, isrc)
            t1 = time.perf_counter()
            res = budget_scoring.score(inputs, goal, artist_of={}, own_artist=None, params=params)
            t2 = time.perf_counter()
            cold.append(t2 - t0)
            load_only.append(t1 - t0)
            cache[(isrc, goal)] = res
            t0 = time.perf_counter()
            _ = cache[(isrc, goal)]
            cached.append(time.perf_counter() - t0)
            _ = res
    q = statistics.quantiles
    print(f"\n## 3. Online scoring latency per request ({len(cold)} tracks, goals rotating)")
    print(f"- uncached (load persisted model + score): p50 {1e3 * statistics.median(cold):.0f} ms, "
          f"p95 {1e3 * q(cold, n=20)[18]:.0f} ms, max {1e3 * max(cold):.0f} ms "
          f"(target < 200 ms); of which loading p50 {1e3 * statistics.median(load_only):.0f} ms")  # fmt: skip
    print(f"- cached (as the page serves a repeat): p50 {1e6 * statistics.median(cached):.1f} us")


def response_truth(db: str, truth_dir: str) -> None:
    import pandas as pd

    from data.store import open_store

    path = Path(truth_dir) / "country_response.csv"
    if not path.exists():
        print(f"\n## 4. Response curve vs ground truth: {path} is absent, skipped")
        return
    with open_store(db, read_only=True) as store:
        fitted = store.cursor().execute("SELECT * FROM budget_territories").df()
    truth = pd.read_csv(path)
    both = fitted[fitted["campaigns"] > 0].merge(truth, on="country")
    r_scale = np.corrcoef(both["spend_scale"], both["spend_scale_usd"])[0, 1]
    r_u = np.corrcoef(both["uplift"], both["max_uplift"])[0, 1]
    ratio = (both["spend_scale"] / both["spend_scale_usd"]).median()
    print(
        f"\n## 4. Response curve vs the demo's planted truth ({len(both)} territories with campaigns)"
    )
    print(
        f"- spend scale s: correlation with planted {r_scale:.2f}, median fitted/planted {ratio:.2f}"
    )
    print(f"- max uplift u per territory: correlation with planted {r_u:.2f}; fitted mean "
          f"{both['uplift'].mean():.3f} vs planted mean {both['max_uplift'].mean():.3f}")  # fmt: skip


def main() -> None:
    from threadpoolctl import threadpool_limits

    threadpool_limits(1)  # as the job runs (threaded BLAS spins on small matrices)
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", default="data/labelradar.duckdb")
    ap.add_argument("--requests", type=int, default=40)
    ap.add_argument("--skip-store", action="store_true")
    ap.add_argument("--truth", type=Path, help="ground truth dir (default: from the store)")
    args = ap.parse_args()
    updates([(50, 200), (100, 600), (200, 1000), (300, 2000)])
    if not args.skip_store:
        offline(args.db)
        online(args.db, args.requests)
        response_truth(args.db, args.truth or ground_truth_dir(args.db))


if __name__ == "__main__":
    main()
