"""Campaign uplift by segment: Qini coefficient of the pooled segment multipliers (P, what the
app uses) against the oracle's (the planted truth), with random targeting and the two
outcome-model learners (T-learner, S-learner) in the same run.

    python bench/uplift_bench.py --db /tmp/s21.duckdb --db /tmp/s22.duckdb
    python bench/uplift_bench.py --seeds 21 22 --out /tmp/uplift-bench   # builds the stores

Each store is a SYNTHETIC demo store (`labelradar demo --size demo --seed N`, then
`labelradar refresh --only fans` so the fan-type features exist), opened read-only. Segments
are country x age band x gender x subscription; a segment's truth is the sum over its
campaigns of ground_truth/segment_uplift.csv. Curves rank segments by each learner's score;
x = share of the segments' true baseline streams targeted, y = true incremental streams
captured. Each learner's time includes the bootstrap over campaigns. The oracle ranks by true relative uplift; random targeting is the diagonal (its
Qini is 0 by construction; the mean of 200 random orders is printed as a check).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from truth import ground_truth_dir

from analytics.campaigns import qini, uplift, uplift_features, uplift_pooled
from data.results import campaign_uplift as results
from data.store import open_store

KEY = ["country", "age_band", "gender", "subscription"]
TARGET = 0.8
# P: the pooled segment multipliers the app uses; T / S: the two outcome-model learners.
LEARNERS = {
    "P": uplift_pooled.pooled,
    "T": uplift.t_learner,
    "S": uplift.s_learner,
}


def evaluate(db: Path) -> dict[str, float]:
    truth = pd.read_csv(ground_truth_dir(db) / "segment_uplift.csv")
    t0 = time.perf_counter()
    with open_store(db, read_only=True) as store:
        camps = results.campaigns(store)
        cells = results.cells(store, results.units(store, camps))
        fans = uplift_features.main_fan_type(results.fan_mix(store))
    read_s = time.perf_counter() - t0
    feats = uplift_features.build(cells, camps, fans)
    truth_seg = (
        truth.groupby(KEY)[["baseline_streams", "true_incremental_streams"]].sum().reset_index()
    )
    out: dict[str, float] = {"campaigns": len(camps), "read_s": read_s}
    for name, learner in LEARNERS.items():
        t = time.perf_counter()
        # Every segment the models scored (the persisted table leaves the tiniest out).
        seg = uplift.segments(learner(feats), key=KEY, n_boot=uplift.N_BOOT, min_baseline=0.0)
        out[f"{name}_s"] = time.perf_counter() - t
        m = truth_seg.merge(seg[[*KEY, "score"]], on=KEY, how="left")
        # Segments the models never saw (no data before the campaign) are ranked last.
        score = m["score"].fillna(-np.inf).to_numpy()
        inc, base = m["true_incremental_streams"].to_numpy(), m["baseline_streams"].to_numpy()
        model, oracle, ratio = qini.ratio_to_oracle(score, inc, base)
        out.update({f"{name}_qini": model, "oracle_qini": oracle, f"{name}_ratio": ratio})
    rng = np.random.default_rng(0)
    out["random_qini"] = float(
        np.mean([qini.coefficient(qini.curve(rng.random(len(inc)), inc, base)) for _ in range(200)])
    )
    out["segments"] = len(truth_seg)
    return out


def build(seed: int, root: Path) -> Path:
    from app.fans import job as fans_job
    from data.synth import build_demo_store

    path = root / f"uplift-seed{seed}.duckdb"
    if not path.exists():
        build_demo_store(path, size="demo", seed=seed, out_dir=root / f"files-{seed}")
        with open_store(path) as store:
            fans_job.run(store, lambda *_: None)
    return path


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--db", action="append", default=[], type=Path)
    p.add_argument("--seeds", nargs="*", type=int, default=[])
    p.add_argument("--out", type=Path, default=Path("/tmp/uplift-bench"))
    a = p.parse_args(argv)
    dbs = list(a.db)
    if a.seeds:
        a.out.mkdir(parents=True, exist_ok=True)
        dbs += [build(s, a.out) for s in a.seeds]
    if not dbs:
        p.error("give --db STORE (repeatable) or --seeds N [N ...]")
    rows = []
    for db in dbs:
        r = evaluate(db)
        rows.append(r)
        learners = ", ".join(
            f"{n} {r[f'{n}_qini']:,.0f} ({r[f'{n}_ratio']:.3f}, {r[f'{n}_s']:.1f} s)"
            for n in LEARNERS
        )
        print(
            f"{db.name}: {r['campaigns']} campaigns, {r['segments']} segments | Qini: oracle "
            f"{r['oracle_qini']:,.0f}, {learners}, random {r['random_qini']:,.0f} | "
            f"read {r['read_s']:.1f} s",
            flush=True,
        )
    for n in LEARNERS:
        ratios = [r[f"{n}_ratio"] for r in rows]
        verdict = "MET" if min(ratios) >= TARGET else "NOT MET"
        print(f"{n} Qini / oracle: mean {np.mean(ratios):.3f}, worst {min(ratios):.3f} "
              f"(target >= {TARGET}): {verdict}")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
