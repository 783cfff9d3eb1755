"""Change detection on real Spotify chart data (2017): the US top 200 and Coldplay's tracks.

    python bench/alerts_realdata.py [--top 15] [--realdata ../shared/realdata]

Reads ../shared/realdata/spotify_daily_us_2017/us_data.csv and
spotify_daily_coldplay_2017/coldplay.csv (never copied into the repo). Chart data only
holds a track on the days it is in the top 200, so a day off the chart is a MISSING day
(censored), not zero streams: the filter skips the update on those days. Hyperparameters
are fitted on the data itself (statsmodels MLE on a sample of tracks), then every track is
filtered at once and the strongest alerts are printed with their dates.

Artist level: an artist's daily total is the sum of its charting tracks (a day none of them
charted is missing; a track off the chart counts nothing that day, so a total also dips
when tracks leave the chart: censoring, printed as it is). The US totals are also run
chain-linked over the tracks listed on consecutive days (analytics/alerts/chained.py: a
track's first day adds, re-entries and exits do not), which is what the alerts job builds
for chart imports. Artist totals get their own
hyperparameters (fitted on artist totals) and the artist materiality; a spike within a day
of one of the artist's tracks' first chart day is printed as `release`. The named events
are listed for the artists and countries a music fan would check.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd

from analytics.alerts.chained import chain_linked
from analytics.alerts.detect import DetectConfig, detect, fit_hyper, launch_weeks

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


WATCH_US = ("Ed Sheeran", "Drake", "Kendrick Lamar", "Taylor Swift", "Eminem", "Logic")


def _chained(df: pd.DataFrame, unit: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Artist totals chain-linked over the tracks listed on consecutive days (what the alerts
    job builds for chart imports): a re-entry or an exit does not move them. Also returns
    the listed streams per index point (to print alerts in streams, as the job saves them)."""
    ids, tracks, _ = _matrix(df.assign(key=df[unit] + "\x00" + df["Track Name"]), "key")
    owner = np.array([i.split("\x00")[0] for i in ids])
    units = np.unique(owner)
    index = np.vstack([chain_linked(tracks[owner == u]) for u in units])
    plain = np.vstack([np.nansum(tracks[owner == u], axis=0) for u in units])
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.where(index > 0, plain / index, 1.0)
    return units, index, scale


