"""Significant-change detection on daily streams, for many tracks at once.

Scale: log(1 + streams). Multiplicative effects (day of week, a playlist doubling a track)
become additive, and a track with 50 streams a day and one with 50,000 share one model.
Observation noise per series: a fitted overdispersion plus the Poisson term of its own
volume (calibration.py), with hyperparameters fitted per aggregation level (tracks, artist
totals).

Rapid changes (spike / drop): a day that is a tail event of the one-step predictive
N(yhat, F), or a level shift (a lasting step, found by a CUSUM inside the filter and dated
on its first day, steps.py). Gradual changes (growth / decline): the posterior probability
that the trend exceeds a minimum relevant slope, sustained for several days. New releases:
a series that starts inside the data gives one `release` alert on its first day. Rules and
thresholds: rules.py, `DetectConfig` and docs/features/alerts.md.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd

from analytics.alerts import rules
from analytics.alerts.calibration import fit_hyper, obs_var, poisson_var, series_level
from analytics.alerts.censoring import Returns
from analytics.alerts.kalman import FilterOutput, FilterState, Hyper, initial_state, kalman_filter
from analytics.alerts.steps import StepConfig, StepMonitor

__all__ = [
    "Context",
    "DetectConfig",
    "Detection",
    "detect",
    "fit_hyper",
    "launch_weeks",
    "poisson_var",
]


@dataclass(frozen=True)
class DetectConfig:
    # Rapid: |z| >= 4.5 is a one-sided tail of 3.4e-6 per day under the Gaussian predictive,
    # i.e. ~1 false alarm per 800 track-years if the model were exact; the margin absorbs
    # the heavier tails of real counts (the event-free false-alarm rate is measured).
    z_rapid: float = 4.5
    # Materiality: a one-day change must move the day by >= 35% and >= min_excess streams
    # (a track going from 1 to 4 streams is a tail event and no news); an artist total by
    # >= 20% (a whole artist moving a fifth in one day is news).
    min_ratio: float = 0.35
    min_ratio_artist: float = 0.2
    min_excess: float = 25.0
    # Level shifts: the CUSUM (steps.py) and the smallest lasting step worth an alert.
    step: StepConfig = field(default_factory=StepConfig)
    min_shift: float = 0.15
    # Gradual: P(trend > slope_min) >= p_gradual on `sustain` consecutive days, and the
    # trend would move the day by >= min_excess streams within four weeks.
    # slope_min 0.002/day on the log scale = +/- 6% a month. Chosen with TREND_FLOOR on the
    # demo world (seed 0) by a small grid (bench/RESULTS.md): the fastest growth
    # detection whose F1 stayed >= 0.9 and whose false-alarm rate on event-free tracks
    # stayed well under 1 per 10 track-years; checked on fresh worlds.
    p_gradual: float = 0.95
    slope_min: float = 0.002
    sustain: int = 2
    burn_in: int = 28  # days after a series starts before it can alert (its release days)
    launch_days: int = 7  # first days of a series starting inside the data the filter skips
    relaunch_gap: int = 14  # missing days after which a return's first days teach no weekday
    refractory: int = 7  # days after a rapid alert in which the same direction is quiet
    settle: int = 14  # days after a one-day spike in which a fall back is the same event
    # A decline within this many days after a spike is the spike fading (and a growth after
    # a drop its recovery); a change the same way as a recent step is the filter settling
    # on the new level. Either is part of the rapid event, not a new gradual one.
    unwind: int = 45
    onset_ahead: int = 21  # days after detection (when known) used to place the onset
    min_level: float = 5.0  # median streams/day below which a series is not monitored
    onset_window: int = 75  # days searched back for the onset of a gradual change

    def as_dict(self) -> dict:
        return asdict(self)


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
    steps: np.ndarray | None = None  # [N, WIDTH] level-shift memory (steps.py)
    origin: bool = False  # the block starts on the first day of the data

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
            obs_var=obs_var(hp, level),
            start=np.maximum(start, 0),
            seen=start >= 0,
            monitored=(level >= cfg.min_level) & (start >= 0),
            run=np.zeros((n, 2), dtype=np.int64),
            armed=np.ones((n, 2), dtype=bool),
            last_rapid=np.full((n, 2), -(10**6), dtype=np.int64),
            steps=StepMonitor.fresh(n),
            origin=True,
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


def _without_launch_week(y: np.ndarray, ctx: Context, launch_days: int) -> np.ndarray:
    """y with the first `launch_days` days of every series that starts inside the data
    missing: a launch (a release, a first chart day) is a burst, often after a partial first
    day, and a filter that learns its weekday pattern from it keeps "expecting" the launch's
    weekday to be high for months (a "drop" on that weekday every week after). Its first days
    are the `release` alert; the burn-in keeps the other rules quiet over them anyway."""
    if launch_days <= 0:
        return y
    first = np.where(ctx.seen, ctx.start, _first_observed(y))
    if ctx.origin:  # a full run: series observed from the data's first day are no launch
        launch = ctx.seen & (first > 0)
    else:  # an online block: a series first seen in it, or a few days before it
        launch = np.where(ctx.seen, first > -launch_days, first >= 0)
    if not launch.any():
        return y
    days = np.arange(y.shape[1])[None, :]
    mask = launch[:, None] & (days >= first[:, None]) & (days < first[:, None] + launch_days)
    return np.where(mask, np.nan, y)


def launch_weeks(launches: np.ndarray, days: int) -> np.ndarray:
    """[N, T] bool: the `days` days from each launch (launches [N, T]: the days a known step
    starts, e.g. an artist total on a new track's first day). The total steps up on the
    first and falls back over the week after: a burst on a known day, which the filter must
    not read as its weekday pattern (the artist "dropping" on that weekday every week
    after, as the US chart's album weeks did). Pass them as detect's `steps_up`."""
    c = np.cumsum(launches, axis=1)
    lag = np.concatenate([np.zeros((len(c), days)), c[:, :-days]], axis=1)[:, : c.shape[1]]
    return c - lag > 0


def _relaunch_days(y: np.ndarray, hist: np.ndarray, days: int, gap: int) -> np.ndarray:
    """[N, T] bool: the first `days` days after a series returns from `gap` or more
    missing days (the absence read over the history days before the block too). A track
    back on a chart after weeks off it comes back with a burst (often a new release the
    same day), which the filter, whose state has widened over the absence, learns as a
    weekday pattern as readily as a launch (see _without_launch_week). On these days the
    filter follows the level but does not learn the weekday pattern; they are not skipped
    (an event in the week of a return, Coldplay's UK Christmas start five days after it
    re-entered the chart, is still found on its day)."""
    n, t_len = y.shape
    if days <= 0 or gap <= 0:
        return np.zeros((n, t_len), bool)
    obs = ~np.isnan(np.concatenate([hist, y], axis=1))
    width = obs.shape[1]
    pos = np.where(obs, np.arange(width)[None, :], -1)
    last = np.maximum.accumulate(pos, axis=1)  # last observed day up to each day
    before = np.concatenate([np.full((n, 1), -1), last[:, :-1]], axis=1)
    back = obs & (before >= 0) & (np.arange(width)[None, :] - before - 1 >= gap)
    # Days within `days` of a return: a running count of the returns over that window.
    c = np.cumsum(back, axis=1)
    lag = np.concatenate([np.zeros((n, days)), c[:, :-days]], axis=1)
    return (c - lag > 0)[:, hist.shape[1] :]


def detect(
    counts: np.ndarray,
    hp: Hyper,
    cfg: DetectConfig | None = None,
    context: Context | None = None,
    history: np.ndarray | None = None,
    *,
    artist: bool = False,
    returns: Returns | None = None,
    steps_up: np.ndarray | None = None,
    launches: np.ndarray | None = None,
) -> Detection:
    """Find spikes, drops, growth, decline and releases in counts [N, T] (NaN = missing).

    `artist`: the series are artist totals (their own materiality for one-day changes).
    `returns`: the days censored series come back on a chart, with their floors (chart
    imports; censoring.py), for these days. `steps_up` [N, T] bool: days a series is known
    to step (an artist total on a new track's first day): the filter follows the level on
    them but does not learn the weekday pattern from them. `launches` [N, T] bool: the days
    such a step starts (a new track's first day): a one-day spike on one is news even
    within the refractory days of an earlier spike (an album a week after its single).
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
    hist = np.zeros((n, 0)) if history is None else np.asarray(history, dtype=np.float64)
    relaunch = _relaunch_days(y, np.log1p(hist), cfg.launch_days, cfg.relaunch_gap)
    if steps_up is not None:
        relaunch = relaunch | steps_up
    y_filter = _without_launch_week(y, ctx, cfg.launch_days)
    watched = ctx.monitored[:, None] & ctx.seen[:, None]
    ok = watched & (days >= ctx.start[:, None] + cfg.burn_in)
    # A known step (steps_up) may be an intervention even in the burn-in: the level takes
    # it at once, instead of the trend bursting after it or the weekday pattern learning it
    # (an artist "dropping" every Friday after its album's Friday).
    intervene = None if steps_up is None else ok | (watched & steps_up)
    memory = ctx.steps if ctx.steps is not None else StepMonitor.fresh(n)
    monitor = StepMonitor(memory, cfg.step, t_len, cfg.min_shift)
    out = kalman_filter(
        y_filter,
        hp,
        ctx.obs_var,
        ctx.state,
        intervene_z=cfg.z_rapid,
        active=ok,
        intervene=intervene,
        fixed_season=relaunch,
        loglik=False,
        steps=monitor,
    )
    full = np.concatenate([hist, counts], axis=1)  # for the onset fit
    settled = ctx.start + cfg.burn_in  # no level shift dated before (rules._candidates)
    day = rules.Day(y, counts, out, ok, np.expm1(out.pred_mean), settled, returns, launches)
    min_ratio = cfg.min_ratio_artist if artist else cfg.min_ratio
    rapid, last_rapid, rapid_days = rules.rapid(day, ctx.last_rapid, monitor.alarms, cfg, min_ratio)
    gradual, run_out, armed_out = rules.gradual(
        day, ctx, rapid_days, full, hist.shape[1], cfg, monitor.pending
    )
    releases = rules.releases(day, ctx)
    alerts = pd.DataFrame(rapid + gradual + releases, columns=rules.ALERT_COLUMNS)
    newly = ~ctx.seen & ~np.isnan(y).all(axis=1)
    memory = monitor.memory(-t_len)  # start days relative to the next block
    nxt = Context(
        state=out.state,
        obs_var=ctx.obs_var,
        start=np.where(newly, _first_observed(y), ctx.start) - t_len,
        seen=ctx.seen | newly,
        monitored=ctx.monitored,
        run=run_out,
        armed=armed_out,
        last_rapid=last_rapid - t_len,
        steps=memory,
    )
    return Detection(alerts, out, ctx.obs_var, ctx.monitored, ctx.start, nxt)
