"""Campaign lift: accuracy and speed of the counterfactual model against a plain pre/post
comparison and a difference-in-differences estimate, on the same campaigns in the same run.

    PYTHONPATH=. python bench/campaign_lift_bench.py [--seeds 3 4] [--size demo]
        [--workdir /tmp/labelradar-campaign-bench] [--realdata ../shared/realdata]

Synthetic (SYNTHETIC stores built with `labelradar demo` for each seed, kept in --workdir):
the truth is ground_truth/campaigns_truth.csv `true_incremental_streams`. Figures, over the
campaigns each method estimates:
  coverage   share of campaigns whose 90 % interval holds the true incremental streams;
  rel_err    median of |estimate - truth| / truth over campaigns with truth > 0;
  fp_zero    share of zero-effect campaigns (planted uplift 0) given P(effect > 0) > 0.95.
Methods: "pooled (this)" is what the campaigns job persists (each window's counterfactual
lift pooled with its territory's response and platform, analytics.campaigns.pooling);
"window alone" the same counterfactual without the pooling. Its seconds include the window's.
Baselines (same series, same window): pre/post = window streams minus the pre-period's mean
day times the window length; DiD = the same, scaled by the change of the same track in the
countries no campaign touched. Both get a normal interval from the pre-period's daily
spread; overlapping campaigns share their window's lift by daily spend.

Real data: the real sets have no campaigns. As a check of the false-positive rate, placebo
campaigns (fake 28-day windows) on US daily chart series (spotify_daily_us_2017), with the
rest of the chart as the control series: the share called significant should be near 5 %.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.special import ndtr

from analytics.campaigns import LiftParams, estimate, group_campaigns
from app.campaigns.job import lift_table, pooled_lift_table
from bench.truth import ground_truth_dir
from data.results import budget as budget_data
from data.results import campaigns as campaign_data
from data.store import open_store
from data.synth import build_demo_store

REAL = Path(__file__).resolve().parents[2] / "shared" / "realdata"
Z90 = 1.6449


# -- baselines ---------------------------------------------------------------------------
def baselines(groups, daily: pd.DataFrame, pre_days: int) -> dict[str, pd.DataFrame]:
    """Pre/post and DiD estimates (campaign_id, incremental_streams, low, high, p_effect)."""
    out: dict[str, list[dict]] = {"pre/post": [], "DiD": []}
    by_group = dict(tuple(daily.groupby("group_id")))
    for g in groups:
        d = by_group.get(g.group_id)
        days = pd.date_range(g.span_start(pre_days), g.end, freq="D")
        d = (d.set_index("date") if d is not None else pd.DataFrame()).reindex(days).fillna(0.0)
        start = pd.Timestamp(g.start)
        pre = d[(d.index < start) & (d.index >= start - pd.Timedelta(days=pre_days))]
        win = d[d.index >= start]
        if (pre["target"] > 0).sum() < 28:
            continue
        n = len(win)
        base = pre["target"].mean()
        sd_day = pre["target"].std()
        ratio = (
            win["ctrl_track"].mean() / pre["ctrl_track"].mean()
            if pre["ctrl_track"].mean() > 0
            else 1.0
        )
        rel = (pre["target"] / pre["target"].mean()) - (
            pre["ctrl_track"] / pre["ctrl_track"].mean() if pre["ctrl_track"].mean() > 0 else 1.0
        )
        for name, cf, sd in (
            ("pre/post", base * n, sd_day * np.sqrt(n) * np.sqrt(1 + n / len(pre))),
            (
                "DiD",
                base * ratio * n,
                base * float(np.std(rel)) * np.sqrt(n) * np.sqrt(1 + n / len(pre)),
            ),
        ):
            total = win["target"].sum() - cf
            spend = np.array(g.spends) / np.array(
                [(e - s).days + 1 for s, e in zip(g.starts, g.ends, strict=True)]
            )
            share = spend / spend.sum()
            for cid, sh in zip(g.campaign_ids, share, strict=True):
                est, s = total * sh, max(sd * sh, 1e-9)
                out[name].append(
                    {
                        "campaign_id": cid,
                        "incremental_streams": est,
                        "low": est - Z90 * s,
                        "high": est + Z90 * s,
                        "p_effect": float(ndtr(est / s)),
                    }
                )
    return {k: pd.DataFrame(v) for k, v in out.items()}


def score(est: pd.DataFrame, truth: pd.DataFrame) -> dict[str, float]:
    m = est.merge(truth, on="campaign_id").dropna(subset=["incremental_streams"])
    tr = m["true_incremental_streams"]
    pos, zero = m[tr > 0], m[tr == 0]
    rel = (pos["incremental_streams"] - pos["true_incremental_streams"]).abs() / pos[
        "true_incremental_streams"
    ]
    return {
        "n": len(m),
        "coverage": float(((m["low"] <= tr) & (tr <= m["high"])).mean()),
        "rel_err": float(rel.median()),
        "n_zero": len(zero),
        "fp_zero": float((zero["p_effect"] > 0.95).mean()) if len(zero) else float("nan"),
    }


def synthetic(seed: int, size: str, workdir: Path) -> list[dict]:
    db = workdir / f"{size}-seed{seed}.duckdb"
    if not db.exists():
        t = time.perf_counter()
        build_demo_store(db, size=size, seed=seed, out_dir=workdir / f"{size}-seed{seed}")
        print(f"  built {db.name} in {time.perf_counter() - t:.0f} s")
    truth = pd.read_csv(ground_truth_dir(db) / "campaigns_truth.csv")[
        ["campaign_id", "true_incremental_streams"]
    ]
    params = LiftParams()
    with open_store(db, read_only=True) as store:
        t0 = time.perf_counter()
        camp = campaign_data.campaigns(store.cursor())
        groups = group_campaigns(camp)
        artist_of = dict(zip(camp["isrc"], camp["artist_id"], strict=False))
        daily = campaign_data.series(store.cursor(), groups, artist_of, params.lookback_days)
        cost = budget_data.market_cost(store.cursor())
        read_s = time.perf_counter() - t0
    rows = []
    t = time.perf_counter()
    result = estimate(groups, daily, camp, params)
    window_s = time.perf_counter() - t
    lift, pooled = pooled_lift_table(camp, result.campaigns, cost, params)
    model_s = time.perf_counter() - t
    rows.append({"seed": seed, "method": "pooled (this)", "seconds": model_s, **score(lift, truth)})
    alone = lift_table(camp, result.campaigns)
    rows.append(
        {"seed": seed, "method": "  window alone", "seconds": window_s, **score(alone, truth)}
    )
    raw = lift_table(camp, estimate(groups, daily, camp, LiftParams(calibrate=False)).campaigns)
    rows.append(
        {
            "seed": seed,
            "method": "  window alone, no placebo widening",
            "seconds": np.nan,
            **score(raw, truth),
        }
    )
    clean = lift[lift["flag"].isna()]
    rows.append(
        {"seed": seed, "method": "  of which no flag", "seconds": np.nan, **score(clean, truth)}
    )
    t = time.perf_counter()
    base = baselines(groups, daily, params.pre_days)
    base_s = (time.perf_counter() - t) / 2
    for name, frame in base.items():
        rows.append({"seed": seed, "method": name, "seconds": base_s, **score(frame, truth)})
    print(
        f"  seed {seed}: {len(camp)} campaigns, {len(groups)} windows; reading series "
        f"{read_s:.1f} s; pooling {pooled}; placebo scale {result.calibration.get('scale')}, placebo "
        f"false positives {result.calibration.get('placebo_false_positive')}"
    )
    return rows


# -- real data: placebo campaigns on the US daily chart -----------------------------------
def real_placebos(realdata: Path, seed: int = 0) -> dict[str, float] | None:
    path = realdata / "spotify_daily_us_2017" / "us_data.csv"
    if not path.exists():
        print(f"  {path} is absent: real-data placebo check skipped")
        return None
    df = pd.read_csv(path)
    df["date"] = pd.to_datetime(df["Date"])
    df["track"] = df["Track Name"].astype(str) + " | " + df["Artist"].astype(str)
    wide = df.pivot_table(index="date", columns="track", values="Streams", aggfunc="sum")
    wide = wide.asfreq("D")
    market = wide.sum(axis=1, min_count=1)
    artist = df.drop_duplicates("track").set_index("track")["Artist"]
    rng = np.random.default_rng(seed)
    rows, series = [], []
    length, pre = 28, 56
    for track in wide.columns:
        s = wide[track]
        listed = s.notna().to_numpy()
        # longest run of listed days (off-chart days are censored, not zero)
        best, run, end = 0, 0, -1
        for i, ok in enumerate(listed):
            run = run + 1 if ok else 0
            if run > best:
                best, end = run, i
        need = 2 * (pre + length)
        if best < need:
            continue
        first = end - best + 1
        start = int(rng.integers(first + pre + length, end - length + 2))
        gid = len(rows)
        rows.append(
            {
                "campaign_id": f"PLACEBO{gid:04d}",
                "isrc": track,
                "country": "US",
                "start_date": s.index[start].date(),
                "end_date": s.index[start + length - 1].date(),
                "spend_usd": 1000.0,
            }
        )
        idx = s.index[first : end + 1]
        peers = [c for c in wide.columns if c != track and artist.get(c) == artist.get(track)]
        peer = wide.loc[idx, peers].sum(axis=1) if peers else pd.Series(0.0, index=idx)
        series.append(
            pd.DataFrame(
                {
                    "group_id": gid,
                    "date": idx,
                    "target": s.loc[idx].to_numpy(),
                    "ctrl_track": (market.loc[idx] - s.loc[idx]).to_numpy(),
                    "ctrl_peer": peer.to_numpy(),
                }
            )
        )
    if not rows:
        return None
    camp = pd.DataFrame(rows)
    groups = group_campaigns(camp)
    gid_of = {g.campaign_ids[0]: g.group_id for g in groups}
    daily = pd.concat(series, ignore_index=True)
    daily["group_id"] = daily["group_id"].map(lambda i: gid_of[f"PLACEBO{i:04d}"])
    t = time.perf_counter()
    res = estimate(groups, daily, camp, LiftParams())
    secs = time.perf_counter() - t
    est = res.campaigns.dropna(subset=["incremental_streams"])
    raw = estimate(groups, daily, camp, LiftParams(calibrate=False)).campaigns
    raw = raw.dropna(subset=["incremental_streams"])
    return {
        "placebos": len(est),
        "fp_p95_uncalibrated": float((raw["p_effect"] > 0.95).mean()),
        "fp_p95": float((est["p_effect"] > 0.95).mean()),
        "zero_in_90": float(((est["low"] <= 0) & (est["high"] >= 0)).mean()),
        "scale": res.calibration.get("scale", 1.0),
        "seconds": secs,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, nargs="+", default=[3, 4])
    ap.add_argument("--size", default="demo")
    ap.add_argument("--workdir", type=Path, default=Path("/tmp/labelradar-campaign-bench"))
    ap.add_argument("--realdata", type=Path, default=REAL)
    args = ap.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    rows = []
    for seed in args.seeds:
        rows += synthetic(seed, args.size, args.workdir)
    table = pd.DataFrame(rows)
    pd.set_option("display.width", 160)
    print("\nSYNTHETIC planted campaigns (fresh seeds):")
    print(table.round(3).to_string(index=False))
    ours = table[table["method"] == "pooled (this)"]
    n = ours["n"].sum()
    for col, target, ok in (
        ("coverage", "85-95 %", lambda v: 0.85 <= v <= 0.95),
        ("rel_err", "<= 0.20", lambda v: v <= 0.20),
        ("fp_zero", "<= 0.10", lambda v: v <= 0.10),
    ):
        worst = [float(v) for v in ours[col]]
        verdict = "MET" if all(ok(v) for v in worst) else "NOT MET"
        print(
            f"  {col}: per seed {', '.join(f'{v:.3f}' for v in worst)} (target {target}): {verdict}"
        )
    print(f"  estimated campaigns over the seeds: {n}")
    real = real_placebos(args.realdata)
    if real is not None:
        print("\nREAL data (spotify_daily_us_2017), placebo campaigns, no real campaigns exist:")
        print(
            "  "
            + ", ".join(
                f"{k} {v:.3f}" if isinstance(v, float) else f"{k} {v}" for k, v in real.items()
            )
        )


if __name__ == "__main__":
    main()
