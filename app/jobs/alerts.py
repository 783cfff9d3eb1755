"""Batch job "alerts": change detection, attribution and growth potential for every track
and artist (patent 1070: 1071, 1072, 1073), persisted for the Alerts page and the CLI."""

from __future__ import annotations

import time
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import norm

from analytics.alerts_attribution import attribute_many, classify, growth_metrics
from analytics.alerts_detect import DetectConfig, Detection, detect, fit_hyper
from analytics.alerts_kalman import Hyper, forecast
from app.jobs import ProgressFn, job
from data import alerts_store, model_runs
from data.store import Store

HORIZON = 28
BEFORE_DAYS = 28
BENCH_TRACKS = 200
Z80, Z95 = float(norm.ppf(0.9)), float(norm.ppf(0.975))


def _band(mean: np.ndarray, var: np.ndarray) -> dict[str, np.ndarray]:
    sd = np.sqrt(var)
    return {
        "expected": np.expm1(mean),
        "lo80": np.maximum(np.expm1(mean - Z80 * sd), 0.0),
        "hi80": np.expm1(mean + Z80 * sd),
        "lo95": np.maximum(np.expm1(mean - Z95 * sd), 0.0),
        "hi95": np.expm1(mean + Z95 * sd),
    }


def _bands(subject: str, series, det: Detection, hp: Hyper, alerted: set[int]) -> pd.DataFrame:
    """History band for alerted subjects and the 28-day forecast for monitored ones."""
    frames = []
    out = det.output
    for i in sorted(alerted):
        s = max(int(det.start[i]), 0)
        b = _band(out.pred_mean[i, s:], out.pred_var[i, s:])
        frames.append(
            pd.DataFrame(
                {
                    "subject": subject,
                    "subject_id": series.ids[i],
                    "date": series.dates[s:],
                    "observed": series.counts[i, s:],
                    **b,
                    "is_forecast": False,
                }
            )
        )
    mon = np.flatnonzero(det.monitored)
    if len(mon):
        mean, var = forecast(
            type(out.state)(out.state.a[mon], out.state.P[mon]), hp, det.obs_var[mon], HORIZON
        )
        b = _band(mean, var)
        days = pd.date_range(series.dates[-1] + pd.Timedelta(days=1), periods=HORIZON)
        frames.append(
            pd.DataFrame(
                {
                    "subject": subject,
                    "subject_id": np.repeat(series.ids[mon], HORIZON),
                    "date": np.tile(days, len(mon)),
                    "observed": np.nan,
                    **{k: v.ravel() for k, v in b.items()},
                    "is_forecast": True,
                }
            )
        )
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def _state_rows(subject: str, series, det: Detection) -> pd.DataFrame:
    st = det.output.state
    return pd.DataFrame(
        {
            "subject": subject,
            "subject_id": series.ids,
            "through": series.dates[-1].date(),
            "obs_var": det.obs_var,
            "state": list(st.a),
            "cov": list(st.P.reshape(len(series.ids), -1)),
        }
    )


def _benchmarks(listeners: pd.DataFrame, lo: pd.Timestamp, hi: pd.Timestamp) -> dict:
    """Catalogue medians of the growth metrics (listener rows of a sample of tracks)."""
    rows = [growth_metrics(g, lo, hi) for _, g in listeners.groupby("key")]
    ok = [g for g in rows if g.available]

    def med(attr: str) -> float | None:
        vals = [getattr(g, attr) for g in ok if getattr(g, attr) is not None]
        return float(np.median(vals)) if vals else None

    bench = {k: med(k) for k in ("passive_to_active", "search_conversion", "drop_off")}
    return {k: v for k, v in bench.items() if v is not None} | {"tracks": len(ok)}


