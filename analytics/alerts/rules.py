"""The detection rules over one block of filtered days: rapid changes (one-day tail events
and level shifts), gradual changes (growth / decline) and new releases.

Every rule returns alert rows (ALERT_COLUMNS); days are positions in the block (an onset
can be negative: it lies in the history before an online block).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from scipy.stats import norm

from analytics.alerts.censoring import Returns, judged_prediction, step_lift
from analytics.alerts.kalman import FilterOutput
from analytics.alerts.steps import FADE, RETURN
from analytics.alerts.tails import confirmed

if TYPE_CHECKING:
    from analytics.alerts.detect import Context, DetectConfig

ALERT_COLUMNS = [
    "series",
    "kind",
    "onset",
    "detected",
    "probability",
    "observed",
    "expected",
    "statistic",
]


OTHER = {"spike": "drop", "drop": "spike"}


@dataclass
class Day:
    """The filter's view of one block of days, shared by the rules."""

    y: np.ndarray  # log(1 + counts) [N, T]
    counts: np.ndarray
    out: FilterOutput
    ok: np.ndarray  # [N, T] bool: monitored, observed and past the burn-in
    expected: np.ndarray  # one-step predicted streams [N, T]
    # [N] first day on which a level shift may be dated: the series' start plus the burn-in
    # (before it the filter has not learnt the level: a launch settling is no step)
    settled: np.ndarray | None = None
    returns: Returns | None = None  # censored series back on a chart (censoring.py)
    launches: np.ndarray | None = None  # [N, T] bool: a known step starts (detect)


def _onset(y: np.ndarray, lo: int, hi: int, latest: int) -> int:
    """Day in [lo, latest] where a hinge (broken-line) fit with weekday effects, on the
    days [lo, hi], breaks best (hi may run past the detection day `latest`).

    Fitted on the streams scale: planted and real ramps are additive audiences (a playlist
    adding listeners), which are straight lines in streams and curves in log streams."""
    days = np.arange(lo, hi + 1)
    obs = ~np.isnan(y[lo : hi + 1])
    if obs.sum() < 14:
        return lo
    t = days[obs]
    yy = y[lo : hi + 1][obs]
    dow = np.eye(7)[t % 7]
    best, best_rss = lo, np.inf
    for tau in range(lo + 3, min(hi - 2, latest + 1)):
        X = np.column_stack([dow, np.maximum(0, t - tau)])
        coef, *_ = np.linalg.lstsq(X, yy, rcond=None)
        rss = float(((yy - X @ coef) ** 2).sum())
        if rss < best_rss:
            best, best_rss = tau, rss
    return best


def _candidates(d: Day, alarms: list, cfg: DetectConfig, min_ratio: float) -> dict:
    """Per series, the material rapid candidates in order of detection: one-day tail
    events (onset = that day) and level shifts (onset = the step's first day).
    Each: (detected, onset, kind, one_day, probability, statistic)."""
    sd = np.sqrt(d.out.pred_var)
    z = (d.y - d.out.pred_mean) / sd
    # A censored series back on a chart: the tail is the filter's (it intervenes on it),
    # but only the move beyond the chart's floor counts as material (censoring.py).
    pred = judged_prediction(d.out.pred_mean, d.returns)
    excess = d.counts - np.expm1(pred)
    ratio = np.abs(np.expm1(d.y - pred))
    with np.errstate(invalid="ignore"):
        flag = (
            d.ok
            & (np.abs(z) >= cfg.z_rapid)
            & (ratio >= min_ratio)
            & (np.abs(excess) >= cfg.min_excess)
        )
        if d.returns is not None:  # a fall while off the chart cannot be dated on the return
            flag &= ~(d.returns.day & (z < 0))
    ii, tt = np.nonzero(flag)
    # A tail of the counts too (tails.py): the log scale's lower tail is long for small counts.
    keep = confirmed(d.y[ii, tt], d.out.pred_mean[ii, tt], d.out.pred_var[ii, tt], cfg.z_rapid)
    found: dict[int, list] = {}
    for i, t in zip(ii[keep], tt[keep], strict=True):
        kind = "spike" if z[i, t] > 0 else "drop"
        p = float(norm.cdf(abs(z[i, t])))
        found.setdefault(int(i), []).append((int(t), int(t), kind, True, p, float(z[i, t]), False))
    for i, start, t, sign, shift, cusum, role in alarms:
        if d.settled is not None and start < d.settled[i]:
            continue  # dated in the burn-in: the filter had not learnt the level yet
        shift = step_lift(d.y, start, t, shift, d.returns, i)
        if shift is None:
            continue  # a fall dated on a chart return happened off the chart
        # Materiality on the scale of the step up: the end of a material add is material.
        lift = np.expm1(abs(shift)) if role == RETURN else abs(np.expm1(shift))
        if lift < cfg.min_shift or lift * d.expected[i, t] < cfg.min_excess:
            continue  # a real but immaterial step (a few streams a day)
        n = max(1, t - start + 1)
        p = float(norm.cdf((cusum + cfg.step.k * n) / np.sqrt(n)))
        kind = "spike" if sign > 0 else "drop"
        found.setdefault(int(i), []).append((t, int(start), kind, False, p, shift, role == FADE))
    return {i: sorted(c) for i, c in found.items()}


