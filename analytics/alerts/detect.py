"""Significant-change detection on daily streams, for many tracks at once.

Scale: log(1 + streams). Multiplicative effects (day of week, a playlist doubling a track)
become additive, and a track with 50 streams a day and one with 50,000 share one model.
Observation noise: a global irregular variance (fitted) plus the Poisson term of the
track's own volume, mu / (1 + mu)^2 by the delta method, so quiet tracks get the wider
intervals that their counts really have instead of one variance for all.

Rapid changes (spike / drop): the tail probability of the day's observation under the
one-step predictive N(yhat, F). Gradual changes (growth / decline): the posterior
probability that the trend exceeds a minimum relevant slope, sustained for several days.
Thresholds and why they were chosen: see `DetectConfig` and docs/features/alerts.md.
"""

from __future__ import annotations

import warnings
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
from scipy.stats import norm

from analytics.alerts.kalman import FilterOutput, FilterState, Hyper, initial_state, kalman_filter


@dataclass(frozen=True)
class DetectConfig:
    # Rapid: |z| >= 4.5 is a one-sided tail of 3.4e-6 per day under the Gaussian predictive,
    # i.e. ~1 false alarm per 800 track-years if the model were exact; the margin absorbs
    # the heavier tails of real counts (the event-free false-alarm rate is measured).
    z_rapid: float = 4.5
    # Materiality: a rapid change must move the day by >= 35% and >= min_excess streams
    # (a track going from 1 to 4 streams is a tail event and no news).
    min_ratio: float = 0.35
    min_excess: float = 25.0
    # Gradual: P(trend > slope_min) >= p_gradual on `sustain` consecutive days, and the
    # trend would move the day by >= min_excess streams within four weeks.
    # slope_min 0.002/day on the log scale = +/- 6% a month. Chosen with TREND_FLOOR on the
    # demo world (seed 0) by a small grid (bench/RESULTS.md): the fastest growth
    # detection whose F1 stayed >= 0.9 and whose false-alarm rate on event-free tracks
    # stayed well under 1 per 10 track-years; checked on a fresh world in the tests.
    p_gradual: float = 0.95
    slope_min: float = 0.002
    sustain: int = 2
    burn_in: int = 28  # days after a series starts before it can alert
    refractory: int = 7  # days after a rapid alert in which the same direction is quiet
    settle: int = 14  # days after a spike in which a fall back is part of the same event
    # A decline within this many days after a spike is the spike fading (and a growth after
    # a drop its recovery): part of the rapid event, not a new gradual one.
    unwind: int = 45
    onset_ahead: int = 21  # days after detection (when known) used to place the onset
    min_level: float = 5.0  # median streams/day below which a series is not monitored
    onset_window: int = 75  # days searched back for the onset of a gradual change

    def as_dict(self) -> dict:
        return asdict(self)


def poisson_var(mu: np.ndarray) -> np.ndarray:
    """Var(log(1 + Y)) for Y ~ Poisson(mu), delta method."""
    mu = np.maximum(np.asarray(mu, dtype=float), 0.0)
    return mu / (1.0 + mu) ** 2


