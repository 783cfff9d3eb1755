"""Alert rows from detections, and their explanation: attribution of the change and the
growth potential of its listeners against catalogue benchmarks."""

from __future__ import annotations

import json
from collections.abc import Collection

import numpy as np
import pandas as pd

from analytics.alerts.attribution import attribute_many, classify, growth_metrics
from analytics.alerts.detect import Detection
from analytics.alerts.series import Series, label_list

BEFORE_DAYS = 28  # pre-change window of the attribution
GROWTH_BEFORE, GROWTH_AFTER = 28, 56  # growth window around the onset
RAPID_DAYS = 6  # days after a spike / drop's onset that belong to the change window
BENCH_DAYS = 90  # benchmark window, ending on the last day
BENCH_TRACKS = 200  # tracks sampled for the benchmarks


def _json(value: object) -> str:
    return json.dumps(value, default=str)


def benchmark_window(end: pd.Timestamp) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The days whose listener rows give the catalogue benchmarks."""
    return end - pd.Timedelta(days=BENCH_DAYS - 1), end


def benchmarks(
    listeners: pd.DataFrame, lo: pd.Timestamp, hi: pd.Timestamp, active: Collection[str]
) -> dict:
    """Catalogue medians of the growth metrics (listener rows of a sample of tracks)."""
    rows = [growth_metrics(g, lo, hi, active=active) for _, g in listeners.groupby("key")]
    ok = [g for g in rows if g.available]

    def med(attr: str) -> float | None:
        vals = [getattr(g, attr) for g in ok if getattr(g, attr) is not None]
        return float(np.median(vals)) if vals else None

    bench = {k: med(k) for k in ("passive_to_active", "search_conversion", "drop_off")}
    return {k: v for k, v in bench.items() if v is not None} | {"tracks": len(ok)}


def alert_frame(subject: str, series: Series, det: Detection, artist_of: dict) -> pd.DataFrame:
    """The detections of one subject as alert rows (ids and dates instead of positions).

    Every row names its label (the track's, or the artist unit's). The key of an artist
    alert carries the label, since one artist may have a unit on each of two labels."""
    a = det.alerts
    if a.empty:
        return pd.DataFrame()
    pos = a.series.to_numpy()
    ids = series.ids[pos]
    labels = np.asarray(label_list(series), dtype=object)[pos]
    detected = series.dates[a.detected.to_numpy()]
    # The start of a gradual change may lie before this block (online runs): day offsets.
    onset = series.dates[0] + pd.to_timedelta(a.onset.to_numpy(), unit="D")
    frame = pd.DataFrame(
        {
            "subject": subject,
            "subject_id": ids,
            "isrc": ids if subject == "track" else None,
            "artist_id": [artist_of.get(i, i) for i in ids] if subject == "track" else ids,
            "label": labels,
            "kind": a.kind.to_numpy(),
            "event_date": onset.date,
            "detected_on": detected.date,
            "probability": a.probability.to_numpy(),
            "observed": a.observed.to_numpy(),
            "expected": a.expected.to_numpy(),
        }
    )
    unit = frame.subject_id if subject == "track" else frame.subject_id + "|" + frame.label
    frame["alert_key"] = unit + "|" + frame.kind + "|" + detected.strftime("%Y-%m-%d")
    return frame


def windows(alerts: pd.DataFrame, members: dict, end: pd.Timestamp) -> pd.DataFrame:
    """Per alert and track of its subject: the attribution window [lo, hi] with the change
    from `onset`, and the growth window [g_lo, g_hi].

    members: (subject, subject_id, label) -> the ISRCs of that track or artist unit."""
    rows = []
    for a in alerts.itertuples():
        onset, detected = pd.Timestamp(a.event_date), pd.Timestamp(a.detected_on)
        rapid = a.kind in ("spike", "drop", "release")
        hi = min(onset + pd.Timedelta(days=RAPID_DAYS), end) if rapid else detected
        for isrc in members[(a.subject, a.subject_id, a.label)]:
            rows.append(
                {
                    "key": a.alert_key,
                    "isrc": isrc,
                    "lo": (onset - pd.Timedelta(days=BEFORE_DAYS)).date(),
                    "onset": onset.date(),
                    "hi": hi.date(),
                    "g_lo": (onset - pd.Timedelta(days=GROWTH_BEFORE)).date(),
                    "g_hi": min(onset + pd.Timedelta(days=GROWTH_AFTER), end).date(),
                }
            )
    return pd.DataFrame(rows)


def explain(
    alerts: pd.DataFrame,
    dims: pd.DataFrame,
    before_days: pd.Series,
    listeners: pd.DataFrame,
    bench: dict,
    end: pd.Timestamp,
    active: Collection[str],
) -> pd.DataFrame:
    """Attribution and growth potential for each alert (rows of `alerts`)."""
    keys = alerts.alert_key.to_numpy()
    onset = pd.to_datetime(alerts.event_date)
    hi = np.where(
        alerts.kind.isin(["spike", "drop", "release"]),
        np.minimum(onset + pd.Timedelta(days=RAPID_DAYS), end),
        pd.to_datetime(alerts.detected_on),
    )
    n_during = (pd.to_datetime(hi) - onset).dt.days.to_numpy() + 1
    before = dims[~dims.during].groupby("key").streams.sum().reindex(keys).fillna(0.0)
    per_day = before.to_numpy() / before_days.reindex(keys).fillna(1.0).clip(lower=1).to_numpy()
    expected = pd.Series(per_day * n_during, index=keys)
    multi = set(alerts.alert_key[alerts.subject == "artist"])
    kinds = pd.Series(alerts.kind.to_numpy(), index=keys)
    atts = attribute_many(dims, expected, kinds, multi, active=active)
    lst_by = dict(tuple(listeners.groupby("key"))) if not listeners.empty else {}
    out = []
    for a, o in zip(alerts.itertuples(), onset, strict=True):
        att = atts[a.alert_key]
        g = growth_metrics(
            lst_by.get(a.alert_key),
            o - pd.Timedelta(days=GROWTH_BEFORE),
            min(o + pd.Timedelta(days=GROWTH_AFTER), end),
            active=active,
        )
        opp = classify(a.kind, g, bench)
        out.append(
            {
                "excess": att.excess,
                "cause": att.cause,
                "cause_dimension": att.cause_dimension,
                "cause_value": att.cause_value,
                "attribution": _json(att.parts),
                "growth": _json(g.as_dict()),
                "opportunity": opp.opportunity,
                "goal": opp.goal,
                "reason": opp.reason,
            }
        )
    return pd.concat([alerts.reset_index(drop=True), pd.DataFrame(out)], axis=1)
