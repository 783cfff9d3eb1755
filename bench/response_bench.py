"""Response curves and the spend optimiser against the planted truth (SYNTHETIC worlds).

    .venv/bin/python bench/response_bench.py --lift truth [--seeds 101 202] [--size demo]
    .venv/bin/python bench/response_bench.py --lift store --db /path/demo.duckdb

--lift truth: the per-campaign lifts are a STAND-IN for the lift job's estimates: the planted
true incremental streams plus normal noise of a realistic size, sd = sqrt((0.25 x truth)^2 +
(0.02 x counterfactual)^2) (the lift acceptance allows a median absolute error of 20 % of the
truth; the second term is the counterfactual's own error), with a 90 % interval of +-1.645 sd.
--lift store: the persisted `campaign_lift` of a demo store and its ground truth, the curves
fitted as the budget job fits them (on the platforms with a measurable effect).

Figures: correlation of fitted and planted per-territory ceilings (all territories with
campaigns, and those with >= 5); share of territories with >= 5 campaigns whose plateau is
within +-30 % of the planted one; per track and budget, the true incremental streams of the
optimiser's allocation against the oracle's (the same dynamic programme on the planted
curves) and against an even split over the same territories, all evaluated on the planted
curves: pooled (sum over the 5 most streamed tracks with campaigns x budgets of $5,000 and
$20,000, each over the track's 10 biggest territories), and the min and median per case.
Fit seconds too.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from analytics.campaigns import optimise as op
from analytics.campaigns import pooling
from analytics.campaigns import response as rs

BUDGETS = (5_000.0, 20_000.0)
TRACKS = 5  # tracks per world: the most streamed ones with campaigns
TERRITORIES = 10  # each track's territories: its 10 biggest by streams


def stand_in_lift(truth: pd.DataFrame, seed: int) -> pd.DataFrame:
    """Per-campaign lift rows (campaign_lift's columns) from the truth plus noise."""
    rng = np.random.default_rng(seed)
    cf = truth["baseline_streams"].to_numpy(float)
    inc = truth["true_incremental_streams"].to_numpy(float)
    sd = np.sqrt((0.25 * inc) ** 2 + (0.02 * cf) ** 2)
    est = inc + rng.normal(0.0, sd)
    return pd.DataFrame(
        {
            "country": truth["country"],
            "platform": truth["platform"],
            "spend_usd": truth["spend_usd"],
            "incremental_streams": est,
            "low": est - rs.Z90 * sd,
            "high": est + rs.Z90 * sd,
            "counterfactual_streams": cf,
        }
    )


def market_cost(campaigns: pd.DataFrame) -> dict[str, float]:
    """Median CPM (USD per 1,000 impressions) of the campaigns per country."""
    cpm = campaigns["spend_usd"] / campaigns["impressions"].clip(lower=1) * 1000
    return cpm.groupby(campaigns["country"]).median().to_dict()


def true_curve(row: pd.Series) -> rs.Curve:
    params = np.tile([row.ceiling, row.half_saturation_usd, row.hill], (rs.N_DRAWS, 1))
    return rs.Curve(row.country, 0, row.ceiling, row.half_saturation_usd, row.hill, params)


def curve_figures(fit: rs.Fit, planted: pd.DataFrame) -> dict[str, float]:
    rows = [
        (c.n_campaigns, c.ceiling, planted.loc[k, "ceiling"], c.plateau_usd,
         planted.loc[k, "plateau_usd"])
        for k, c in fit.curves.items()
    ]  # fmt: skip
    d = pd.DataFrame(rows, columns=["n", "c_hat", "c", "p_hat", "p"])
    five = d[d["n"] >= 5]
    return {
        "territories": len(d),
        "ceiling_r": float(np.corrcoef(d["c_hat"], d["c"])[0, 1]),
        "ceiling_r_5": float(np.corrcoef(five["c_hat"], five["c"])[0, 1]),
        "n_5": len(five),
        "plateau_30": float((abs(five["p_hat"] / five["p"] - 1) <= 0.3).mean()),
    }


def optimiser_figures(world, fit: rs.Fit, planted: pd.DataFrame) -> list[dict[str, float]]:
    """Per (track, budget): true streams of optimiser, oracle and even split allocations."""
    t_idx = {isrc: i for i, isrc in enumerate(world.tracks.isrc)}
    with_campaigns = world.campaign_truth["isrc"].unique()
    window = world.baseline[:, -28:].sum(axis=1)
    ranked = sorted(with_campaigns, key=lambda i: -window[t_idx[i]])[:TRACKS]
    out = []
    for isrc in ranked:
        t = t_idx[isrc]
        share = world.artist_country[int(world.tracks.artist_idx[t])]
        base_all = dict(zip(world.countries, window[t] * share, strict=True))
        countries = sorted(base_all, key=lambda c: -base_all[c])[:TERRITORIES]
        fitted = list(rs.curves_for(fit, countries).values())
        truth = [true_curve(planted.loc[c]) for c in countries]
        for budget in BUDGETS:
            plans = {
                "optimiser": op.allocate(fitted, base_all, budget),
                "oracle": op.allocate(truth, base_all, budget),
                "even": op.even_split(truth, budget),
            }
            got = {k: op.outcome(truth, base_all, p).total[0] for k, p in plans.items()}
            out.append({"isrc": isrc, "budget": budget, **got})
    return out


def run_truth(seeds: list[int], size: str) -> None:
    from data.synth.config import PRESETS
    from data.synth.world import build_world

    print(f"## --lift truth (STAND-IN lifts: planted truth + noise), size {size}")
    print("| seed | territories (>=5 campaigns) | ceiling r (all / >=5) | plateau +-30 % "
          "| optimiser / oracle: pooled (min, median) | optimiser / even split: pooled "
          "(min, median) | fit s |")  # fmt: skip
    print("|---|---|---|---|---|---|---|")
    for seed in seeds:
        world = build_world(PRESETS[size], seed)
        truth = world.campaign_truth.merge(world.campaigns[["campaign_id", "platform"]])
        planted = world.country_response.set_index("country", drop=False)
        started = time.perf_counter()
        lift = stand_in_lift(truth, seed + 1)
        cpm = market_cost(world.campaigns)
        # as the budget job does: the curves are fitted on platforms with a measurable effect
        lift = pooling.shaping_lifts(lift, cost=cpm)
        fit = rs.fit(lift, cost=cpm, robust=True)
        seconds = time.perf_counter() - started
        _report(seed, fit, planted, optimiser_figures(world, fit, planted), seconds)
        alone = rs.fit(lift, cost=cpm, pooled=False, robust=True)
        f = curve_figures(alone, planted)
        print(f"|   | without pooling (each territory alone): | {f['ceiling_r']:.3f} / "
              f"{f['ceiling_r_5']:.3f} | {f['plateau_30']:.0%} | | | |")  # fmt: skip


def _report(seed, fit, planted, opt, seconds) -> None:
    f = curve_figures(fit, planted)
    o = pd.DataFrame(opt)
    vs_oracle = o["optimiser"] / o["oracle"]
    vs_even = o["optimiser"] / o["even"]
    print(
        f"| {seed} | {f['territories']} ({f['n_5']}) | {f['ceiling_r']:.3f} / "
        f"{f['ceiling_r_5']:.3f} | {f['plateau_30']:.0%} | "
        f"{o['optimiser'].sum() / o['oracle'].sum():.3f} ({vs_oracle.min():.3f}, "
        f"{vs_oracle.median():.3f}) | {o['optimiser'].sum() / o['even'].sum():.2f} "
        f"({vs_even.min():.2f}, {vs_even.median():.2f}) | {seconds:.1f} |"
    )


def run_store(db: str) -> None:
    from data.store import open_store

    print(f"## --lift store ({db})")
    with open_store(db, read_only=True) as store:
        cur = store.cursor()
        has = cur.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = 'campaign_lift'"
        ).fetchone()[0]
        lift = cur.execute("SELECT * FROM campaign_lift").df() if has else pd.DataFrame()
        cost = market_cost(cur.execute("SELECT * FROM campaigns").df())
    if lift.empty:
        print("not run: needs the lift job (no campaign_lift rows in this store)")
        return
    from truth import ground_truth_dir

    gt = ground_truth_dir(db)
    planted = pd.read_csv(gt / "country_response.csv").set_index("country", drop=False)
    started = time.perf_counter()
    # as the budget job does: the curves are fitted on the platforms with a measurable effect
    fit = rs.fit(pooling.shaping_lifts(lift, cost=cost), cost=cost, robust=True)
    seconds = time.perf_counter() - started
    f = curve_figures(fit, planted)
    every = curve_figures(rs.fit(lift, cost=cost, robust=True), planted)
    plain = curve_figures(rs.fit(pooling.shaping_lifts(lift, cost=cost), cost=cost), planted)
    print(f"  (every platform, as before: ceiling r {every['ceiling_r']:.2f} / "
          f"{every['ceiling_r_5']:.2f}; plateau +-30 % {every['plateau_30']:.0%})")  # fmt: skip
    print(f"  (not robust, as before this change: ceiling r {plain['ceiling_r']:.2f} / "
          f"{plain['ceiling_r_5']:.2f}; plateau +-30 % {plain['plateau_30']:.0%})")  # fmt: skip
    print(f"territories {f['territories']} ({f['n_5']} with >= 5 campaigns); ceiling r "
          f"{f['ceiling_r']:.2f} / {f['ceiling_r_5']:.2f}; plateau +-30 % {f['plateau_30']:.0%}; "
          f"fit {seconds:.1f} s (optimiser figures need the world: use --lift truth)")  # fmt: skip
    # What perfect lifts would give: the same fit on the planted incremental streams, with
    # the store's counterfactuals and interval widths (what a lift model can at best reach).
    perfect = perfect_lifts(lift, pd.read_csv(gt / "campaigns_truth.csv"))
    p = curve_figures(
        rs.fit(pooling.shaping_lifts(perfect, cost=cost), cost=cost, robust=True), planted
    )
    print(f"  with perfect lifts (planted incremental streams, same counterfactuals and widths):"
          f" ceiling r {p['ceiling_r']:.2f} / {p['ceiling_r_5']:.2f}; plateau +-30 % "
          f"{p['plateau_30']:.0%}")  # fmt: skip


def perfect_lifts(lift: pd.DataFrame, truth: pd.DataFrame) -> pd.DataFrame:
    """`lift` with each estimate replaced by the planted incremental streams, its interval
    kept as wide as the store's (centred on the truth)."""
    out = lift.drop(columns=["true_incremental_streams"], errors="ignore").merge(
        truth[["campaign_id", "true_incremental_streams"]], on="campaign_id", how="left"
    )
    half = (out["high"] - out["low"]) / 2
    out["incremental_streams"] = out["true_incremental_streams"].where(
        out["incremental_streams"].notna()
    )
    out["low"] = out["incremental_streams"] - half
    out["high"] = out["incremental_streams"] + half
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lift", choices=("truth", "store"), default="truth")
    ap.add_argument("--seeds", type=int, nargs="+", default=[101, 202])
    ap.add_argument("--size", default="demo")
    ap.add_argument("--db", default="data/labelradar.duckdb")
    args = ap.parse_args()
    if args.lift == "truth":
        run_truth(args.seeds, args.size)
    else:
        run_store(args.db)


if __name__ == "__main__":
    main()