def series_level(counts: np.ndarray) -> np.ndarray:
    """Robust daily volume per series: the median over observed days (NaN-aware)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nan_to_num(np.nanmedian(counts, axis=1), nan=0.0)


# Floor of the trend variance used for monitoring. The MLE on an event-free world says
# trends barely move (~1e-8), which would make the filter's trend a near-global regression
# slope that needs months to notice a new ramp. 5e-6 lets the slope drift by ~0.012/day a
# month at one sd; measured on the demo world: growth found in a median 13 days instead of
# ~50 at a similar false-alarm rate (bench/RESULTS.md).
TREND_FLOOR = 5e-6


def fit_hyper(
    counts: np.ndarray,
    sample: int = 10,
    seed: int = 0,
    maxiter: int = 50,
    days: int = 150,
    trend_floor: float = TREND_FLOOR,
) -> tuple[Hyper, pd.DataFrame]:
    """Maximum likelihood (statsmodels UnobservedComponents) on a sample of series.

    Each sampled series is fitted on its own; the global hyperparameters are the medians
    (robust to the few sampled series that carry an event). The fitted irregular variance
    includes each series' Poisson term, which is removed before taking the median.
    Returns the hyperparameters and the per-series fits (for the run record).
    """
    from statsmodels.tsa.statespace.structural import UnobservedComponents

    level = series_level(counts)
    observed = (~np.isnan(counts[:, -days:])).sum(axis=1)
    eligible = np.flatnonzero((level >= 50) & (observed >= 56))
    if len(eligible) == 0:
        eligible = np.flatnonzero(observed >= 28)
    if len(eligible) == 0:
        raise ValueError("no series with at least 28 observed days to fit the model on")
    rng = np.random.default_rng(seed)
    chosen = rng.choice(eligible, size=min(sample, len(eligible)), replace=False)
    rows = []
    for i in chosen:
        y = np.log1p(counts[i])[-days:]  # the recent past: enough for 4 variances
        first = int(np.flatnonzero(~np.isnan(y))[0])
        mod = UnobservedComponents(
            y[first:], level="local linear trend", seasonal=7, stochastic_seasonal=True
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = mod.fit(disp=False, maxiter=maxiter)
        irr, lev, tr, se = (float(x) for x in res.params)
        rows.append(
            {
                "series": int(i),
                "irregular": irr - float(poisson_var(level[i])),
                "level": lev,
                "trend": tr,
                "seasonal": se,
                "llf": float(res.llf),
            }
        )
    fits = pd.DataFrame(rows)
    hp = Hyper(
        irregular=max(float(fits.irregular.median()), 1e-4),
        level=max(float(fits.level.median()), 1e-6),
        trend=max(float(fits.trend.median()), trend_floor),
        seasonal=max(float(fits.seasonal.median()), 1e-7),
    )
    return hp, fits


@dataclass
class Context:
    """Everything detection carries from one run to the next, per series: the filter state
    (predicted for the next day), the observation variance, where the series started and
    the detection rules' memory. Days are relative to the first day of the next block."""

    state: FilterState
    obs_var: np.ndarray  # [N]
    start: np.ndarray  # [N] first observed day (negative: in an earlier block)
    seen: np.ndarray  # [N] bool: observed at least once
    monitored: np.ndarray  # [N] bool
    run: np.ndarray  # [N, 2] consecutive gradual hits (growth, decline)
    armed: np.ndarray  # [N, 2] bool: a gradual alert of that kind may fire
    last_rapid: np.ndarray  # [N, 2] day of the last spike / drop alert

    @staticmethod
    def fresh(counts: np.ndarray, hp: Hyper, cfg: DetectConfig) -> Context:
        """The context before the first day of `counts` (a full run)."""
        y = np.log1p(np.asarray(counts, dtype=np.float64))
        n = len(y)
        start = _first_observed(y)
        level = series_level(counts)
        y0 = y[np.arange(n), np.maximum(start, 0)]
        # Every series is filtered on the shared day axis from day 0. Before a series' first
        # observed day there is nothing to update on, so its prior (centred on that first
        # observation) simply waits, widened by a little process noise.
        return Context(
            state=initial_state(y0),
            obs_var=hp.irregular + poisson_var(level),
            start=np.maximum(start, 0),
            seen=start >= 0,
            monitored=(level >= cfg.min_level) & (start >= 0),
            run=np.zeros((n, 2), dtype=np.int64),
            armed=np.ones((n, 2), dtype=bool),
            last_rapid=np.full((n, 2), -(10**6), dtype=np.int64),
        )


@dataclass
class Detection:
    alerts: pd.DataFrame  # series, kind, onset, detected, probability, observed, expected
    output: FilterOutput
    obs_var: np.ndarray
    monitored: np.ndarray  # bool per series
    start: np.ndarray  # first observed day per series (relative to this block)
    context: Context | None = None  # to continue with the next days


def _first_observed(y: np.ndarray) -> np.ndarray:
    obs = ~np.isnan(y)
    first = np.argmax(obs, axis=1)
    return np.where(obs.any(axis=1), first, -1)


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


@dataclass
class _Day:
    """The filter's view of one block of days, shared by the rapid and gradual rules."""

    y: np.ndarray  # log(1 + counts) [N, T]
    counts: np.ndarray
    out: FilterOutput
    ok: np.ndarray  # [N, T] bool: monitored, observed and past the burn-in
    expected: np.ndarray  # one-step predicted streams [N, T]


