"""Candidate opportunities, one builder per action, from what the other jobs persisted.

Every builder returns rows with the columns of `COLUMNS`: the asset (label, subject, id, the
track a campaign would plan for), the action and territory, the expected incremental streams
over a campaign window with an 80 % interval, the recommended spend, the raw streams at stake
(what a ranking without response curves or costs would sort by) and the facts the reason
sentence is built from (`facts`).

    push       an artist streams well below what similar artists get in a territory: a
               campaign for its top track there, on that track's own streams (the base the
               response curves were measured on, and the budget page's), capped by the gap.
    sustain    a track fell after an editorial playlist removal: a campaign in its biggest
               territory holds streams up, capped by what the removal took away.
    promote    a release came out recently: a campaign lifts the forecast streams.
    re-engage  an artist's passive listeners in an audience group that past campaigns
               lifted most: a campaign to that group, priced by its share of the territory.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from analytics.campaigns.response import Curve
from analytics.today.returns import campaign_return

COLUMNS = [
    "label", "subject", "id", "action", "territory", "isrc", "segment", "expected_streams",
    "low", "high", "cost_usd", "at_stake", "facts",
]  # fmt: skip
MIN_PEER_GAP = 0.5  # push only where the artist streams at most half what its peers get
MIN_SEGMENT_CAMPAIGNS = 5  # a group's measured uplift needs five campaigns at least
MIN_SEGMENT_SHARE = 0.02  # and 2 % of the campaigned streams (smaller ones are noise)
REENGAGE_TERRITORIES = 1  # the artist's biggest territory: where its passive fans are


def _frame(rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=COLUMNS)


def _top_track(track_country: pd.DataFrame, country: str | None = None) -> str | None:
    """The track with most streams in `country` (any country when None)."""
    rows = track_country if country is None else track_country[track_country.country == country]
    if rows.empty:
        return None
    return str(rows.sort_values(["streams_28d", "isrc"], ascending=[False, True]).isrc.iloc[0])


def push(
    potential: pd.DataFrame,
    curves: Mapping[str, Curve],
    track_country: pd.DataFrame,
    catalog: pd.DataFrame,
    data_days: float,
    window_days: float,
) -> pd.DataFrame:
    """potential: artist_id, label, country, actual, expected, low, high, gap, ratio (over
    `data_days`); track_country: isrc, country, streams_28d; catalog: isrc, artist_id, label."""
    rows = []
    to_window = window_days / max(data_days, 1.0)
    tracks = track_country.merge(catalog[["isrc", "artist_id", "label"]], on="isrc")
    by_unit = dict(tuple(tracks.groupby(["artist_id", "label"])))
    for r in potential.itertuples(index=False):
        if r.country not in curves or r.expected <= 0 or r.gap <= 0:
            continue
        if r.actual > (1 - MIN_PEER_GAP) * r.expected:
            continue
        unit = by_unit.get((r.artist_id, r.label))
        isrc = None if unit is None else _top_track(unit, r.country)
        if isrc is None:
            continue  # no track streams there: a relative lift of nothing is nothing
        # The curves are relative lifts over the streams a campaign's track would have had
        # without it, so the base is the track's own streams there over a campaign window
        # (as on the budget page the hand-off opens); the peers' level only caps the return
        # (the gap). On the peers' streams the return came out 2-10x the budget page's.
        own = unit[(unit.isrc == isrc) & (unit.country == r.country)].streams_28d.sum()
        gap_w = r.gap * to_window
        ret = campaign_return(curves[r.country], float(own) * window_days / 28.0, cap=gap_w)
        rows.append(
            {
                "label": r.label, "subject": "artist", "id": r.artist_id, "action": "push",
                "territory": r.country, "isrc": isrc, "segment": None,
                "expected_streams": ret.expected, "low": ret.low, "high": ret.high,
                "cost_usd": ret.spend_usd, "at_stake": gap_w,
                "facts": {"shortfall": 1.0 - r.actual / r.expected},
            }
        )  # fmt: skip
    return _frame(rows)


def _biggest_territory(rows: pd.DataFrame | None, curves) -> tuple[str, float]:
    """(country, share of the track's streams) of a track's biggest territory with a curve,
    from its track_country rows; ("", 0) without one."""
    if rows is None:
        return "", 0.0
    total = float(rows["streams_28d"].sum())
    rows = rows[rows.country.isin(list(curves))]
    if rows.empty or total <= 0:
        return "", 0.0
    top = rows.sort_values(["streams_28d", "country"], ascending=[False, True]).iloc[0]
    return str(top.country), float(top.streams_28d) / total


def _forecast_scales(forecast: pd.DataFrame, isrc: str) -> tuple[float, float, float]:
    """(daily p50, p10 / p50, p90 / p50) of a track's forecast; (0, 1, 1) without one."""
    f = forecast[forecast.isrc == isrc]
    if f.empty or float(f.total_p50.iloc[0]) <= 0:
        return 0.0, 1.0, 1.0
    p50 = float(f.total_p50.iloc[0])
    return p50 / float(f.horizon_days.iloc[0]), f.total_p10.iloc[0] / p50, f.total_p90.iloc[0] / p50


def sustain(
    removals: pd.DataFrame,
    curves: Mapping[str, Curve],
    track_country: pd.DataFrame,
    forecast: pd.DataFrame,
    catalog: pd.DataFrame,
    window_days: float,
) -> pd.DataFrame:
    """removals: isrc, event_date, observed, expected (streams per day on the day the drop
    was detected: after, and the level before). forecast: isrc, total_p10/50/90,
    horizon_days."""
    rows = []
    label_of = dict(zip(catalog.isrc, catalog.label, strict=True))
    per_track = dict(tuple(track_country.groupby("isrc")))
    for r in (
        removals.sort_values("event_date", ascending=False).drop_duplicates("isrc").itertuples()
    ):
        loss = float(r.expected - r.observed)
        country, share = _biggest_territory(per_track.get(r.isrc), curves)
        if loss <= 0 or not country or r.isrc not in label_of:
            continue
        _, lo, hi = _forecast_scales(forecast, r.isrc)
        cap = loss * share * window_days
        ret = campaign_return(
            curves[country], r.expected * share * window_days, cap=cap, scale_low=lo, scale_high=hi
        )
        rows.append(
            {
                "label": label_of[r.isrc], "subject": "track", "id": r.isrc,
                "action": "sustain", "territory": country, "isrc": r.isrc, "segment": None,
                "expected_streams": ret.expected, "low": ret.low, "high": ret.high,
                "cost_usd": ret.spend_usd, "at_stake": cap,
                "facts": {"daily_loss": loss * share, "date": str(r.event_date)[:10]},
            }
        )  # fmt: skip
    return _frame(rows)


def promote(
    releases: pd.DataFrame,
    curves: Mapping[str, Curve],
    track_country: pd.DataFrame,
    forecast: pd.DataFrame,
    catalog: pd.DataFrame,
    window_days: float,
) -> pd.DataFrame:
    """releases: isrc, date (one row per track of a recent release event)."""
    rows = []
    label_of = dict(zip(catalog.isrc, catalog.label, strict=True))
    per_track = dict(tuple(track_country.groupby("isrc")))
    for r in releases.drop_duplicates("isrc").itertuples(index=False):
        daily, lo, hi = _forecast_scales(forecast, r.isrc)
        country, share = _biggest_territory(per_track.get(r.isrc), curves)
        if daily <= 0 or not country or r.isrc not in label_of:
            continue
        base = daily * share * window_days
        ret = campaign_return(curves[country], base, scale_low=lo, scale_high=hi)
        rows.append(
            {
                "label": label_of[r.isrc], "subject": "track", "id": r.isrc,
                "action": "promote", "territory": country, "isrc": r.isrc, "segment": None,
                "expected_streams": ret.expected, "low": ret.low, "high": ret.high,
                "cost_usd": ret.spend_usd, "at_stake": base,
                "facts": {"date": str(r.date)[:10]},
            }
        )  # fmt: skip
    return _frame(rows)


def segments(uplift: pd.DataFrame) -> pd.DataFrame:
    """Past campaigns' uplift per label x audience group (age band, gender, subscription),
    pooled over territories and fan types: campaigns, the group's share of the label's
    campaigned streams, and its predicted uplift (the outcome models' score, weighted by the
    rows' baseline streams: steadier than the measured uplift of a few campaigns)."""
    keys = ["label", "age_band", "gender", "subscription"]
    if uplift.empty:
        return pd.DataFrame(columns=[*keys, "n", "uplift", "share"])
    u = uplift.assign(weighted=uplift["score"] * uplift["baseline_streams"])
    g = u.groupby(keys, as_index=False).agg(
        n=("n_campaigns", "sum"),
        baseline=("baseline_streams", "sum"),
        weighted=("weighted", "sum"),
    )
    g["uplift"] = g["weighted"] / g["baseline"].where(g["baseline"] > 0)
    g["share"] = g["baseline"] / g.groupby("label")["baseline"].transform("sum")
    return g


def reengage(
    passive: pd.DataFrame,
    uplift: pd.DataFrame,
    curves: Mapping[str, Curve],
    track_country: pd.DataFrame,
    catalog: pd.DataFrame,
    window_days: float,
    min_spend_usd: float = 0.0,
) -> pd.DataFrame:
    """passive: artist_id, label, share (the passive fans' share of the artist's listeners);
    uplift: campaign_uplift rows. A campaign to one group costs the territory's plateau
    spend times the group's share (reach is bought per person), but never less than
    `min_spend_usd` (the smallest past campaign)."""
    seg = segments(uplift)
    seg = seg[(seg.n >= MIN_SEGMENT_CAMPAIGNS) & (seg.share >= MIN_SEGMENT_SHARE)]
    best = seg[seg.uplift > 0].sort_values(["uplift", "age_band"], ascending=[False, True])
    best = best.drop_duplicates("label").set_index("label")
    tracks = track_country.merge(catalog[["isrc", "artist_id", "label"]], on="isrc")
    by_unit = dict(tuple(tracks.groupby(["artist_id", "label"])))
    rows = []
    for p in passive.itertuples(index=False):
        unit = by_unit.get((p.artist_id, p.label))
        if unit is None or p.share <= 0 or p.label not in best.index:
            continue
        s = best.loc[p.label]
        per_country = unit.groupby("country").streams_28d.sum().sort_values(ascending=False)
        for country in per_country.index[:REENGAGE_TERRITORIES]:
            if country not in curves:
                continue
            curve = curves[country]
            base = per_country[country] * window_days / 28.0 * p.share * s.share
            expected = base * s.uplift
            # the curve's relative spread at its plateau: how sure past campaigns make a lift
            rel = curve.uplift_draws(curve.plateau_usd) / max(
                float(curve.uplift(curve.plateau_usd)), 1e-9
            )
            lo, hi = np.percentile(rel, [10, 90])
            rows.append(
                {
                    "label": p.label, "subject": "artist", "id": p.artist_id,
                    "action": "re-engage", "territory": country,
                    "isrc": _top_track(unit, country),
                    "segment": f"{s.age_band}:{s.gender}:{s.subscription}",
                    "expected_streams": expected, "low": min(expected * lo, expected),
                    "high": max(expected * hi, expected),
                    "cost_usd": max(curve.plateau_usd * s.share, min_spend_usd),
                    "at_stake": base,
                    "facts": {"passive": float(p.share), "uplift": float(s.uplift)},
                }
            )  # fmt: skip
    return _frame(rows)
