"""Batch job "alerts": change detection, attribution and growth potential for every track
and artist (patent 1070: 1071, 1072, 1073), persisted for the Alerts page and the CLI."""

from __future__ import annotations

import time
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import norm

from analytics.alerts.attribution import attribute_many, classify, growth_metrics
from analytics.alerts.detect import Context, DetectConfig, Detection, detect, fit_hyper
from analytics.alerts.kalman import FilterState, Hyper, forecast
from data.progress import ProgressFn
from data.results import alerts as alerts_store
from data.results import runs as model_runs
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


def _bands(subject: str, series, det: Detection, hp: Hyper) -> pd.DataFrame:
    """One-step forecast band over the days of `series` and the 28-day forecast, for every
    monitored subject (the page draws any alert's band from these)."""
    frames = []
    out = det.output
    mon = np.flatnonzero(det.monitored)
    if len(mon) == 0:
        return pd.DataFrame()
    b = _band(out.pred_mean[mon], out.pred_var[mon])
    days = np.arange(len(series.dates))
    keep = (days[None, :] >= det.start[mon, None]).ravel()  # from each series' first day
    frames.append(
        pd.DataFrame(
            {
                "subject": subject,
                "subject_id": np.repeat(series.ids[mon], len(days)),
                "date": np.tile(series.dates, len(mon)),
                "observed": series.counts[mon].ravel(),
                **{k: v.ravel() for k, v in b.items()},
                "is_forecast": False,
            }
        )[keep]
    )
    mean, var = forecast(
        type(out.state)(out.state.a[mon], out.state.P[mon]), hp, det.obs_var[mon], HORIZON
    )
    b = _band(mean, var)
    future = pd.date_range(series.dates[-1] + pd.Timedelta(days=1), periods=HORIZON)
    frames.append(
        pd.DataFrame(
            {
                "subject": subject,
                "subject_id": np.repeat(series.ids[mon], HORIZON),
                "date": np.tile(future, len(mon)),
                "observed": np.nan,
                **{k: v.ravel() for k, v in b.items()},
                "is_forecast": True,
            }
        )
    )
    return pd.concat(frames, ignore_index=True)


NONE = -(10**6)


