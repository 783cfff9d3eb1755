"""Artist totals over censored tracks: a chain-linked index instead of a plain sum.

A chart lists a track only on the days it is in the top N, so an artist's plain daily sum
jumps when one of its tracks enters the chart and falls when one leaves, though nobody's
listening changed (censoring). The total is only comparable from one day to the next over
the tracks listed on both days: the day-over-day ratio over those tracks, cumulated from
the unit's first day (where the index equals the plain sum, so it reads in streams).
Anchoring on the first day keeps history fixed when new days are appended (online runs).

A track's first listed day is different: on a chart that is the track coming out (or
first reaching the chart), new listening for the artist, so its streams that day join the
numerator (an album's tracks entering on release day lift the total as they should). Only
re-entries and exits, the censoring, are left out.

A day none of the previous day's tracks is listed on (the artist's whole chart presence
turned over) has no common track: the plain ratio is the only evidence and is used.
"""

from __future__ import annotations

import numpy as np


def chain_linked(x: np.ndarray) -> np.ndarray:
    """Chain-linked daily total of the tracks x [n, T] (NaN = not listed that day); NaN on
    days no track is listed. Equals the plain sum when every track is listed every day.
    A track's first listed day (after the unit's first) adds its streams as new listening."""
    out = np.full(x.shape[1], np.nan)
    seen = ~np.isnan(x)
    days = np.flatnonzero(seen.any(axis=0))
    if days.size == 0:
        return out
    v, o = np.nan_to_num(x[:, days]), seen[:, days]
    both = o[:, 1:] & o[:, :-1]
    first = np.where(o.any(axis=1), o.argmax(axis=1), -1)
    debut = np.arange(1, len(days))[None, :] == first[:, None]  # [n, m-1]: first listed
    num = np.where(both | debut, v[:, 1:], 0.0).sum(axis=0)
    den = np.where(both, v[:, :-1], 0.0).sum(axis=0)
    plain = v.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        fallback = np.where(plain[:-1] > 0, plain[1:] / plain[:-1], 1.0)
        ratio = np.where(den > 0, num / den, fallback)
    out[days] = plain[0] * np.concatenate([[1.0], np.cumprod(ratio)])
    return out
