"""Artist totals over censored tracks: a chain-linked index instead of a plain sum.

The index is what detection reads; its level drifts from the listed streams over a year
(tracks off the chart are carried at the pace of the listed ones), so the numbers shown
(observed, expected, bands) are turned back into listed streams with the day's ratio of
listed streams to index (`to_streams`): the relative move of an alert is unchanged.

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
import pandas as pd

STREAM_COLUMNS = ("observed", "expected", "excess", "lo80", "hi80", "lo95", "hi95")


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


def chain_linked_parts(x: np.ndarray) -> np.ndarray:
    """A track's total over the countries x [n, T] whose charts list it (NaN = not listed
    there that day), chain-linked: each day moves the total by the ratio of the streams of
    the countries listed on both it and the last day kept. A country's first day is no new
    listening (the track had listeners there below the chart's cutoff), and a day that
    shares no country with the last one kept has nothing to compare: it stays missing
    (censored), where the plain ratio of two different countries' charts would read as a
    move. Equals the plain sum when every country lists the track every day."""
    out = np.full(x.shape[1], np.nan)
    listed = ~np.isnan(x)
    days = np.flatnonzero(listed.any(axis=0))
    if days.size == 0:
        return out
    last, level = days[0], float(np.nansum(x[:, days[0]]))
    out[last] = level
    for t in days[1:]:
        common = listed[:, t] & listed[:, last]
        if not common.any():
            continue
        level *= x[common, t].sum() / x[common, last].sum()
        out[t], last = level, t
    return out


def to_streams(rows: pd.DataFrame, ids, labels, dates: pd.DatetimeIndex, scale) -> pd.DataFrame:
    """Rows (subject_id, label, date or event_date, and any of STREAM_COLUMNS) of artist
    units on the index scale, in listed streams: each multiplied by its unit's ratio of
    listed streams to index on that day (the last known one for later days, the first for
    earlier ones). scale [N, T] for units (ids[k], labels[k]) over `dates`; None: as is."""
    if scale is None or rows.empty:
        return rows
    known = pd.DataFrame(scale.T, index=dates).ffill().bfill().fillna(1.0).to_numpy().T
    unit = {(i, lab): k for k, (i, lab) in enumerate(zip(ids, labels, strict=True))}
    day_col = "date" if "date" in rows else "event_date"
    k = np.array(
        [unit.get((i, lab), -1) for i, lab in zip(rows.subject_id, rows.label, strict=True)]
    )
    t = (pd.to_datetime(rows[day_col]) - dates[0]).dt.days.to_numpy()
    t = np.clip(t, 0, len(dates) - 1)
    factor = np.where(k >= 0, known[np.maximum(k, 0), t], 1.0)
    out = rows.copy()
    for col in STREAM_COLUMNS:
        if col in out:
            out[col] = out[col].to_numpy(dtype=float) * factor
    return out