def _windows(alerts: pd.DataFrame, members: dict, end: pd.Timestamp) -> pd.DataFrame:
    """Per alert: the attribution window [onset - 28, hi] and the growth window."""
    rows = []
    for a in alerts.itertuples():
        onset, detected = pd.Timestamp(a.event_date), pd.Timestamp(a.detected_on)
        hi = min(onset + pd.Timedelta(days=6), end) if a.kind in ("spike", "drop") else detected
        for isrc in members[a.subject_id]:
            rows.append(
                {
                    "key": a.alert_key,
                    "isrc": isrc,
                    "lo": (onset - pd.Timedelta(days=BEFORE_DAYS)).date(),
                    "onset": onset.date(),
                    "hi": hi.date(),
                    "g_lo": (onset - pd.Timedelta(days=28)).date(),
                    "g_hi": min(onset + pd.Timedelta(days=56), end).date(),
                }
            )
    return pd.DataFrame(rows)


def _explain(
    alerts: pd.DataFrame,
    dims: pd.DataFrame,
    before_days: pd.Series,
    listeners: pd.DataFrame,
    bench: dict,
    end: pd.Timestamp,
) -> pd.DataFrame:
    """Attribution and growth potential for each alert (rows of `alerts`)."""
    keys = alerts.alert_key.to_numpy()
    onset = pd.to_datetime(alerts.event_date)
    hi = np.where(
        alerts.kind.isin(["spike", "drop"]),
        np.minimum(onset + pd.Timedelta(days=6), end),
        pd.to_datetime(alerts.detected_on),
    )
    n_during = (pd.to_datetime(hi) - onset).dt.days.to_numpy() + 1
    before = dims[~dims.during].groupby("key").streams.sum().reindex(keys).fillna(0.0)
    per_day = before.to_numpy() / before_days.reindex(keys).fillna(1.0).clip(lower=1).to_numpy()
    expected = pd.Series(per_day * n_during, index=keys)
    multi = set(alerts.alert_key[alerts.subject == "artist"])
    atts = attribute_many(dims, expected, pd.Series(alerts.kind.to_numpy(), index=keys), multi)
    lst_by = dict(tuple(listeners.groupby("key"))) if not listeners.empty else {}
    out = []
    for a, o in zip(alerts.itertuples(), onset, strict=True):
        att = atts[a.alert_key]
        g = growth_metrics(
            lst_by.get(a.alert_key),
            o - pd.Timedelta(days=28),
            min(o + pd.Timedelta(days=56), end),
        )
        opp = classify(a.kind, g, bench)
        out.append(
            {
                "excess": att.excess,
                "cause": att.cause,
                "cause_dimension": att.cause_dimension,
                "cause_value": att.cause_value,
                "attribution": alerts_store.to_json(att.parts),
                "growth": alerts_store.to_json(g.as_dict()),
                "opportunity": opp.opportunity,
                "goal": opp.goal,
                "reason": opp.reason,
            }
        )
    return pd.concat([alerts.reset_index(drop=True), pd.DataFrame(out)], axis=1)


def _alert_frame(subject: str, series, det: Detection, artist_of: dict) -> pd.DataFrame:
    a = det.alerts
    if a.empty:
        return pd.DataFrame()
    ids = series.ids[a.series.to_numpy()]
    detected = series.dates[a.detected.to_numpy()]
    frame = pd.DataFrame(
        {
            "subject": subject,
            "subject_id": ids,
            "isrc": ids if subject == "track" else None,
            "artist_id": [artist_of.get(i, i) for i in ids] if subject == "track" else ids,
            "kind": a.kind.to_numpy(),
            "event_date": series.dates[a.onset.to_numpy()].date,
            "detected_on": detected.date,
            "probability": a.probability.to_numpy(),
            "observed": a.observed.to_numpy(),
            "expected": a.expected.to_numpy(),
        }
    )
    frame["alert_key"] = frame.subject_id + "|" + frame.kind + "|" + detected.strftime("%Y-%m-%d")
    return frame