def run_artists(
    name: str, df: pd.DataFrame, unit: str, watch, top: int, chained: bool = False
) -> None:
    """Detection on artist totals (unit = the column naming the total's series); chained:
    chain-linked totals instead of plain sums."""
    df = df.assign(Date=pd.to_datetime(df.Date))
    ids, counts, dates = _matrix(df, unit)
    scale = None
    if chained:
        ids, counts, scale = _chained(df, unit)
    # the units' tracks' first chart days (after the data's first): their launch weeks are
    # known steps of the total (the job's analytics/alerts/model.py `_debut_days`)
    first = df.groupby([unit, "Track Name"]).Date.min().reset_index()
    first = first[first.Date > dates[0]]
    firsts = {k: set(g.Date) for k, g in first.groupby(unit)}
    cfg = DetectConfig()
    launches = np.zeros(counts.shape, dtype=bool)
    row = {u: i for i, u in enumerate(ids)}
    for u, days in firsts.items():
        for d in days:
            launches[row[u], (d - dates[0]).days] = True
    steps_up = launch_weeks(launches, cfg.launch_days)
    started = time.perf_counter()
    hp, fits = fit_hyper(counts, days=counts.shape[1])
    det = detect(counts, hp, cfg, artist=True, steps_up=steps_up, launches=launches)
    seconds = time.perf_counter() - started
    a = det.alerts.copy()
    if scale is not None and not a.empty:  # the index's numbers in listed streams
        factor = scale[a.series.to_numpy(), a.onset.to_numpy()]
        a["observed"], a["expected"] = a.observed * factor, a.expected * factor
    # release: a spike within a day of one of the unit's tracks' first chart day
    onset = dates[a.onset]
    near = [
        any(abs((d - o).days) <= 1 for d in firsts.get(ids[i], ()))
        for i, o in zip(a.series, onset, strict=True)
    ]
    a.loc[(a.kind == "spike").to_numpy() & np.array(near, dtype=bool), "kind"] = "release"
    print(
        f"\n== {name}: {len(ids)} artist totals x {len(dates)} days; fit + filter + detect "
        f"{seconds:.1f} s ({len(fits)} series fitted)"
    )
    print(
        f"   artist-level hyperparameters: irregular {hp.irregular:.4g}, level {hp.level:.3g}, "
        f"trend {hp.trend:.3g}, seasonal {hp.seasonal:.3g}; alerts {len(a)} "
        f"({a.kind.value_counts().to_dict() if len(a) else {}})"
    )

    def line(r) -> str:
        lift = np.expm1(np.log1p(r.observed) - np.log1p(max(r.expected, 0.0)))
        return (
            f"   {dates[r.onset]:%Y-%m-%d} (flagged {dates[r.detected]:%m-%d}) {r.kind:<7} "
            f"{str(ids[r.series])[:40]:<40} observed {r.observed:>11,.0f} vs expected "
            f"{r.expected:>11,.0f} ({lift:+.0%})"
        )

    for who in watch:
        mine = a[ids[a.series] == who].sort_values("onset")
        print(f"   -- {who}: {len(mine)} alerts")
        for r in mine.itertuples():
            print(line(r))
    a["strength"] = a.probability + a.observed / a.observed.max() * 1e-3
    rapid = a[a.kind.isin(["spike", "drop", "release"])]
    print(f"   -- strongest rapid changes of any artist (top {top})")
    for r in rapid.sort_values(["probability", "observed"], ascending=False).head(top).itertuples():
        print(line(r))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--top", type=int, default=15)
    ap.add_argument(
        "--realdata",
        type=Path,
        default=REAL,
        help="the shared realdata folder (default: ../shared/realdata beside the repo)",
    )
    ap.add_argument(
        "--artists-only", action="store_true", help="only the artist-total runs (faster)"
    )
    args = ap.parse_args()
    us_path = args.realdata / "spotify_daily_us_2017" / "us_data.csv"
    cp_path = args.realdata / "spotify_daily_coldplay_2017" / "coldplay.csv"
    if not us_path.exists() or not cp_path.exists():
        print(f"realdata absent: expected {us_path} and {cp_path}; nothing measured")
        return
    us = pd.read_csv(us_path)
    us["key"] = us["Track Name"].astype(str) + " — " + us["Artist"].astype(str)
    cp = pd.read_csv(cp_path)
    glob = cp[cp.Region == "global"]
    if not args.artists_only:
        run("Spotify US top 200, 2017 (per track)", *_matrix(us, "key"), args.top)
        run("Coldplay, global chart 2017 (per track)", *_matrix(glob, "Track Name"), args.top)
        cp["key"] = cp["Track Name"].astype(str) + " @ " + cp["Region"].astype(str)
        run(
            "Coldplay, every country's chart 2017 (per track x country)",
            *_matrix(cp, "key"),
            args.top,
        )
    run_artists("Spotify US top 200, 2017 (ARTIST totals)", us, "Artist", WATCH_US, args.top)
    run_artists(
        "Spotify US top 200, 2017 (ARTIST totals, chain-linked: the alerts job's input)",
        us,
        "Artist",
        WATCH_US,
        args.top,
        chained=True,
    )
    countries = cp[cp.Region != "global"]  # global is worldwide: never added to countries
    run_artists(
        "Coldplay, ARTIST total per country 2017", countries, "Region", ("sg", "gb", "de"), args.top
    )
    run_artists("Coldplay, ARTIST total worldwide (global chart)", glob, "Artist", ("Coldplay",), 5)


if __name__ == "__main__":
    main()