def rapid(d: Day, last_rapid: np.ndarray, alarms: list, cfg: DetectConfig, min_ratio: float):
    """Spikes and drops: one-day tail events of the one-step predictive and level shifts,
    material. Returns the alert rows, the updated day of the last spike / drop per series
    and the rapid alerts per (series, kind) as (onset, day decided)."""
    last_rapid = last_rapid.copy()
    rapid_days: dict[tuple[int, str], list[tuple[int, int]]] = {}
    rows = []
    pred = judged_prediction(d.out.pred_mean, d.returns)  # as _candidates judged them
    for i, cands in _candidates(d, alarms, cfg, min_ratio).items():
        last = {"spike": int(last_rapid[i, 0]), "drop": int(last_rapid[i, 1])}
        one_day_spike = -(10**6)
        for t, onset, kind, one_day, p, stat, fade in cands:
            # A launch (a new track's first day in an artist total) is news even in the
            # refractory days of an earlier spike: an album a week after its single.
            launch = d.launches is not None and one_day and kind == "spike" and d.launches[i, t]
            if onset - last[kind] <= cfg.refractory and not (launch and onset > last[kind]):
                if fade:
                    continue  # a spike's own fading, or a step's
                if kind == "spike" and not one_day and onset - one_day_spike <= cfg.refractory:
                    # A level shift confirms the one-day spike just before it: the spike
                    # began a lasting step, whose end is news, not the spike falling back.
                    one_day_spike = -(10**6)
                continue
            if kind == "drop" and onset - one_day_spike <= cfg.settle:
                # The fall back after a short spike is the same event, and so are the
                # steps down that follow it while the spike fades (the rule below).
                if not one_day:
                    last["drop"] = max(last["drop"], onset)
                continue
            if kind == "drop" and one_day and onset - last["spike"] <= cfg.settle:
                continue
            if not one_day and onset - last[kind] <= cfg.unwind and last[kind] > last[OTHER[kind]]:
                continue  # steps one after another the same way: the same climb (or fall)
            last[kind] = onset
            if kind == "spike" and (one_day or fade):
                one_day_spike = onset
            rapid_days.setdefault((i, kind), []).append((onset, t))
            if one_day:
                expected = float(np.expm1(pred[i, t]))
                rows.append((i, kind, onset, t, p, d.counts[i, t], expected, stat))
            else:  # the step's first day against the level before it
                day = onset if onset >= 0 and not np.isnan(d.counts[i, onset]) else t
                obs = d.counts[i, day]
                rows.append(
                    (i, kind, onset, t, p, obs, float(np.expm1(np.log1p(obs) - stat)), stat)
                )
        last_rapid[i] = (last["spike"], last["drop"])
    return rows, last_rapid, rapid_days


