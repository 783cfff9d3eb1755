"""Scoring detected alerts against planted events (ground truth of the synthetic world).

A planted event is found when an alert of the same kind on the same track has its event
date within `tolerance` days of the planted date (each alert matches at most one event).

Campaign lifts are scored by what they do to the track's TOTAL, the series the detector
watches. A campaign whose mean extra streams per day would pass the detector's own
materiality for a level shift (>= min_shift of the track's expected total and >= min_excess
streams a day) is a planted level shift: its first day a `spike`, the first day after it a
`drop` (shape `campaign`). A smaller campaign is neutral: an alert on its track dated from
`tolerance` days before its start to `tolerance` days after its end, and not matched to
another planted event, is neither a hit nor a false alarm. A zero-effect campaign (spend
that moves nothing) is neither: an alert on it is a false alarm.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Score:
    events: int
    alerts: int
    matched: int
    precision: float
    recall: float
    f1: float
    median_delay_spike: float
    median_delay_growth: float
    false_alarms_event_free: int
    event_free_track_years: float
    false_alarms_per_10_track_years: float

    def as_dict(self) -> dict:
        return self.__dict__.copy()


def match(alerts: pd.DataFrame, events: pd.DataFrame, tolerance: int = 3) -> pd.DataFrame:
    """events with columns alert_idx (or -1), delay_days (detected - planted date).

    alerts: isrc, kind, date, detected_on (dates); events: isrc, kind, date."""
    ev = events.reset_index(drop=True).copy()
    ev["alert_idx"] = -1
    ev["delay_days"] = np.nan
    used: set[int] = set()
    by_key = {k: g for k, g in alerts.groupby(["isrc", "kind"])}
    for j, e in ev.iterrows():
        cand = by_key.get((e.isrc, e.kind))
        if cand is None:
            continue
        gap = (pd.to_datetime(cand.date) - pd.Timestamp(e.date)).dt.days.abs()
        for idx in gap[gap <= tolerance].sort_values().index:
            if idx not in used:
                used.add(idx)
                ev.loc[j, "alert_idx"] = idx
                delay = pd.Timestamp(alerts.loc[idx, "detected_on"]) - pd.Timestamp(e.date)
                ev.loc[j, "delay_days"] = delay.days
                break
    return ev


def campaign_events(
    lifts: pd.DataFrame, min_shift: float, min_excess: float
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(planted level shifts, neutral campaigns) from campaign lifts.

    lifts: isrc, start, end (first day without the lift), extra_per_day, expected_per_day.
    Material: extra >= min_shift x expected and >= min_excess streams a day (the detector's
    level-shift materiality). Returns events (isrc, kind, date, shape) and the neutral
    campaigns (isrc, start, end)."""
    live = lifts[lifts.extra_per_day > 0]
    material = (live.extra_per_day >= min_shift * live.expected_per_day) & (
        live.extra_per_day >= min_excess
    )
    big = live[material]
    events = pd.concat(
        [
            pd.DataFrame({"isrc": big.isrc, "kind": "spike", "date": big.start}),
            pd.DataFrame({"isrc": big.isrc, "kind": "drop", "date": big.end}),
        ],
        ignore_index=True,
    ).assign(shape="campaign")
    return events, live.loc[~material, ["isrc", "start", "end"]].reset_index(drop=True)


def _in_neutral(alerts: pd.DataFrame, neutral: pd.DataFrame, tolerance: int) -> np.ndarray:
    """Per alert: dated within a neutral campaign's window (+- tolerance) on its track."""
    out = np.zeros(len(alerts), dtype=bool)
    if neutral is None or neutral.empty or alerts.empty:
        return out
    date = pd.to_datetime(alerts.date).to_numpy()
    pad = np.timedelta64(tolerance, "D")
    for c in neutral.itertuples():
        lo, hi = np.datetime64(pd.Timestamp(c.start)), np.datetime64(pd.Timestamp(c.end))
        out |= (alerts.isrc.to_numpy() == c.isrc) & (date >= lo - pad) & (date <= hi + pad)
    return out