def run_detection(store: Store, progress: ProgressFn, cfg: DetectConfig | None = None):
    """Everything the job computes (no writes): alerts, bands, filter state, run info."""
    cfg = cfg or DetectConfig()
    cur = store.cursor()
    progress("reading daily series", 0.02)
    tracks, catalog = alerts_store.daily_series(cur)
    if tracks.counts.size == 0:
        return None
    artists = alerts_store.artist_series(tracks, catalog)
    progress("fitting hyperparameters (statsmodels, sample of tracks)", 0.1)
    try:
        hp, fits = fit_hyper(tracks.counts)
    except ValueError as exc:  # too little history: say so in the run record, no alerts
        return {"note": str(exc), "data_through": tracks.dates[-1].date()}
    progress("filtering all tracks and artists", 0.4)
    det_t = detect(tracks.counts, hp, cfg)
    det_a = detect(artists.counts, hp, cfg)
    artist_of = dict(zip(catalog.isrc, catalog.artist_id, strict=True))
    members = {i: [i] for i in tracks.ids}
    for a_id, grp in catalog.groupby("artist_id"):
        members[a_id] = list(grp.isrc)
    alerts = pd.concat(
        [
            _alert_frame("track", tracks, det_t, artist_of),
            _alert_frame("artist", artists, det_a, artist_of),
        ],
        ignore_index=True,
    )
    end = tracks.dates[-1]
    progress("attributing changes and growth potential", 0.6)
    b_lo = end - pd.Timedelta(days=89)
    sample = alerts_store.sample_listeners(cur, b_lo.date(), end.date(), BENCH_TRACKS)
    bench = _benchmarks(sample, b_lo, end)
    if not alerts.empty:
        alerts = alerts.drop_duplicates("alert_key")
        win = _windows(alerts, members, end)
        dims, before_days = alerts_store.window_rows(cur, win[["key", "isrc", "lo", "onset", "hi"]])
        g_win = win[["key", "isrc", "g_lo", "g_hi"]].rename(columns={"g_lo": "lo", "g_hi": "hi"})
        listeners = alerts_store.window_listeners(cur, g_win)
        alerts = _explain(alerts, dims, before_days, listeners, bench, end)
    progress("forecasting", 0.85)
    alerted_t = set(det_t.alerts.series) if not det_t.alerts.empty else set()
    alerted_a = set(det_a.alerts.series) if not det_a.alerts.empty else set()
    bands = pd.concat(
        [
            _bands("track", tracks, det_t, hp, alerted_t),
            _bands("artist", artists, det_a, hp, alerted_a),
        ],
        ignore_index=True,
    )
    state = pd.concat(
        [_state_rows("track", tracks, det_t), _state_rows("artist", artists, det_a)],
        ignore_index=True,
    )
    info = {
        "hyper": hp.__dict__,
        "config": cfg.as_dict(),
        "benchmarks": bench,
        "fitted_series": len(fits),
        "tracks": len(tracks.ids),
        "monitored_tracks": int(det_t.monitored.sum()),
        "artists": len(artists.ids),
        "data_through": end.date(),
    }
    return alerts, bands, state, info


@job("alerts", "Change-detection alerts")
def run(store: Store, progress: ProgressFn) -> dict[str, Any]:
    started = time.perf_counter()
    result = run_detection(store, progress)
    if result is None:
        summary: dict[str, Any] = {"alerts": 0, "note": "no trend data"}
        with store.transaction() as cur:
            alerts_store.replace_results(cur, pd.DataFrame(), pd.DataFrame(), pd.DataFrame())
            model_runs.record(
                cur,
                "alerts",
                data_through=None,
                seconds=time.perf_counter() - started,
                summary=summary,
            )
        return summary
    alerts, bands, state, info = result
    kinds = alerts.kind.value_counts().to_dict() if not alerts.empty else {}
    summary = {
        "alerts": len(alerts),
        "kinds": kinds,
        "opportunities": int(alerts.opportunity.sum()) if not alerts.empty else 0,
        "monitored_tracks": info["monitored_tracks"],
    }
    progress("saving", 0.95)
    with store.transaction() as cur:
        alerts_store.replace_results(cur, alerts, bands, state)
        model_runs.record(
            cur,
            "alerts",
            data_through=info["data_through"],
            seconds=time.perf_counter() - started,
            params={k: info[k] for k in ("hyper", "config", "benchmarks", "fitted_series")},
            summary=summary | {"tracks": info["tracks"], "artists": info["artists"]},
        )
    return summary