def _rapid(d: _Day, last_rapid: np.ndarray, cfg: DetectConfig):
    """Spikes and drops: days whose observation is a tail event of the one-step predictive
    and material. Returns the alert rows, the updated day of the last spike / drop per
    series and the rapid alert days per (series, kind)."""
    sd = np.sqrt(d.out.pred_var)
    z = (d.y - d.out.pred_mean) / sd
    excess = d.counts - d.expected
    ratio = np.abs(np.expm1(d.y - d.out.pred_mean))
    with np.errstate(invalid="ignore"):
        flag = (
            d.ok
            & (np.abs(z) >= cfg.z_rapid)
            & (ratio >= cfg.min_ratio)
            & (np.abs(excess) >= cfg.min_excess)
        )
    last_rapid = last_rapid.copy()
    rapid_days: dict[tuple[int, str], list[int]] = {}
    rows = []
    for i in np.flatnonzero(flag.any(axis=1)):
        last = {"spike": int(last_rapid[i, 0]), "drop": int(last_rapid[i, 1])}
        for t in np.flatnonzero(flag[i]):
            kind = "spike" if z[i, t] > 0 else "drop"
            if t - last[kind] <= cfg.refractory:
                continue
            if kind == "drop" and t - last["spike"] <= cfg.settle:
                continue  # the fall back after a short spike is the same event
            last[kind] = t
            rapid_days.setdefault((i, kind), []).append(t)
            p = float(norm.cdf(abs(z[i, t])))
            rows.append((i, kind, t, t, p, d.counts[i, t], d.expected[i, t], float(z[i, t])))
        last_rapid[i] = (last["spike"], last["drop"])
    return rows, last_rapid, rapid_days


def _gradual(
    d: _Day,
    ctx: Context,
    last_rapid: np.ndarray,
    rapid_days: dict[tuple[int, str], list[int]],
    full: np.ndarray,
    off: int,
    cfg: DetectConfig,
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
    for k, (kind, p, opposite) in enumerate(
        (("growth", p_up, "drop"), ("decline", p_down, "spike"))
    ):
        # Only days with an observation count: on a missing (censored) day the trend is a
        # prediction, and a series that left the chart must not "decline" by extrapolation.
        hit = d.ok & ~np.isnan(d.y) & (np.nan_to_num(p) >= cfg.p_gradual) & material
        # Series with no hit and armed: the run just resets.
        quiet = ~hit.any(axis=1) & ctx.armed[:, k]
        run_out[quiet, k] = 0
        for i in np.flatnonzero(~quiet):
            # Hysteresis: after an alert the same kind re-arms only once the posterior has
            # fallen below 1/2 (the change is over), so a long ramp alerts once.
            run, armed = int(ctx.run[i, k]), bool(ctx.armed[i, k])
            recent = [int(last_rapid[i, 0 if opposite == "spike" else 1])]
            recent += rapid_days.get((i, opposite), [])
            for t in range(t_len):
                run = run + 1 if hit[i, t] else 0
                if not armed:
                    armed = bool(p[i, t] < 0.5)
                    continue
                if run >= cfg.sustain:
                    armed = False
                    if any(0 <= t - r <= cfg.unwind for r in recent):
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


def detect(
    counts: np.ndarray,
    hp: Hyper,
    cfg: DetectConfig | None = None,
    context: Context | None = None,
    history: np.ndarray | None = None,
) -> Detection:
    """Find spikes, drops, growth and decline in counts [N, T] (NaN = missing day).

    Online use: pass the `context` of the previous run (Detection.context) and only the new
    days; `history` [N, H] are the days just before them (for placing the start of a gradual
    change). Filtering days 1..k and then k+1..T this way gives the same filter and the
    same alerts as one run over 1..T with the same context inputs."""
    cfg = cfg or DetectConfig()
    counts = np.asarray(counts, dtype=np.float64)
    ctx = context or Context.fresh(counts, hp, cfg)
    y = np.log1p(counts)
    n, t_len = y.shape
    days = np.arange(t_len)[None, :]
    ok = ctx.monitored[:, None] & ctx.seen[:, None] & (days >= ctx.start[:, None] + cfg.burn_in)
    out = kalman_filter(y, hp, ctx.obs_var, ctx.state, intervene_z=cfg.z_rapid, active=ok)
    hist = np.zeros((n, 0)) if history is None else np.asarray(history, dtype=np.float64)
    full = np.concatenate([hist, counts], axis=1)  # for the onset fit
    day = _Day(y, counts, out, ok, np.expm1(out.pred_mean))
    rapid, last_rapid, rapid_days = _rapid(day, ctx.last_rapid, cfg)
    gradual, run_out, armed_out = _gradual(
        day, ctx, last_rapid, rapid_days, full, hist.shape[1], cfg
    )
    alerts = pd.DataFrame(rapid + gradual, columns=ALERT_COLUMNS)
    newly = ~ctx.seen & ~np.isnan(y).all(axis=1)
    nxt = Context(
        state=out.state,
        obs_var=ctx.obs_var,
        start=np.where(newly, _first_observed(y), ctx.start) - t_len,
        seen=ctx.seen | newly,
        monitored=ctx.monitored,
        run=run_out,
        armed=armed_out,
        last_rapid=last_rapid - t_len,
    )
    return Detection(alerts, out, ctx.obs_var, ctx.monitored, ctx.start, nxt)