def score(
    alerts: pd.DataFrame,
    events: pd.DataFrame,
    event_free: set[str],
    days_observed: pd.Series,
    tolerance: int = 3,
    neutral: pd.DataFrame | None = None,
) -> tuple[Score, pd.DataFrame]:
    """Precision/recall/F1, detection delays and false alarms on event-free tracks.

    Only alerts on tracks that carry planted events or are event-free count (the rest of
    the catalogue is not in the ground truth). days_observed: isrc -> monitored days.
    neutral: campaigns (isrc, start, end) too small to be events; unmatched alerts in
    their windows are not scored."""
    # A release is a series' first days, not a change of an existing one: scored apart.
    alerts = alerts[alerts.kind != "release"].reset_index(drop=True)
    ev = match(alerts, events, tolerance)
    hit = np.zeros(len(alerts), dtype=bool)
    hit[ev.alert_idx[ev.alert_idx >= 0].to_numpy(dtype=int)] = True
    keep = hit | ~_in_neutral(alerts, neutral, tolerance)
    alerts = alerts[keep]
    scored = alerts[alerts.isrc.isin(set(events.isrc) | event_free)]
    matched = int((ev.alert_idx >= 0).sum())
    precision = matched / len(scored) if len(scored) else 1.0
    recall = matched / len(ev) if len(ev) else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0

    def med(kinds):
        d = ev[(ev.alert_idx >= 0) & ev.kind.isin(kinds)].delay_days
        return float(d.median()) if len(d) else float("nan")

    fa = int(alerts.isrc.isin(event_free).sum())
    years = float(days_observed[days_observed.index.isin(event_free)].sum()) / 365.0
    return (
        Score(
            events=len(ev),
            alerts=len(scored),
            matched=matched,
            precision=precision,
            recall=recall,
            f1=f1,
            median_delay_spike=med(["spike"]),
            median_delay_growth=med(["growth"]),
            false_alarms_event_free=fa,
            event_free_track_years=years,
            false_alarms_per_10_track_years=10 * fa / years if years else float("nan"),
        ),
        ev,
    )


def score_series(
    alerts: pd.DataFrame,
    counts: np.ndarray,
    isrc: np.ndarray,
    dates: np.ndarray,
    events: pd.DataFrame,
    warmup: int = 28,
    neutral: pd.DataFrame | None = None,
) -> tuple[Score, pd.DataFrame]:
    """Score detector output on planted [track, day] series: alerts' series/onset/detected
    positions become ISRCs and dates; tracks without events are the event-free ones, each
    monitored from `warmup` observed days on. events include material campaign lifts and
    neutral the smaller ones (campaign_events)."""
    a = alerts.copy()
    a["isrc"] = isrc[a.series]
    a["date"] = dates[a.onset]
    a["detected_on"] = dates[a.detected]
    free = set(isrc) - set(events.isrc)
    observed = pd.Series((~np.isnan(counts)).sum(axis=1) - warmup, index=isrc).clip(0)
    return score(a, events, free, observed, neutral=neutral)


def dating(alerts: pd.DataFrame, events: pd.DataFrame) -> pd.DataFrame:
    """Per planted event, the distance in days from its date to the nearest alert of the
    same kind on the same track (NaN: none), whatever the matching tolerance.

    alerts: isrc, kind, date; events: isrc, kind, date, shape (when present)."""
    ev = events.reset_index(drop=True).copy()
    if "shape" not in ev:
        ev["shape"] = "any"
    ev["date_error"] = np.nan
    by_key = {k: pd.to_datetime(g.date) for k, g in alerts.groupby(["isrc", "kind"])}
    for j, e in ev.iterrows():
        cand = by_key.get((e.isrc, e.kind))
        if cand is not None:
            gap = (cand - pd.Timestamp(e.date)).dt.days
            ev.loc[j, "date_error"] = int(gap.iloc[int(np.argmin(gap.abs().to_numpy()))])
    return ev


def dating_summary(dated: pd.DataFrame) -> pd.DataFrame:
    """Per shape and kind: events, found within 1 day (the rapid target), within 7 days
    (the gradual target), and the median signed date error of the nearest alert."""
    err = dated.date_error
    return (
        dated.assign(
            within_1=err.abs() <= 1,
            within_7=err.abs() <= 7,
            early=err < -7,
        )
        .groupby(["shape", "kind"])
        .agg(
            events=("isrc", "size"),
            within_1=("within_1", "mean"),
            within_7=("within_7", "mean"),
            early=("early", "mean"),
            median_error=("date_error", "median"),
        )
        .reset_index()
    )
