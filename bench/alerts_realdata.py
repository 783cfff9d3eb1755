"""Change detection on real Spotify chart data (2017): the US top 200 and Coldplay's tracks.

    python bench/alerts_realdata.py [--top 15] [--realdata ../shared/realdata]

Reads ../shared/realdata/spotify_daily_us_2017/us_data.csv and
spotify_daily_coldplay_2017/coldplay.csv (never copied into the repo). Chart data only
holds a track on the days it is in the top 200, so a day off the chart is a MISSING day
(censored), not zero streams: the filter skips the update on those days. Hyperparameters
are fitted on the data itself (statsmodels MLE on a sample of tracks), then every track is
filtered at once and the strongest alerts are printed with their dates.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd

from analytics.alerts.detect import DetectConfig, detect, fit_hyper

ROOT = Path(__file__).resolve().parents[1]

REAL = Path(__file__).resolve().parents[2] / "shared" / "realdata"


def _matrix(df: pd.DataFrame, key: str) -> tuple[np.ndarray, np.ndarray, pd.DatetimeIndex]:
    df = df.assign(Date=pd.to_datetime(df.Date))
    piv = df.pivot_table(index=key, columns="Date", values="Streams", aggfunc="sum")
    dates = pd.date_range(piv.columns.min(), piv.columns.max(), freq="D")
    piv = piv.reindex(columns=dates)  # days absent from the chart stay NaN (censored)
    return piv.index.to_numpy(), piv.to_numpy(dtype=float), dates


def run(name: str, ids: np.ndarray, counts: np.ndarray, dates, top: int) -> None:
    started = time.perf_counter()
    try:
        hp, fits = fit_hyper(counts, days=counts.shape[1])  # charts: use the whole year
    except ValueError as exc:
        print(f"\n== {name}: {len(ids)} series x {len(dates)} days: not measured ({exc})")
        return
    fitted = time.perf_counter() - started
    det = detect(counts, hp, DetectConfig())
    seconds = time.perf_counter() - started
    a = det.alerts.copy()
    print(
        f"\n== {name}: {len(ids)} series x {len(dates)} days "
        f"({np.isnan(counts).mean():.0%} of cells censored/missing); "
        f"fit {fitted:.1f} s ({len(fits)} series), fit + filter + detect {seconds:.1f} s"
    )
    print(
        f"   hyperparameters: irregular {hp.irregular:.4g}, level {hp.level:.3g}, "
        f"trend {hp.trend:.3g}, seasonal {hp.seasonal:.3g}; monitored "
        f"{int(det.monitored.sum())}; alerts {len(a)} "
        f"({a.kind.value_counts().to_dict() if len(a) else {}})"
    )
    if a.empty:
        return
    # Most significant first: rapid by |z|, gradual by the size of the trend (log/day).
    a["strength"] = np.where(
        a.kind.isin(["spike", "drop"]), a.statistic.abs(), a.statistic.abs() * 300
    )
    for r in a.sort_values("strength", ascending=False).head(top).itertuples():
        print(
            f"   {dates[r.onset]:%Y-%m-%d} (flagged {dates[r.detected]:%m-%d}) {r.kind:<7} "
            f"{str(ids[r.series])[:60]:<60} observed {r.observed:>10,.0f} vs expected "
            f"{r.expected:>10,.0f}  p={r.probability:.6f}"
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--top", type=int, default=15)
    ap.add_argument(
        "--realdata",
        type=Path,
        default=REAL,
        help="the shared realdata folder (default: ../shared/realdata beside the repo)",
    )
    args = ap.parse_args()
    us_path = args.realdata / "spotify_daily_us_2017" / "us_data.csv"
    cp_path = args.realdata / "spotify_daily_coldplay_2017" / "coldplay.csv"
    if not us_path.exists() or not cp_path.exists():
        print(f"realdata absent: expected {us_path} and {cp_path}; nothing measured")
        return
    us = pd.read_csv(us_path)
    us["key"] = us["Track Name"].astype(str) + " — " + us["Artist"].astype(str)
    run("Spotify US top 200, 2017 (per track)", *_matrix(us, "key"), args.top)
    cp = pd.read_csv(cp_path)
    glob = cp[cp.Region == "global"]
    run("Coldplay, global chart 2017 (per track)", *_matrix(glob, "Track Name"), args.top)
    cp["key"] = cp["Track Name"].astype(str) + " @ " + cp["Region"].astype(str)
    run("Coldplay, every country's chart 2017 (per track x country)", *_matrix(cp, "key"), args.top)


if __name__ == "__main__":
    main()