def _state_rows(subject: str, series, det: Detection) -> pd.DataFrame:
    """The context to continue from (days relative to the day after the last one)."""
    ctx = det.context
    day0 = series.dates[-1] + pd.Timedelta(days=1)

    def date_of(rel: np.ndarray) -> list:
        return [None if r <= NONE // 2 else (day0 + pd.Timedelta(days=int(r))).date() for r in rel]

    return pd.DataFrame(
        {
            "subject": subject,
            "subject_id": series.ids,
            "through": series.dates[-1].date(),
            "obs_var": ctx.obs_var,
            "state": list(ctx.state.a),
            "cov": list(ctx.state.P.reshape(len(series.ids), -1)),
            "start_date": date_of(ctx.start),
            "seen": ctx.seen,
            "monitored": ctx.monitored,
            "run": [list(map(int, r)) for r in ctx.run],
            "armed": [list(map(bool, r)) for r in ctx.armed],
            "last_spike": date_of(ctx.last_rapid[:, 0]),
            "last_drop": date_of(ctx.last_rapid[:, 1]),
        }
    )


def _context(rows: pd.DataFrame, ids: np.ndarray, day0: pd.Timestamp) -> Context | None:
    """The saved context for `ids` (days relative to day0), or None if any is missing."""
    rows = rows.set_index("subject_id")
    if not set(ids) <= set(rows.index):
        return None
    r = rows.loc[ids]

    def rel(dates: pd.Series) -> np.ndarray:
        d = pd.to_datetime(dates)
        return np.where(d.isna(), NONE, (d - day0).dt.days.fillna(0)).astype(np.int64)

    return Context(
        state=FilterState(
            np.stack(r.state.map(np.asarray)), np.stack(r["cov"].map(np.asarray)).reshape(-1, 8, 8)
        ),
        obs_var=r.obs_var.to_numpy(dtype=float),
        start=rel(r.start_date),
        seen=r.seen.to_numpy(dtype=bool),
        monitored=r.monitored.to_numpy(dtype=bool),
        run=np.stack(r.run.map(np.asarray)).astype(np.int64),
        armed=np.stack(r.armed.map(np.asarray)).astype(bool),
        last_rapid=np.column_stack([rel(r.last_spike), rel(r.last_drop)]),
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
    # The start of a gradual change may lie before this block (online runs): day offsets.
    onset = series.dates[0] + pd.to_timedelta(a.onset.to_numpy(), unit="D")
    frame = pd.DataFrame(
        {
            "subject": subject,
            "subject_id": ids,
            "isrc": ids if subject == "track" else None,
            "artist_id": [artist_of.get(i, i) for i in ids] if subject == "track" else ids,
            "kind": a.kind.to_numpy(),
            "event_date": onset.date,
            "detected_on": detected.date,
            "probability": a.probability.to_numpy(),
            "observed": a.observed.to_numpy(),
            "expected": a.expected.to_numpy(),
        }
    )
    frame["alert_key"] = frame.subject_id + "|" + frame.kind + "|" + detected.strftime("%Y-%m-%d")
    return frame


HISTORY = 96  # days before an online block kept for placing the start of gradual changes


def _block(series, lo: int):
    return alerts_store.Series(
        series.ids, series.dates[lo:], series.counts[:, lo:], series.total[:, lo:]
    )


def _online_plan(store: Store, tracks, artists, cfg: DetectConfig):
    """(hp, contexts, first new day index) when the saved state can simply be continued
    with the new days: same settings, state saved at the last run's data_through, new days
    since, and no series new to the model. Else None (a full run)."""
    prev = model_runs.latest(store, "alerts")
    if prev is None or prev.params.get("config") != cfg.as_dict() or "hyper" not in prev.params:
        return None
    rows = alerts_store.read_filter_state(store)
    if rows.empty or prev.data_through is None:
        return None
    through = pd.Timestamp(rows.through.max())
    if rows.through.nunique() != 1 or through.date() != prev.data_through:
        return None
    if tracks.dates[-1] <= through or tracks.dates[0] > through:
        return None
    lo = int(tracks.dates.get_loc(through)) + 1
    day0 = tracks.dates[lo]
    ctx = {}
    for name, series in (("track", tracks), ("artist", artists)):
        c = _context(rows[rows.subject == name], series.ids, day0)
        if c is None:
            return None
        fresh = ~c.seen & ~np.isnan(series.counts[:, lo:]).all(axis=1)
        if fresh.any():  # a series first seen now needs a proper prior: full run
            return None
        ctx[name] = c
    return Hyper(**prev.params["hyper"]), ctx, lo


def run_detection(
    store: Store, progress: ProgressFn, cfg: DetectConfig | None = None, refit: bool = False
):
    """Everything the job computes (no writes): alerts, bands, filter state, run info.

    Online when possible (see _online_plan): only the days since the last run are
    filtered, from the saved state, with the saved hyperparameters; else a full run."""
    cfg = cfg or DetectConfig()
    cur = store.cursor()
    progress("reading daily series", 0.02)
    tracks, catalog = alerts_store.daily_series(cur)
    if tracks.counts.size == 0:
        return None
    artists = alerts_store.artist_series(tracks, catalog)
    plan = None if refit else _online_plan(store, tracks, artists, cfg)
    if plan is not None:
        hp, ctx, lo = plan
        fits_n, mode = 0, "online"
        progress(f"continuing the filter over {len(tracks.dates) - lo} new days", 0.4)
        hist = max(0, lo - HISTORY)
        det_t = detect(tracks.counts[:, lo:], hp, cfg, ctx["track"], tracks.counts[:, hist:lo])
        det_a = detect(artists.counts[:, lo:], hp, cfg, ctx["artist"], artists.counts[:, hist:lo])
        tracks_b, artists_b = _block(tracks, lo), _block(artists, lo)
    else:
        progress("fitting hyperparameters (statsmodels, sample of tracks)", 0.1)
        try:
            hp, fits = fit_hyper(tracks.counts)
        except ValueError as exc:  # too little history: say so in the run record
            return {"note": str(exc), "data_through": tracks.dates[-1].date()}
        fits_n, mode = len(fits), "full"
        progress("filtering all tracks and artists", 0.4)
        det_t = detect(tracks.counts, hp, cfg)
        det_a = detect(artists.counts, hp, cfg)
        tracks_b, artists_b = tracks, artists
    artist_of = dict(zip(catalog.isrc, catalog.artist_id, strict=True))
    members = {i: [i] for i in tracks.ids}
    for a_id, grp in catalog.groupby("artist_id"):
        members[a_id] = list(grp.isrc)
    alerts = pd.concat(
        [
            _alert_frame("track", tracks_b, det_t, artist_of),
            _alert_frame("artist", artists_b, det_a, artist_of),
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
    bands = pd.concat(
        [_bands("track", tracks_b, det_t, hp), _bands("artist", artists_b, det_a, hp)],
        ignore_index=True,
    )
    state = pd.concat(
        [_state_rows("track", tracks_b, det_t), _state_rows("artist", artists_b, det_a)],
        ignore_index=True,
    )
    info = {
        "hyper": hp.__dict__,
        "config": cfg.as_dict(),
        "benchmarks": bench,
        "fitted_series": fits_n,
        "mode": mode,
        "days_filtered": len(tracks_b.dates),
        "tracks": len(tracks.ids),
        "monitored_tracks": int(det_t.monitored.sum()),
        "artists": len(artists.ids),
        "data_through": end.date(),
    }
    return alerts, bands, state, info


def run(store: Store, progress: ProgressFn, refit: bool = False) -> dict[str, Any]:
    """Detect and save. refit=True forces a full run (hyperparameters refitted, history
    refiltered) even when the saved state could simply be continued."""
    started = time.perf_counter()
    result = run_detection(store, progress, refit=refit)
    if result is None or isinstance(result, dict):
        note = "no trend data" if result is None else result["note"]
        summary: dict[str, Any] = {"alerts": 0, "note": note}
        with store.transaction() as cur:
            alerts_store.replace_results(cur, pd.DataFrame(), pd.DataFrame(), pd.DataFrame())
            model_runs.record(
                cur,
                "alerts",
                data_through=None if result is None else result["data_through"],
                seconds=time.perf_counter() - started,
                summary=summary,
            )
        return summary
    alerts, bands, state, info = result
    kinds = alerts.kind.value_counts().to_dict() if not alerts.empty else {}
    summary = {
        "mode": info["mode"],
        "days_filtered": info["days_filtered"],
        "new_alerts": len(alerts),
        "kinds": kinds,
        "opportunities": int(alerts.opportunity.sum()) if not alerts.empty else 0,
        "monitored_tracks": info["monitored_tracks"],
    }
    progress("saving", 0.95)
    with store.transaction() as cur:
        alerts_store.replace_results(cur, alerts, bands, state, append=info["mode"] == "online")
        total = cur.execute("SELECT count(*) FROM alerts").fetchone()[0]
        summary["alerts"] = int(total)
        model_runs.record(
            cur,
            "alerts",
            data_through=info["data_through"],
            seconds=time.perf_counter() - started,
            params={k: info[k] for k in ("hyper", "config", "benchmarks", "fitted_series", "mode")},
            summary=summary | {"tracks": info["tracks"], "artists": info["artists"]},
        )
    return summary
