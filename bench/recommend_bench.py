"""Recommendations: held-out accuracy of every model against popularity, fit time and
request latency, on real data and on SYNTHETIC demo stores.

    python bench/recommend_bench.py --db DEMO_STORE [--seeds 1 2] [--size tiny] [--realdata DIR]

DEMO_STORE is copied to a temporary file (never written). Prints:

1. Real data, ../shared/realdata/lastfm_hetrec2011_2k (listener x artist plays, 20 % of each
   listener's artists held out at random): precision@10, recall@10 and NDCG@10 of every
   model and the popularity baseline in the same run, fit and scoring times; acceptance:
   the production model (best NDCG@10) >= 1.3x popularity in NDCG@10.
2. The demo store copy: the recommend job's wall time (acceptance < 30 s), every model on
   the time split (last 3 months held out, so tracks first streamed then are new tracks):
   new-track adopter precision@100 of the production model against popularity (acceptance
   >= 2x), and the p95 of a recommendation request (acceptance < 200 ms).
3. Fresh synthetic seeds (data.synth.build_demo_store, other than 0): the same time-split
   figures.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from analytics.recommend import evaluation
from analytics.recommend.matrix import from_pairs, holdout_per_user
from analytics.recommend.model import RecommendParams, choose, evaluate
from analytics.recommend.models import ALL_MODELS, candidates
from app.recommend import job
from data.backup import copy_store
from data.queries import operator_scope
from data.queries import recommend as rq
from data.results import recommend as rd
from data.store import open_store

REALDATA = Path(__file__).resolve().parents[2] / "shared" / "realdata"


def verdict(ok: bool) -> str:
    return "MET" if ok else "NOT MET"


def realdata(root: Path) -> None:
    path = root / "lastfm_hetrec2011_2k" / "user_artists.dat"
    print(f"\n== Real data: {path}")
    if not path.exists():
        print("   ABSENT: real-data figures not measured")
        return
    pairs = pd.read_csv(path, sep="\t", skiprows=1, names=["userID", "artistID", "weight"])
    data = from_pairs(pairs, user="userID", item="artistID", value="weight")
    train, test = holdout_per_user(data, 0.2, seed=0)
    rows = evaluation.eval_rows(test, train.plays, 10**9, 0)
    print(
        f"   {data.shape[0]} listeners x {data.shape[1]} artists, {data.plays.nnz} pairs; "
        f"{test.nnz} held out; {len(rows)} listeners evaluated"
    )
    results = []
    for model in candidates(ALL_MODELS, seed=0, factors=64):
        t = time.perf_counter()
        model.fit(train.plays)
        fit_s = time.perf_counter() - t
        m = evaluation.ranking_metrics(model.scores, train.plays, test, rows, k=10)
        results.append(
            {"model": model.name, **m, "fit_s": fit_s, "total_s": time.perf_counter() - t}
        )
    table = pd.DataFrame(results)
    print(table.to_string(index=False, float_format=lambda v: f"{v:.4f}"))
    long = table.melt(id_vars="model", var_name="metric", value_name="value")
    best = choose(long)
    pop = float(table.set_index("model").loc["popularity", "ndcg@10"])
    val = float(table.set_index("model").loc[best, "ndcg@10"])
    print(
        f"   production (best NDCG@10): {best} {val:.4f} vs popularity {pop:.4f} = "
        f"{val / pop:.2f}x -> >= 1.3x {verdict(val >= 1.3 * pop)}"
    )


def time_split_figures(db: Path, label: str) -> dict:
    """Every model on a 3-month time split of the store's listener-level rows."""
    with open_store(db, read_only=True) as store:
        monthly = rd.monthly_plays(store)
        listeners = rd.listeners(store)
        tracks = rd.tracks(store)
    models = ALL_MODELS
    if listeners.shape[0] > 20_000:
        # user-user KNN scores every listener for a track through every listener's
        # neighbours: about 10 minutes on 60,000 listeners on this machine
        models = tuple(m for m in ALL_MODELS if m != "user_knn")
        print(f"   user_knn skipped here ({listeners.shape[0]} listeners): see real data")
    params = RecommendParams(holdout_months=3, models=models)
    t = time.perf_counter()
    metrics, _ = evaluate(monthly, listeners, tracks.set_index("isrc")["artist_id"], params)
    wide = metrics.pivot(index="model", columns="metric", values="value").reindex(models)
    print(f"\n-- {label}: time split, last 3 months held out ({time.perf_counter() - t:.1f} s)")
    print(wide.to_string(float_format=lambda v: f"{v:.4f}"))
    prod = choose(metrics)
    new = wide.loc[prod, "new_track_precision@100"]
    pop = wide.loc["popularity", "new_track_precision@100"]
    ratio = new / pop if pop > 0 else float("inf")
    print(
        f"   new-track adopters precision@100: {prod} {new:.4f} vs popularity {pop:.4f} = "
        f"{ratio:.2f}x -> >= 2x {verdict(bool(new >= 2 * pop))}"
    )
    return {"production": prod, "new": new, "pop": pop}


