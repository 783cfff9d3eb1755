"""Fan types: fit time, accuracy against the planted truth, and held-out likelihood against
the baseline model (sklearn LDA on 150 quantile bins as unordered words), on the same splits.

    python bench/fans_bench.py [--db data/labelradar.duckdb] [--realdata DIR]

- demo store (SYNTHETIC): time to read the listener-artist pairs and to fit the whole
  analysis; diehard-share MAE against ground_truth/artists.csv (artists with >= 200
  listeners), 90% interval coverage, listener assignment accuracy against fans.parquet.
- lastfm_hetrec2011_2k (real): user x artist play counts as streams; profiles, thresholds,
  fit time.
- both: held-out log-likelihood per listener-artist pair (20% of pairs held out, 3 splits)
  of this model (smooth log-normal profiles on merged log bins), sklearn LDA on the same
  log bins, and the baseline (sklearn LDA on 150 quantile bins), each predicting the exact
  total (bin mass / bin width for the LDA variants); plus the fit-time ratio.
The demo store is opened read-only (pass a copy; never the shared demo store read-write).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd
from truth import ground_truth_dir

from analytics import fans as fan_types
from analytics.fans.selection import MODELS, evaluate_k

ROOT = Path(__file__).resolve().parents[1]
REALDATA = Path(__file__).resolve().parents[2] / "shared" / "realdata"


def heldout_table(pairs: pd.DataFrame, ks: tuple[int, ...], seeds=(0, 1, 2)) -> pd.DataFrame:
    codes, _ = pd.factorize(pairs["artist_id"], sort=True)
    s = pairs["streams"].to_numpy(np.int64)
    rows = []
    for model in MODELS:
        for k in ks:
            for seed in seeds:
                t = time.perf_counter()
                ll = evaluate_k(codes, s, int(codes.max()) + 1, k, seed, model=model)
                rows.append((model, k, seed, ll, time.perf_counter() - t))
    df = pd.DataFrame(rows, columns=["model", "k", "seed", "loglik", "seconds"])
    return (
        df.groupby(["model", "k"], sort=False)
        .agg(loglik=("loglik", "mean"), sd=("loglik", "std"), fit_s=("seconds", "mean"))
        .reset_index()
    )


def describe(res: fan_types.FansModel) -> str:
    lines = [f"k = {res.k} (flat evidence, default kept: {res.summary['k_flat']})"]
    if not res.k_scores.empty:
        sc = res.k_scores.groupby("k").loglik.mean()
        lines.append("held-out loglik by k: " + ", ".join(f"{k}: {v:.4f}" for k, v in sc.items()))
    for p in res.profiles.itertuples():
        lines.append(
            f"  {p.name:<10} mean {p.mean_streams:10.1f} streams, median {np.exp(p.mu):9.1f}, "
            f"log-sd {p.sigma:.2f}"
        )
    for t in res.thresholds.itertuples():
        x = "none" if pd.isna(t.streams) else f"{t.streams:.1f}"
        lines.append(f"  {t.lower_name} -> {t.upper_name} at {x} streams")
    return "\n".join(lines)


def demo(db: Path) -> None:
    from data.results import fans as fan_data
    from data.store import open_store

    print(f"## Demo store (SYNTHETIC): {db}")
    with open_store(db, read_only=True) as store:
        t = time.perf_counter()
        pairs = fan_data.read_pairs(store.cursor(), None)
        read_s = time.perf_counter() - t
    t = time.perf_counter()
    res = fan_types.fit(pairs)
    fit_s = time.perf_counter() - t
    print(
        f"pairs {len(pairs):,}, artists {pairs.artist_id.nunique()}, "
        f"listeners {pairs.listener_id.nunique():,}"
    )
    print(
        f"read pairs {read_s:.2f} s; fit (k choice 4 k x 3 seeds + fit + mixes + "
        f"assignments + breakdowns + targets) {fit_s:.2f} s"
    )
    print(describe(res))
    truth = pd.read_csv(ground_truth_dir(db) / "artists.csv").set_index("artist_id")
    mix = res.mix.pivot(index="artist_id", columns="profile", values="share")
    low = res.mix.pivot(index="artist_id", columns="profile", values="low")
    high = res.mix.pivot(index="artist_id", columns="profile", values="high")
    big = truth.index[truth.listeners >= 200].intersection(mix.index)
    print(f"artists with >= 200 listeners: {len(big)} of {len(truth)}")
    for t in ("passive", "casual", "diehard"):
        err = (mix.loc[big, t] - truth.loc[big, f"share_{t}"]).abs().mean()
        tv = truth.loc[big, f"share_{t}"]
        cover = ((low.loc[big, t] <= tv) & (tv <= high.loc[big, t])).mean()
        width = (high.loc[big, t] - low.loc[big, t]).mean()
        print(
            f"  {t:<8} share MAE {err:.4f}; 90% interval covers truth {cover:.0%}, "
            f"mean width {width:.3f}"
        )
    fans = pd.read_parquet(ground_truth_dir(db) / "fans.parquet")
    m = fans.merge(res.assignments, on=["artist_id", "listener_id"])
    print(
        f"listener assignment accuracy {(m.fan_type == m.profile).mean():.4f} "
        f"over {len(m):,} planted pairs"
    )
    print("held-out log-likelihood per pair (3 splits, 20% held out):")
    print(
        heldout_table(pairs, (3, res.k) if res.k != 3 else (3,)).to_string(
            index=False, float_format=lambda v: f"{v:.4f}"
        )
    )


def lastfm(root: Path) -> None:
    path = root / "lastfm_hetrec2011_2k" / "user_artists.dat"
    print(f"\n## lastfm_hetrec2011_2k (real): {path}")
    if not path.exists():
        print(f"ABSENT: {path} not found; pass --realdata")
        return
    raw = pd.read_csv(path, sep="\t", header=0, names=["userID", "artistID", "weight"])
    pairs = pd.DataFrame(
        {
            "artist_id": raw["artistID"].astype(str),
            "listener_id": raw["userID"].astype(str),
            "streams": raw["weight"].astype(np.int64),
        }
    )
    print(
        f"pairs {len(pairs):,}, artists {pairs.artist_id.nunique():,}, "
        f"listeners {pairs.listener_id.nunique():,}, play counts 1..{pairs.streams.max():,}"
    )
    t = time.perf_counter()
    res = fan_types.fit(pairs)
    print(f"fit {time.perf_counter() - t:.2f} s")
    print(describe(res))
    print("held-out log-likelihood per pair (3 splits, 20% held out):")
    ks = tuple(sorted({3, res.k}))
    print(heldout_table(pairs, ks).to_string(index=False, float_format=lambda v: f"{v:.4f}"))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", default="data/labelradar.duckdb")
    ap.add_argument("--realdata", default=str(REALDATA))
    args = ap.parse_args()
    demo(Path(args.db))
    lastfm(Path(args.realdata))


if __name__ == "__main__":
    main()
