"""The alert band's 28-day forecast: damped trend against the model's own (undamped) trend.

    python bench/alerts_band_damping.py [--worlds 5 131 173] [--realdata ../shared/realdata]

Rolling-origin backtest: each track series is filtered up to a cut-off (28, 56 and 84 days
before its data ends), forecast 28 days ahead from the filter's last state, and scored on
the days it was observed after the cut-off (chart data: only the days a track was listed).
Per damping phi (None = undamped, the obvious alternative; 0 = no trend at all): mean and
median absolute error on the log scale over days 1-28 and over days 22-28, and how often
the 80 % interval held the day (target 0.80). Planted worlds are SYNTHETIC (seed 5 is the
one the default was chosen on; pass fresh ones); the real charts are the store
`labelradar demo --real` builds, read in place.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
from scipy.stats import norm

from analytics.alerts.bands import DAMPING, HORIZON
from analytics.alerts.detect import DetectConfig, detect, fit_hyper
from analytics.alerts.kalman import FilterState, forecast
from analytics.alerts.series import track_series
from data import realdemo
from data.results import alerts as alerts_results
from data.store import open_store

CUTS = (28, 56, 84)
PHIS: tuple[float | None, ...] = (None, 0.95, DAMPING, 0.8, 0.0)
Z80 = float(norm.ppf(0.9))


def backtest(counts: np.ndarray) -> dict[float | None, dict[str, float]]:
    """Scores per damping over the cut-offs (see the module docstring)."""
    hp, _ = fit_hyper(counts)
    errs: dict[float | None, list[np.ndarray]] = {p: [] for p in PHIS}
    last: dict[float | None, list[np.ndarray]] = {p: [] for p in PHIS}
    held: dict[float | None, list[np.ndarray]] = {p: [] for p in PHIS}
    for cut in CUTS:
        train, test = counts[:, :-cut], counts[:, -cut:][:, :HORIZON]
        det = detect(train, hp, DetectConfig())
        # monitored series seen in the last week before the cut-off
        keep = det.monitored & ~np.isnan(train[:, -7:]).all(axis=1)
        state = FilterState(det.output.state.a[keep], det.output.state.P[keep])
        y = np.log1p(test[keep])
        seen = ~np.isnan(y)
        for phi in PHIS:
            mean, var = forecast(state, hp, det.obs_var[keep], HORIZON, damping=phi)
            err = np.abs(mean - y)
            errs[phi].append(err[seen])
            last[phi].append(err[:, -7:][seen[:, -7:]])
            held[phi].append((err <= Z80 * np.sqrt(var))[seen])
    out = {}
    for phi in PHIS:
        e, w, h = (np.concatenate(x[phi]) for x in (errs, last, held))
        out[phi] = {
            "mean": float(e.mean()),
            "median": float(np.median(e)),
            "mean_wk4": float(w.mean()),
            "median_wk4": float(np.median(w)),
            "cover80": float(h.mean()),
            "days": int(e.size),
        }
    return out


def report(name: str, scores: dict[float | None, dict[str, float]], seconds: float) -> None:
    base = scores[None]
    print(f"\n== {name}: {base['days']:,} scored days per setting ({seconds:.1f} s)")
    print(
        "   phi    mean |log err| (median)   days 22-28 mean (median)   80 % cover   mean vs undamped"
    )
    for phi, s in scores.items():
        label = "none" if phi is None else f"{phi:.2f}"
        print(
            f"   {label:<6} {s['mean']:.3f} ({s['median']:.3f})"
            f"{'':13}{s['mean_wk4']:.3f} ({s['median_wk4']:.3f})"
            f"{'':12}{s['cover80']:.3f}       {s['mean'] / base['mean']:.3f}x"
        )


def planted(seeds: list[int]) -> None:
    from data.synth.config import SynthConfig
    from data.synth.series import planted_daily_counts
    from data.synth.world import build_world

    for seed in seeds:
        world = build_world(SynthConfig.preset("demo", listeners=2000), seed=seed)
        started = time.perf_counter()
        scores = backtest(planted_daily_counts(world))
        report(f"planted world seed {seed} (SYNTHETIC)", scores, time.perf_counter() - started)


def real(root: Path) -> None:
    missing = realdemo.missing_files(root)
    if missing:
        print(f"\nreal data absent ({missing[0]}): real charts not measured")
        return
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "real.duckdb"
        realdemo.build_real_store(db, root)
        with open_store(db, read_only=True) as store:
            totals, repeats, catalog = alerts_results.daily_streams(store.cursor())
    series = track_series(totals, repeats)
    label = catalog.set_index("isrc").label.reindex(series.ids).to_numpy()
    for name in sorted(set(label)):
        started = time.perf_counter()
        scores = backtest(series.counts[label == name])
        report(f"{name} (real, tracks)", scores, time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--worlds", type=int, nargs="*", default=[5, 131, 173])
    parser.add_argument("--realdata", type=Path, default=realdemo.DEFAULT_ROOT)
    args = parser.parse_args()
    print(
        f"band forecast: {HORIZON} days ahead, cut-offs {CUTS} days before the end; "
        f"default damping {DAMPING}"
    )
    planted(args.worlds)
    real(args.realdata)


if __name__ == "__main__":
    main()
