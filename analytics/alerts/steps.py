"""Level shifts: a step that lasts, found inside the filter by a two-sided CUSUM and dated
on the day it starts.

A moderate lasting step (a playlist add of +20 % to +60 %, or its end) moves each day by
one or two noise sd's only, too little for the one-day test; and the filter, whose level
barely moves while its trend may, absorbs such a step within days as a burst of trend
(read as growth, dated weeks early). So the CUSUM measures each day's departure from a
reference frozen when the departure began: the filter's forecast from that day on (level
plus the trend of the time, weekday pattern included), not the one-step prediction that
has already followed the step. Per direction it accumulates z_t - k, z_t = departure /
one-step sd, and restarts at zero (re-anchoring the reference) whenever the sum is not
positive, so the day after its last restart is the day the departure began.

Past h the departure is a level shift, unless a ramp leaving the reference level
continuously fits the departures better than any step (a gradual change: left to the trend
rule), or the departure falls back while it lasts (a pulse fading: followed down; its
start is reported unless it is a one-day spike's own fading). Step and ramp are told
apart by the likelihood of the two fits over the departure and the days before it, and a
call too close to make waits a few days (see LR_MARGIN).
At the alarm the filter takes the new level (an intervention): the reference level plus the
mean departure, with the reference trend (the burst of trend is undone) and a widened
level variance. The memory (sums and reference per direction) continues across online runs.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from analytics.alerts.step_shapes import best_step, hinge_rss, slope_t

# Per direction: CUSUM value, start day, observed days, sums of d, d^2, j d, j^2 and j
# (j = days since start, d = departure on the log scale), days past h, whether it was
# judged a ramp, the reference level, the day and lift of the last level shift that way; then
# the last RECENT deseasonalised observations (newest last, NaN = none), shared.
S, START, N, SD, SD2, SJD, SJ2, SJ, CROSS, RAMP, LEVEL, LAST, LIFT = range(13)
PER = 13
NEVER = -(10.0**6)
RECENT = 28
WIDTH = 2 * PER + RECENT
# A departure whose slope from its first day is this many standard errors away from flat
# is a ramp (a gradual change), not a step.
RAMP_T = 1.5
# A departure that falls back towards the reference this clearly while it lasts (the slope
# against its direction, in standard errors) is a pulse fading (a viral moment), not a step:
# the filter follows it down (its level: the mean of the latest FADE_DAYS), and no end is
# reported.
FADE_T = 3.0
FADE_DAYS = 3
FADE = "fade"
# What an alarm is: a level shift, the return of an earlier one (material if that one
# was: the end of a +17 % add is a -15 % step), or a pulse fading.
STEP, RETURN = "step", "return"
RAMP_LEAD = 10  # days a ramp may run before the CUSUM takes it up (k = 0.75 sd at ~0.1 sd a day)
# Days before the CUSUM's start that the step-or-ramp judgement also fits (see _shape), and
# how many of them the step's first day may fall on.
PRE_DAYS = 10
EARLY_DAYS = 3
# Ramp or step, and whether a step has already ended, are decided on the likelihood of the
# two fits (Gaussian departures with the one-step variance): only when one is better by
# 2 log LR >= LR_MARGIN (a likelihood ratio of ~20). A ramp-or-step call that is closer
# waits up to WAIT_DAYS more days past the confirmation (a ramp keeps rising, a step does
# not), then goes to the better fit; a return that is closer is not yet a return.
LR_MARGIN = 6.0
WAIT_DAYS = 7
WAIT = "wait"
# A departure past h that falls back under h before its confirmation is judged then (see
# StepMonitor.update).
DECIDE_ON_FALLBACK = True
# A step judged before its confirmation (on a one-day fall back, or when it falls back under
# h) that lasted fewer days than this is a burst (a release week, a viral moment), not a
# level shift: its fall is left to the one-day rules, which treat a spike's fall as the same
# event. The level shifts of the issue last 10 days or more.
MIN_STEP_DAYS = 7


@dataclass(frozen=True)
class StepConfig:
    # Reference value and decision interval in sd units of the one-step predictive.
    # k = 0.75 targets steps of about 1.5 sd (+20 % on a loud track); with h = 6 a
    # Gaussian series in control alarms once per ~40,000 days per direction.
    k: float = 0.75
    h: float = 8.0
    # Days past h before a step is decided: a ramp's slope shows with a few more days, a
    # step's date does not move (the alert is still dated on the first day).
    confirm: int = 7
    # Days after a level shift in which a move the other way is judged as a step (the end
    # of the add, back to about the old level) even when its first days slope: the move
    # back shows within the confirmation days, so a few noisy days at its foot otherwise
    # read as a ramp, and the trend rule takes a decline soon after a rise as the rise
    # fading, so that end was never reported.
    returns: int = 45


class StepMonitor:
    """CUSUM memory of N series, updated day by day by the filter; alarms are kept in
    `alarms` as (series, start day, alarm day, direction +1/-1, shift in log units, sum,
    role: STEP, RETURN or FADE).

    `pending` [N, T, 2] marks the days on which a departure that looks like a step (flat
    since its first day, and material) is accumulating but not yet decided: the trend rule
    waits on those days, so a step is not first reported as growth or decline."""

    def __init__(self, memory: np.ndarray, cfg: StepConfig, days: int, min_shift: float):
        self.m = memory[:, : 2 * PER].reshape(-1, 2, PER).copy()  # [N, direction, PER]
        self.recent = memory[:, 2 * PER :].copy()  # [N, RECENT]
        self.cfg = cfg
        self.alarms: list[tuple[int, int, int, int, float, float]] = []
        self.pending = np.zeros((len(memory), days, 2), bool)
        self.min_log = float(np.log1p(min_shift))

    @staticmethod
    def fresh(n: int) -> np.ndarray:
        memory = np.zeros((n, WIDTH))
        memory[:, LAST] = memory[:, PER + LAST] = NEVER
        memory[:, 2 * PER :] = np.nan
        return memory

    def memory(self, shift_days: int = 0) -> np.ndarray:
        """The memory to continue from, start days moved by `shift_days`."""
        m = self.m.copy()
        m[:, :, START] += shift_days
        m[:, :, LAST] += shift_days
        return np.concatenate([m.reshape(len(m), -1), self.recent], axis=1)

    def reset(self, idx: np.ndarray, t: int, recent: bool = True) -> None:
        """Series idx restart after day t: both CUSUMs, and with `recent` the recent days
        too (after a level shift they are the old level). A one-day tail event keeps
        them: one odd day is no evidence of a new level."""
        self.m[idx, :, :LAST] = 0.0  # the day of the last level shift stays
        self.m[idx, :, START] = t + 1
        if recent:
            self.recent[idx] = np.nan

    def tail(self, idx: np.ndarray, t: int, dep: np.ndarray, var: np.ndarray) -> None:
        """Series idx have a one-day tail event on day t (the filter intervenes; `dep` its
        deseasonalised observation, `var` the one-step variances). A step the other way
        already past h but not yet confirmed whose days end with this one (a 10-day add
        falling back on its 11th day) is decided now: its start and its end (this day) are
        level shifts. Before, the tail restarted the CUSUM and the add itself was lost (its
        end alone was reported, as a one-day drop). Then the CUSUMs restart (`reset`)."""
        settled = []
        for r, i in enumerate(idx):
            i = int(i)
            for d, sign in ((0, 1.0), (1, -1.0)):
                m = self.m[i, d]
                if m[CROSS] < 1 or m[RAMP] or m[S] <= 0:
                    continue  # not past h, a ramp, or not accumulating
                back = sign * (dep[r] - m[LEVEL])
                start = int(m[START])
                flat = bool(self._flat(m[None], sign)[0])
                # The day itself is left out (NaN): the step's days are start..t-1.
                shape = self._shape(i, start, t, m[LEVEL], np.nan, sign, flat, var[i], True)
                if shape is None or shape is WAIT or shape[0] == FADE:
                    continue  # a ramp, or a pulse fading: the tail is its own event
                onset, lift, ended = shape
                if not np.isfinite(lift) or ended is not None or back >= 0.5 * sign * lift:
                    continue  # ended before (update decides those), or not back today
                if t - onset < MIN_STEP_DAYS:
                    continue  # a burst of a few days: the one-day rules judge its fall
                self.alarms.append((i, onset, t, int(sign), lift, float(m[S]), STEP))
                self.alarms.append((i, t, t, -int(sign), -lift, float(m[S]), RETURN))
                settled.append(i)
        self._kept = {}
        keep = np.setdiff1d(idx, settled)
        self.reset(keep, t, recent=False)
        if settled:  # the recent days are the add's: the level is the old one again
            self.reset(np.asarray(settled), t, recent=True)

    def update(
        self,
        t: int,
        y: np.ndarray,
        F: np.ndarray,
        ok: np.ndarray,
        pred_level: np.ndarray,
        pred_season: np.ndarray,
    ):
        """Day t: y observations, F one-step variances, ok the series that count,
        pred_level and pred_season [N] the filter's predicted level and day-of-week state.
        Returns the series to intervene on and their new level."""
        idx = np.flatnonzero(ok)
        fire = np.zeros(len(idx), bool)
        level = np.zeros(len(idx))
        if len(idx) == 0:
            return idx, level
        sd = np.sqrt(F[idx])
        season = pred_season[idx]
        self._kept: dict[int, np.ndarray] = {}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            base = np.nanmean(self.recent[idx], axis=1)
        base = np.where(np.isnan(base), pred_level[idx], base)
        for d, sign in ((0, 1.0), (1, -1.0)):
            m = self.m[idx, d]  # a copy (fancy index): written back below
            idle = m[:, S] <= 0  # not accumulating: anchor on the recent level
            m[idle, LEVEL] = base[idle]
            dep = y[idx] - (m[:, LEVEL] + season)  # departure from the frozen level
            s = m[:, S] + sign * dep / sd - self.cfg.k
            restart = s <= 0
            m[restart, :LEVEL] = 0.0
            m[restart, START] = t + 1
            go = ~restart
            m[go, S] = s[go]
            m[go, START] = np.where(idle[go], t, m[go, START])
            j = t - m[go, START] + 1
            dg = dep[go]
            m[go, N] += 1
            m[go, SD] += dg
            m[go, SD2] += dg * dg
            m[go, SJD] += j * dg
            m[go, SJ2] += j * j
            m[go, SJ] += j
            over = go & (m[:, S] > self.cfg.h)
            m[over, CROSS] += 1
            flat = self._flat(m, sign)
            decide = over & (m[:, CROSS] >= self.cfg.confirm + 1) & (m[:, RAMP] == 0)
            final = m[:, CROSS] >= self.cfg.confirm + 1 + WAIT_DAYS
            # A departure past h that falls back under h before its confirmation is judged
            # on that day too: a short add (10-12 days) may be over before the confirmation
            # days, and waiting lost it (the CUSUM drained away, nothing was reported).
            # The judgement is the same (a step, its return, a ramp, a pulse fading; a close
            # ramp-or-step call waits), only made sooner.
            early = np.zeros_like(decide)
            if DECIDE_ON_FALLBACK:
                early = go & ~over & (m[:, CROSS] >= 1) & (m[:, RAMP] == 0) & ~decide
                decide |= early
            # Decided once: a ramp stays a ramp for this run (a ramp levelling off must not
            # turn into a step dated at the ramp's start).
            step = go & flat & (m[:, RAMP] == 0)
            with np.errstate(invalid="ignore", divide="ignore"):
                big = sign * m[:, SD] / m[:, N] >= self.min_log
            pend = step & big & (m[:, N] >= 2)
            # A departure whose CUSUM started a day or two before the step (on a noisy
            # high day) slopes from that start, but a step still fits it better than a
            # ramp: it is a step in the making too, and growth must not be reported first.
            for r in np.flatnonzero(go & ~flat & (m[:, RAMP] == 0) & big):
                pend[r] = self._steplike(int(idx[r]), int(m[r, START]), t, m[r, LEVEL], dep[r])
            self.pending[idx, t, d] = pend
            back = t - self.m[idx, 1 - d, LAST] <= self.cfg.returns
            for r in np.flatnonzero(decide):
                i, start = int(idx[r]), int(m[r, START])
                shape = None
                if back[r]:  # judged as a step, kept if it undoes about the earlier shift
                    shape = self._shape(
                        i, start, t, m[r, LEVEL], dep[r], sign, True, F[i], final[r]
                    )
                    back[r] = shape is not None and _about(shape[1], self.m[i, 1 - d, LIFT])
                if not back[r]:
                    shape = self._shape(
                        i, start, t, m[r, LEVEL], dep[r], sign, flat[r], F[i], final[r]
                    )
                if shape is WAIT:
                    continue
                if shape is None:
                    self._kept.pop(i, None)
                    m[r, RAMP] = 1.0  # a ramp stays a ramp for this run (see above)
                    continue
                if shape[0] == FADE:  # a pulse falling back: follow it down
                    fire[r], level[r] = True, m[r, LEVEL] + shape[1]
                    self._kept[i] = self.recent[i, -FADE_DAYS:].copy()
                    # Its start is reported (a material departure is news); the rules
                    # drop it when it is a one-day spike's own fading (rules.rapid).
                    self.alarms.append((i, shape[2], t, int(sign), shape[3], float(m[r, S]), FADE))
                    continue
                onset, lift, ended = shape
                if early[r] and (t if ended is None else ended) - onset < MIN_STEP_DAYS:
                    continue  # a burst of a few days, not a level shift (see `tail`)
                fire[r] = True
                if back[r]:  # the move back: the earlier shift is settled, not a new one
                    self.m[i, 1 - d, LAST] = NEVER
                else:
                    m[r, LAST], m[r, LIFT] = t, lift
                role = RETURN if back[r] else STEP
                self.alarms.append((i, onset, t, int(sign), lift, float(m[r, S]), role))
                if ended is None:
                    # A move back returns to the level before the earlier shift, known
                    # from weeks of days rather than the few since this one began.
                    undone = -self.m[i, 1 - d, LIFT] if back[r] else lift
                    level[r] = m[r, LEVEL] + undone
                    # The step's own days are the new level: the next change is measured
                    # against them, not against the few (noisy) days after this decision.
                    self._kept[i] = self.recent[i, RECENT - min(t - onset, RECENT) :].copy()
                    continue
                # It has already ended: a step and its return, the level is the old one.
                self.alarms.append((i, ended, t, -int(sign), -lift, float(m[r, S]), RETURN))
                level[r] = m[r, LEVEL]
            self.m[idx, d] = m
        hit = idx[fire]
        if len(hit):
            self.reset(hit, t)
        for i in hit:  # the days already at the new level stay (after a return: the old one)
            kept = self._kept.get(int(i))
            if kept is not None and len(kept):
                self.recent[i, RECENT - len(kept) :] = kept
        return hit, level[fire]

    def _shape(self, i, start, t, base, today, sign, flat, var: float = 1.0, final: bool = True):
        """What the departure since `start` is, from its days (the recent window): None
        for a ramp (a ramp from the reference level fits better than any step); (FADE, its
        level now) for a pulse falling back while it lasts; else (first day of the step,
        lift in log units, first day back at the old level or None while it lasts).

        Both shapes are fitted over the departure's days AND up to PRE_DAYS days before
        the CUSUM's start (still at the reference level, or the CUSUM would have started
        there): a ramp must leave the reference level continuously through those days,
        which a step that began after a few noisy high days does not. The step's first
        day is the best split from EARLY_DAYS before the start on, so a start the CUSUM
        placed a day or two early or late (on noise) does not move the date."""
        span = t - start
        if not 0 < span < RECENT or span < 3:
            return (start, float(today), None) if flat else None
        pre = min(PRE_DAYS, RECENT - span)
        dep = np.append(self.recent[i, RECENT - span - pre :] - base, today)  # start-pre..t
        seen = np.flatnonzero(~np.isnan(dep))
        d, j = dep[seen], seen.astype(float) - pre
        first = int(np.searchsorted(j, -EARLY_DAYS))  # earliest split considered
        if len(d) - first < 4:
            return (start, float(np.mean(d[j >= 0])), None) if flat else None
        rss, e, r = best_step(d, first)
        lift = float(d[e:r].mean())
        if sign * lift <= 0:
            return None
        if not flat:
            gain = (hinge_rss(j, d, RAMP_LEAD) - rss) / var  # twice the log-likelihood ratio
            if not final and abs(gain) < LR_MARGIN:
                return WAIT  # too close to call: a ramp keeps rising, a step does not
            if gain < 0:
                return None  # a ramp fits better than any step (see step_shapes.hinge_rss)
        if -sign * slope_t(j[e:r], d[e:r]) > FADE_T:
            # Its level now (the latest days), its first day and mean lift.
            return FADE, float(np.mean(d[-FADE_DAYS:])), start + int(j[e]), lift
        if r < len(d):
            # A return needs its own evidence (a few low days at the end of the window
            # are often noise while the add lasts): else the step still lasts.
            rss_on, e_on, _ = best_step(d, first, returns=False)
            if len(d) - r < 2 or (rss_on - rss) / var < LR_MARGIN:
                e, r, lift = e_on, len(d), float(d[e_on:].mean())
        onset = start + int(j[e])
        if r == len(d):
            return onset, lift, None
        back = start + int(j[r])
        self._kept[i] = base + dep[back - start + pre : -1]
        return onset, lift, back

    def _steplike(self, i: int, start: int, t: int, base: float, today: float) -> bool:
        """Whether the best step fits the departure since `start` (and the days before
        it, as in _shape) better than the best ramp leaving the reference level."""
        span = t - start
        if not 0 < span < RECENT or span < 3:
            return False
        pre = min(PRE_DAYS, RECENT - span)
        dep = np.append(self.recent[i, RECENT - span - pre :] - base, today)
        seen = np.flatnonzero(~np.isnan(dep))
        d, j = dep[seen], seen.astype(float) - pre
        first = int(np.searchsorted(j, -EARLY_DAYS))
        if len(d) - first < 4:
            return False
        rss, _, _ = best_step(d, first, returns=False)
        return hinge_rss(j, d, RAMP_LEAD) > rss

    @staticmethod
    def _flat(m: np.ndarray, sign: float) -> np.ndarray:
        """Departures without a clear slope in the direction of the change (a step); fewer
        than 4 days: a step unless shown otherwise."""
        n, sd_, sd2, sjd, sj2, sj = (m[:, c] for c in (N, SD, SD2, SJD, SJ2, SJ))
        with np.errstate(invalid="ignore", divide="ignore"):
            sxx = sj2 - sj * sj / n
            sxy = sjd - sj * sd_ / n
            b = sxy / sxx
            resid = (sd2 - sd_ * sd_ / n - b * sxy) / (n - 2)
            t = sign * b / np.sqrt(np.maximum(resid, 1e-12) / sxx)
        return (n < 4) | ~(t > RAMP_T)

    def observe(self, y: np.ndarray, season: np.ndarray, obs: np.ndarray) -> None:
        """After day t: the day's deseasonalised observation joins the recent days."""
        self.recent[:, :-1] = self.recent[:, 1:]
        self.recent[:, -1] = np.where(obs, y - season, np.nan)


def _about(lift: float, earlier: float) -> bool:
    """A move back by about the earlier shift (half to one and a half of it)."""
    return 0.5 <= -lift / earlier <= 1.5 if earlier else False