def job_and_requests(db: Path, label: str) -> None:
    with open_store(db) as store:
        t = time.perf_counter()
        summary = job.run(store, lambda stage, fraction: None)
        took = time.perf_counter() - t
    print(f"\n-- {label}: recommend job {took:.1f} s -> < 30 s {verdict(took < 30)}")
    print(f"   {summary}")
    with open_store(db, read_only=True) as store:
        scope = operator_scope(store)
        cur = store.cursor()
        isrcs = [
            r[0]
            for r in cur.execute(
                "SELECT DISTINCT isrc FROM recommend_adopters ORDER BY isrc LIMIT 200"
            ).fetchall()
        ]
        lids = [
            r[0]
            for r in cur.execute(
                "SELECT DISTINCT listener_id FROM recommend_listener_tracks ORDER BY 1 LIMIT 200"
            ).fetchall()
        ]
        times = []
        for isrc, lid in zip(isrcs, lids, strict=False):
            t = time.perf_counter()
            rq.recommend_adopters(store, scope, isrc, limit=100)
            rq.recommend_segments(store, scope, isrc)
            times.append(time.perf_counter() - t)
            t = time.perf_counter()
            rq.recommend_listener_tracks(store, scope, lid, limit=10)
            times.append(time.perf_counter() - t)
    p95 = float(np.percentile(times, 95)) * 1000
    print(
        f"   request p95 {p95:.1f} ms over {len(times)} requests (track: adopters + "
        f"segments; listener: next tracks) -> < 200 ms {verdict(p95 < 200)}"
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", type=Path, required=True, help="demo store (copied, not written)")
    ap.add_argument("--seeds", type=int, nargs="*", default=[1, 2])
    ap.add_argument("--size", default="tiny", help="size of the fresh synthetic stores")
    ap.add_argument("--realdata", type=Path, default=REALDATA)
    args = ap.parse_args()
    realdata(args.realdata)
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "demo.duckdb"
        copy_store(args.db, copy)
        open_store(copy).close()  # migrate the copy to this schema
        print(f"\n== Demo store (SYNTHETIC) {args.db} (a copy)")
        time_split_figures(copy, "demo store")
        job_and_requests(copy, "demo store")
        from data.synth import build_demo_store

        for seed in args.seeds:
            path = Path(tmp) / f"seed{seed}.duckdb"
            t = time.perf_counter()
            build_demo_store(path, size=args.size, seed=seed, out_dir=Path(tmp) / f"f{seed}")
            print(
                f"\n== Fresh {args.size} store, seed {seed} (built in "
                f"{time.perf_counter() - t:.0f} s)"
            )
            time_split_figures(path, f"seed {seed}")
            job_and_requests(path, f"seed {seed}")


if __name__ == "__main__":
    main()