def releases(d: Day, ctx: Context) -> list:
    """One `release` per monitored series whose first day with data falls inside this
    block after its first day (a new track, or one entering a chart): its first days are
    its launch, not a spike (the burn-in keeps the other rules quiet over them)."""
    t_len = d.y.shape[1]
    inside = (ctx.start > 0) | ((ctx.start == 0) & (not ctx.origin))
    new = np.flatnonzero(ctx.monitored & ctx.seen & inside & (ctx.start < t_len))
    return [
        (
            int(i),
            "release",
            int(ctx.start[i]),
            int(ctx.start[i]),
            1.0,
            d.counts[i, ctx.start[i]],
            0.0,
            0.0,
        )
        for i in new
    ]


def gradual(
    d: Day,
    ctx: Context,
    rapid_days: dict[tuple[int, str], list[tuple[int, int]]],
    full: np.ndarray,
    off: int,
    cfg: DetectConfig,
    pending: np.ndarray,
):
    """Growth and decline: the trend's posterior beyond the minimum slope on `sustain`
    consecutive observed days. `full` is the history before the block plus the block
    (`off` days of history) for placing the onset. Returns the alert rows and the updated
    run lengths and arming per series."""
    out, t_len = d.out, d.y.shape[1]
    tsd = np.sqrt(out.trend_var)
    with np.errstate(invalid="ignore"):
        p_up = norm.sf((cfg.slope_min - out.trend_mean) / tsd)
        p_down = norm.cdf((-cfg.slope_min - out.trend_mean) / tsd)
        # Material: the trend moves the day by >= min_excess streams within four weeks.
        material = np.abs(np.expm1(28 * out.trend_mean)) * d.expected >= cfg.min_excess
    run_out, armed_out = ctx.run.copy(), ctx.armed.copy()
    rows = []
    for k, (kind, p) in enumerate((("growth", p_up), ("decline", p_down))):
        # Only days with an observation count: on a missing (censored) day the trend is a
        # prediction, and a series that left the chart must not "decline" by extrapolation.
        hit = d.ok & ~np.isnan(d.y) & (np.nan_to_num(p) >= cfg.p_gradual) & material
        hit &= ~pending[:, :, k]  # a step in the making: the level-shift rule decides
        # Series with no hit and armed: the run just resets.
        quiet = ~hit.any(axis=1) & ctx.armed[:, k]
        run_out[quiet, k] = 0
        for i in np.flatnonzero(~quiet):
            # Hysteresis: after an alert the same kind re-arms only once the posterior has
            # fallen below 1/2 (the change is over), so a long ramp alerts once.
            run, armed = int(ctx.run[i, k]), bool(ctx.armed[i, k])
            # Any step within `unwind` days: its unwinding (the opposite way) or the
            # filter settling on its new level (the same way), not a new gradual change.
            # Only steps already decided by that day count (as an online run knows them):
            # a full run and its online continuation then give the same alerts whenever a
            # step's decision falls (it may wait days past its start, see steps.py).
            recent = [(int(r), -(10**6)) for r in ctx.last_rapid[i]]
            recent += rapid_days.get((i, "spike"), []) + rapid_days.get((i, "drop"), [])
            for t in range(t_len):
                run = run + 1 if hit[i, t] else 0
                if not armed:
                    armed = bool(p[i, t] < 0.5)
                    continue
                if run >= cfg.sustain:
                    armed = False
                    if any(0 <= t - r <= cfg.unwind and seen <= t for r, seen in recent):
                        continue
                    lo = max(int(ctx.start[i]) + off, t + off - cfg.onset_window, 0)
                    hi = min(t + off + cfg.onset_ahead, full.shape[1] - 1)
                    onset = _onset(full[i], lo, hi, t + off) - off
                    rows.append(
                        (
                            i,
                            kind,
                            onset,
                            t,
                            float(p[i, t]),
                            d.counts[i, t],
                            d.expected[i, t],
                            float(out.trend_mean[i, t]),
                        )
                    )
            run_out[i, k], armed_out[i, k] = run, armed
    return rows, run_out, armed_out
