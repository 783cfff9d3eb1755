"""An artist's next 90 days: its own forecast against the sum of its tracks' forecasts.

    python bench/forecast_artist_totals.py [--realdata ../shared/realdata] [--seeds 1 2 3]

The Forecasts page forecasts an artist's own total; the Catalog's quarter figure sums the
forecasts of the tracks out today. They differ (by over 5 % for half the demo artists).
This backtest says which answers what, at three cut-offs (every 30 days, 90 days after
each), one global model per cut-off as in bench/forecast_bench.py:

- artist total: the artist's actual streams over the 90 days (every track, those released
  during the 90 days too) against its own forecast and against the sum of its tracks';
- tracks out today: the actual streams of the tracks forecast at the cut-off against the
  sum of their forecasts (what the Catalog's figure claims to be);
- new tracks' share: the part of the artist's 90 days that came from tracks not forecast at
  the cut-off (released later, or under a week old);
- tracks scaled to the artist: each track's forecast scaled so that they add up to the
  artist's own (top-down reconciliation), against the track's own forecast.

Scores: median absolute percentage error (MdAPE) over artists (tracks), and the median log
ratio forecast / actual (bias). Real data: the US top 200 and Coldplay 2017 charts, read from
../shared/realdata, never copied (days off the chart are unknown, not zero: a chart artist's
"total" is its listed streams). Synthetic: fresh worlds of the generator, as forecast_bench.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from forecast_bench import REAL, chart_panel, synthetic_panel, union

from analytics.forecast import ForecastParams, Panel, fit, truncate

H = 90


def _cuts(panel: Panel) -> list[int]:
    T = panel.streams.shape[1]
    return [T - 1 - H - 60, T - 1 - H - 30, T - 1 - H]


def backtest(name: str, panel: Panel) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per (cut, artist) and per (cut, forecast track): forecasts and actual 90-day sums."""
    kinds = panel.series["kind"].to_numpy()
    ids = panel.series["series_id"].to_numpy()
    artists, tracks = [], []
    for cut in _cuts(panel):
        t0 = time.perf_counter()
        model = fit(truncate(panel, cut), ForecastParams())
        p50 = model.series.set_index("series_id")["total_p50"]
        ahead = np.nansum(panel.streams[:, cut + 1 : cut + 1 + H], axis=1)
        for a in np.flatnonzero(kinds == "artist"):
            if ids[a] not in p50.index:
                continue
            rows = [
                i
                for i in np.flatnonzero((panel.artist_row == a) & (kinds == "track"))
                if ids[i] in p50.index
            ]
            summed = float(p50.loc[ids[rows]].sum()) if rows else 0.0
            own = float(p50.loc[ids[a]])
            artists.append(
                {
                    "data": name,
                    "cut": cut,
                    "actual": ahead[a],
                    "actual_out_today": float(ahead[rows].sum()) if rows else 0.0,
                    "own": own,
                    "sum_tracks": summed,
                }
            )
            for i in rows:
                scaled = p50.loc[ids[i]] * own / summed if summed > 0 else np.nan
                tracks.append(
                    {
                        "data": name,
                        "cut": cut,
                        "actual": ahead[i],
                        "listed": int(np.isfinite(panel.streams[i, cut + 1 : cut + 1 + H]).sum()),
                        "own": float(p50.loc[ids[i]]),
                        "scaled": scaled,
                    }
                )
        print(
            f"  {name}: cut {panel.dates[cut].date()} fitted in {time.perf_counter() - t0:.1f} s",
            flush=True,
        )
    return pd.DataFrame(artists), pd.DataFrame(tracks)


def _mdape(pred: pd.Series, actual: pd.Series) -> float:
    return float(((pred - actual).abs() / actual).median())


def _bias(pred: pd.Series, actual: pd.Series) -> float:
    return float(np.log((pred + 1.0) / (actual + 1.0)).median())


def report(artists: pd.DataFrame, tracks: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for name, g in artists.groupby("data", sort=False):
        g = g[g.actual > 0]
        out = g[g.actual_out_today > 0]
        t = tracks[(tracks.data == name) & (tracks.actual > 0)]
        if name.startswith("real"):
            t = t[t.listed == H]  # a chart track's actual is whole only when listed every day
        rows.append(
            {
                "data": name,
                "artists": len(g),
                "artist total: own MdAPE": _mdape(g.own, g.actual),
                "artist total: sum of tracks MdAPE": _mdape(g.sum_tracks, g.actual),
                "own bias": _bias(g.own, g.actual),
                "sum bias": _bias(g.sum_tracks, g.actual),
                "tracks out today: sum MdAPE": _mdape(out.sum_tracks, out.actual_out_today),
                "new tracks' share (mean)": float(
                    (1 - g.actual_out_today / g.actual).clip(lower=0).mean()
                ),
                "tracks": len(t),
                "track: own MdAPE": _mdape(t.own, t.actual),
                "track: scaled to artist MdAPE": _mdape(t.scaled, t.actual),
            }
        )
    return pd.DataFrame(rows).set_index("data").T


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--realdata", type=Path, default=REAL)
    ap.add_argument("--seeds", type=int, nargs="*", default=[1, 2, 3])
    args = ap.parse_args(argv)
    frames: list[tuple[pd.DataFrame, pd.DataFrame]] = []
    us = args.realdata / "spotify_daily_us_2017" / "us_data.csv"
    coldplay = args.realdata / "spotify_daily_coldplay_2017" / "coldplay.csv"
    if us.exists() and coldplay.exists():
        # one store holding both chart imports, as `labelradar demo --real` builds it
        panel = union(
            [
                chart_panel(us, ["Track Name", "Artist"], "Artist", "real us_2017"),
                chart_panel(coldplay, ["Track Name", "Region"], "Region", "real coldplay_2017"),
            ]
        )
        frames.append(backtest("real charts 2017", panel))
    else:
        print(f"real data absent under {args.realdata}: not measured")
    with tempfile.TemporaryDirectory() as tmp:
        for seed in args.seeds:
            frames.append(backtest(f"synthetic seed {seed}", synthetic_panel(seed, Path(tmp))))
    artists = pd.concat([f[0] for f in frames], ignore_index=True)
    tracks = pd.concat([f[1] for f in frames], ignore_index=True)
    pd.set_option("display.width", 200)
    print("\n== 90-day totals, median over artists (tracks) and the three cut-offs")
    print(report(artists, tracks).round(3).to_string())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
