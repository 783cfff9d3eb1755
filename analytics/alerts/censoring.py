"""Chart returns: a censored track back on a chart is judged only on what the chart shows.

A chart lists a track only on its days above the chart's cutoff (the day's lowest listed
streams); its other days are censored: the track was somewhere below the cutoff, how far
is unknown. The filter skips those days, so its prediction on the day the track comes
back is the level before it left, carried (with its trend) over the gap. Two artifacts
follow on that return day:

- a "drop": the track comes back lower than it left. The fall happened while it was off
  the chart, on a day nobody saw: it cannot be dated on the return, so it is not reported;
- a "spike": the prediction was carried below the cutoff (a falling trend over weeks off
  the chart), and a listed day is above the cutoff by construction. Only the part of the
  move beyond the cutoff is evidence: the return day's move must be material against
  the larger of the prediction and the day's floor (the least streams the track can have
  where it is listed: the sum of the cutoffs of its charts that day), and so must a level
  shift dated on the return or a few days after it. (The tail test stays the filter's:
  the filter takes the new level on it, which restarts the level-shift monitor.)

Where no cutoff is known (a file that lists a label's own tracks, not the whole chart) the
floor is missing and the prediction stands; a drop on a return is still not reported.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Returns:
    """Per series and day [N, T]: `day` a censored series' first listed day after one or
    more censored days (it was listed before), `floor` that day's floor on the log scale,
    log(1 + streams) (NaN: unknown, or not a return day)."""

    day: np.ndarray
    floor: np.ndarray

    def block(self, lo: int) -> Returns:
        """The days from index `lo` on (an online run's new days)."""
        return Returns(self.day[:, lo:], self.floor[:, lo:])


def return_days(counts: np.ndarray, censored: np.ndarray) -> np.ndarray:
    """[N, T] bool: listed today, not yesterday, and on some day before (censored series
    only; a complete delivery's missing day is a data gap, handled by data health)."""
    listed = ~np.isnan(counts)
    before = np.zeros_like(listed)
    before[:, 1:] = np.logical_or.accumulate(listed, axis=1)[:, :-1]
    back = np.zeros_like(listed)
    back[:, 1:] = listed[:, 1:] & ~listed[:, :-1]
    return back & before & np.asarray(censored, dtype=bool)[:, None]


def chart_returns(
    counts: np.ndarray,
    ids: np.ndarray,
    dates: pd.DatetimeIndex,
    censored: np.ndarray,
    floors: pd.DataFrame | None,
) -> Returns:
    """The return days of the series `ids` [N] on `dates`, with their floors from
    `floors` (isrc, date, floor: streams; missing rows are unknown floors)."""
    day = return_days(counts, censored)
    floor = np.full(counts.shape, np.nan)
    if floors is not None and not floors.empty:
        f = floors.assign(date=pd.to_datetime(floors.date))
        piv = f.pivot_table(index="isrc", columns="date", values="floor", aggfunc="sum")
        known = piv.reindex(index=ids, columns=dates).to_numpy(dtype=float)
        floor = np.where(day, np.log1p(known), np.nan)
    return Returns(day, floor)


def judged_prediction(pred: np.ndarray, returns: Returns | None) -> np.ndarray:
    """The one-step prediction a one-day move's size is measured against: on a return
    day the larger of the prediction and the floor (only the move beyond the cutoff
    counts)."""
    if returns is None:
        return pred
    return np.where(returns.day, np.fmax(pred, returns.floor), pred)


# A level shift's first day is the best split of noisy days (steps.py: EARLY_DAYS), so a
# rise dated this many days after a return is that return's too: the level before it is
# known only from the few days since the return, the rest is the carried prediction.
NEAR_DAYS = 3


def step_lift(y: np.ndarray, onset: int, t: int, shift: float, returns: Returns | None, i: int):
    """A level shift of series i dated on day `onset` (decided on day t, lift `shift` in
    log units against the level before): the lift that counts. None when the step is a
    drop dated on a return day (the fall happened off the chart); for a rise dated on a
    return or up to NEAR_DAYS after it, the lift over that return's floor of the days it
    lasted (the mean listed level of days onset..t), when smaller (None when nothing is
    left beyond the floor)."""
    if returns is None or onset < 0:
        return shift
    back = [k for k in range(min(NEAR_DAYS, onset) + 1) if returns.day[i, onset - k]]
    if not back:
        return shift
    if shift < 0:
        return None if back[0] == 0 else shift
    floor = returns.floor[i, onset - back[0]]
    if np.isnan(floor):
        return shift
    beyond = float(np.nanmean(y[i, onset : t + 1])) - floor
    return min(shift, beyond) if beyond > 0 else None
