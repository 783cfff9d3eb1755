"""Change detection against the planted events of a generated (SYNTHETIC) demo store.

    labelradar refresh --only alerts        # on the demo store (data/labelradar.duckdb)
    python bench/alerts_planted.py
    python bench/alerts_planted.py --db STORE --truth DIR/ground_truth
    python bench/alerts_planted.py --worlds 5 9 13     # fresh worlds, as in the tests

With --worlds, each seed's world (data.synth.build_world, demo size) is drawn straight to
daily series with the renderer's noise model (as tests/analytics/alerts/test_alerts_planted.py
does) and scored the same way (no attribution: that needs rendered rows).

Runs the alerts job's computation (read-only: nothing is written) and scores it against
events.csv / tracks.csv: precision, recall and F1 for events matched within 3 days (same
track and kind), median detection delay per kind, false alarms per 10 track-years on
event-free tracks, and how often the attribution names the planted cause (dimension and
value) of a detected event. --worlds scores campaign lifts by materiality (a material
lift is a planted spike and drop, a smaller one neutral); store mode prints its scores
without them, then with them scored that way when the truth has world.json (the world is
rebuilt from its config and seed). Store mode also prints each shape's dating twice: on
the job's dates (a spike or drop dated on its cause playlist, analytics/alerts/onset.py)
and, in the same run, on the track totals' dates (the playlist redating switched off).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd
from truth import ground_truth_dir

from analytics import alerts as alerts_model
from analytics.alerts.evaluation import score
from analytics.alerts.series import track_series
from app.alerts.job import read_inputs
from data.results import alerts as alerts_store
from data.store import open_store

ROOT = Path(__file__).resolve().parents[1]


def worlds(seeds: list[int]) -> None:
    from analytics.alerts.detect import DetectConfig, detect, fit_hyper
    from analytics.alerts.evaluation import campaign_events, score_series
    from data.synth.config import SynthConfig
    from data.synth.series import campaign_lifts, planted_daily_counts
    from data.synth.world import build_world

    for seed in seeds:  # seed 0 is the demo world the thresholds were tuned on
        world = build_world(SynthConfig.preset("demo", listeners=2000), seed=seed)
        counts = planted_daily_counts(world)
        hp, _ = fit_hyper(counts)
        cfg = DetectConfig()
        started = time.perf_counter()
        det = detect(counts, hp, cfg)
        seconds = time.perf_counter() - started
        # Campaign lifts that move the track's total by a material step are planted
        # spikes/drops; the smaller ones are neutral (see analytics.alerts.evaluation).
        lifts, neutral = campaign_events(campaign_lifts(world), cfg.min_shift, cfg.min_excess)
        events = pd.concat([world.events, lifts], ignore_index=True)
        s, _ = score_series(
            det.alerts, counts, world.tracks.isrc.to_numpy(), world.dates, events, neutral=neutral
        )
        print(
            f"world seed {seed}: campaigns {len(lifts) // 2} material, {len(neutral)} neutral;"
            f" detect {seconds:.1f} s"
        )
        print(
            f"world seed {seed}: events {s.events}, F1 {s.f1:.3f} (P {s.precision:.3f}, "
            f"R {s.recall:.3f}), median delay spike {s.median_delay_spike:.0f} d, growth "
            f"{s.median_delay_growth:.0f} d, false alarms {s.false_alarms_per_10_track_years:.3f}"
            f" per 10 track-years ({s.event_free_track_years:.0f} track-years)"
        )
        isrc = world.tracks.isrc.to_numpy()
        a = det.alerts
        _dating(a.assign(isrc=isrc[a.series], date=world.dates[a.onset]), events)


def _dating(alerts: pd.DataFrame, events: pd.DataFrame) -> None:
    """Per planted shape: share dated within 1 day (level shifts: target >= 0.9 for the
    add and its end together) and within 7 days (ramps: target >= 0.8).

    alerts: isrc, kind, date (track alerts)."""
    from analytics.alerts.evaluation import dating, dating_summary

    dated = dating(alerts, events)
    summary = dating_summary(dated)
    for r in summary.itertuples():
        print(
            f"    {r.shape:<11} {r.kind:<7} events {r.events:>3}  within 1 d {r.within_1:.2f}  "
            f"within 7 d {r.within_7:.2f}  > 7 d early {r.early:.2f}"
        )
    shifts = dated[dated["shape"] == "level_shift"]
    ramps = dated[dated["shape"] == "ramp"]
    print(
        f"    level shifts (add and end) within 1 d: {(shifts.date_error.abs() <= 1).mean():.3f} "
        f"of {len(shifts)}; ramps within 7 d: {(ramps.date_error.abs() <= 7).mean():.3f} "
        f"of {len(ramps)}"
    )


def _total_dated(db: str, inputs) -> pd.DataFrame:
    """The track alerts as dated on their totals: the job's computation with the playlist
    redating switched off (its step never stands out), for the comparison."""
    from analytics.alerts import onset

    kept = onset.MIN_T
    onset.MIN_T = float("inf")
    try:
        with open_store(db, read_only=True) as store:
            model = alerts_model.fit(inputs, alerts_store.JobReads(store.cursor()))
    finally:
        onset.MIN_T = kept
    t = model.alerts[model.alerts.subject == "track"]
    return t.assign(date=pd.to_datetime(t.event_date)).reset_index(drop=True)


def _campaign_truth(truth: Path) -> tuple[pd.DataFrame, pd.DataFrame] | None:
    """The store's planted campaign lifts scored as --worlds scores them: (material lifts as
    spike / drop events, the neutral ones), from the world the store was drawn from
    (world.json's config and seed rebuild it exactly); None without world.json."""
    import dataclasses
    import datetime as dt
    import json

    from analytics.alerts.detect import DetectConfig
    from analytics.alerts.evaluation import campaign_events
    from data.synth.config import SynthConfig
    from data.synth.series import campaign_lifts
    from data.synth.world import build_world

    meta_file = truth / "world.json"
    if not meta_file.exists():
        return None
    meta = json.loads(meta_file.read_text())
    fields = {f.name: f.type for f in dataclasses.fields(SynthConfig)}
    config = {k: v for k, v in meta["config"].items() if k in fields}
    config["end_date"] = dt.date.fromisoformat(config["end_date"])
    world = build_world(SynthConfig(**config), seed=int(meta["seed"]))
    cfg = DetectConfig()
    return campaign_events(campaign_lifts(world), cfg.min_shift, cfg.min_excess)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--db", default="data/labelradar.duckdb", help="a migrated copy of the demo store"
    )
    ap.add_argument("--truth", type=Path, help="ground truth dir (default: from the store)")
    ap.add_argument("--worlds", type=int, nargs="*", help="score fresh worlds instead")
    args = ap.parse_args()
    if args.worlds:
        worlds(args.worlds)
        return
    truth = args.truth or ground_truth_dir(args.db)
    events = pd.read_csv(truth / "events.csv")
    tracks = pd.read_csv(truth / "tracks.csv")
    free = set(tracks.isrc[tracks.event_free])
    with open_store(args.db, read_only=True) as store:
        started = time.perf_counter()
        inputs = read_inputs(store)
        cur = store.cursor()
        model = alerts_model.fit(inputs, alerts_store.JobReads(cur))
        seconds = time.perf_counter() - started
        series = track_series(inputs.totals, inputs.repeats)
    alerts = model.alerts
    t = alerts[alerts.subject == "track"].copy()
    t["date"] = pd.to_datetime(t.event_date)
    t["detected_on"] = pd.to_datetime(t.detected_on)
    # Track-years of monitoring: observed days after each track's burn-in.
    observed = pd.Series((~np.isnan(series.counts)).sum(axis=1) - 28, index=series.ids).clip(0)
    s, matched = score(t.reset_index(drop=True), events, free, observed)
    found = matched[matched.alert_idx >= 0]
    t = t.reset_index(drop=True)
    named = [
        (t.loc[i, "cause_dimension"], t.loc[i, "cause_value"]) == (e.cause_dimension, e.cause_value)
        for i, e in zip(found.alert_idx, found.itertuples(), strict=True)
    ]
    print(
        f"store {args.db}: {model.tracks} tracks, {model.monitored_tracks} monitored, "
        f"data through {model.data_through}; job computation {seconds:.1f} s"
    )
    print(
        f"hyperparameters (statsmodels MLE, median of {model.params['fitted_series']} series): "
        f"{model.params['hyper']}"
    )
    print(f"planted events {s.events}, track alerts scored {s.alerts}, matched {s.matched}")
    print(f"precision {s.precision:.3f}  recall {s.recall:.3f}  F1 {s.f1:.3f}")
    campaigns = _campaign_truth(truth)
    if campaigns is not None:  # as --worlds scores: an alert on a material lift is a hit
        lifts, neutral = campaigns
        both = pd.concat([events, lifts], ignore_index=True)
        c, _ = score(t, both, free, observed, neutral=neutral)
        print(
            f"with campaign lifts scored as --worlds does ({len(lifts) // 2} material, "
            f"{len(neutral)} neutral): events {c.events}, precision {c.precision:.3f}  "
            f"recall {c.recall:.3f}  F1 {c.f1:.3f}"
        )
    print("dated on the cause playlist (the job's dates):")
    _dating(t, events)
    print("dated on the track's total (the same run without onset.py's redating):")
    _dating(_total_dated(args.db, inputs), events)
    for kind in ("spike", "drop", "growth", "decline"):
        k = matched[matched.kind == kind]
        print(
            f"  {kind:<8} found {int((k.alert_idx >= 0).sum())}/{len(k)}  median delay "
            f"{k.delay_days.median():.0f} d"
        )
    print(
        f"false alarms on event-free tracks: {s.false_alarms_event_free} in "
        f"{s.event_free_track_years:.0f} track-years = "
        f"{s.false_alarms_per_10_track_years:.3f} per 10 track-years"
    )
    print(f"attribution names the planted cause: {sum(named)}/{len(named)} = {np.mean(named):.3f}")
    wrong = found[~np.array(named)]
    for e, i in zip(wrong.itertuples(), wrong.alert_idx, strict=True):
        print(
            f"  missed cause {e.isrc} {e.kind} {e.date}: planted {e.cause_dimension}="
            f"{e.cause_value}, named {t.loc[i, 'cause']}"
        )
    art = alerts[alerts.subject == "artist"]
    print(
        f"artist alerts: {len(art)}; opportunities: {int(alerts.opportunity.sum())} of "
        f"{len(alerts)}"
    )


if __name__ == "__main__":
    main()
