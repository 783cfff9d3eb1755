"""Today's ranked opportunities: candidate rows in, ranked rows out.

The candidates (analytics.today.candidates) come from what the other jobs persisted; each has
an expected return on its territory's response curve (analytics.today.returns). The ranking
is by expected incremental streams per dollar of the recommended spend (`score`); ties go to
the larger expected return. Every row gets a one-sentence reason (analytics.today.reasons).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd

from analytics.campaigns.response import from_frame
from analytics.today import candidates as cand
from analytics.today.reasons import sentence

OUTPUT = [
    "rank", "label", "subject", "id", "action", "territory", "isrc", "segment",
    "expected_streams", "low", "high", "cost_usd", "score", "at_stake", "reason",
]  # fmt: skip
DEFAULT_WINDOW_DAYS = 28.0


@dataclass(frozen=True)
class TodayInputs:
    """Everything the ranking reads (frames as the other jobs persisted them)."""

    response: pd.DataFrame  # territory_response rows
    potential: pd.DataFrame  # similar_potential rows
    track_country: pd.DataFrame  # isrc, country, streams_28d
    catalog: pd.DataFrame  # isrc, track_title, artist_id, artist_name, label
    removals: pd.DataFrame  # isrc, event_date, observed, expected
    releases: pd.DataFrame  # isrc, date
    forecast: pd.DataFrame  # isrc, total_p10, total_p50, total_p90, horizon_days
    passive: pd.DataFrame  # artist_id, label, share
    uplift: pd.DataFrame  # campaign_uplift rows
    data_days: float  # days of data the potential streams were measured over
    min_spend_usd: float = 0.0  # the smallest past campaign's spend
    country_names: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class TodayModel:
    opportunities: pd.DataFrame  # OUTPUT columns, best first
    window_days: float

    def summary(self) -> dict[str, object]:
        o = self.opportunities
        return {
            "opportunities": len(o),
            "by_action": {k: int(v) for k, v in o["action"].value_counts().sort_index().items()},
        }


def rank(candidates: pd.DataFrame) -> pd.DataFrame:
    """Rows with a positive return and spend, best expected streams per dollar first (then
    the larger return, then the id, so the order is deterministic); `rank` from 1."""
    c = candidates[(candidates["expected_streams"] > 0) & (candidates["cost_usd"] > 0)].copy()
    c["score"] = c["expected_streams"] / c["cost_usd"]
    c = c.sort_values(
        ["score", "expected_streams", "action", "id", "territory"],
        ascending=[False, False, True, True, True],
        kind="mergesort",
    ).reset_index(drop=True)
    c["rank"] = range(1, len(c) + 1)
    return c


def fit(inputs: TodayInputs) -> TodayModel:
    curves = from_frame(inputs.response) if len(inputs.response) else {}
    window = (
        float(inputs.response["window_days"].median())
        if len(inputs.response)
        else DEFAULT_WINDOW_DAYS
    )
    args = (curves, inputs.track_country)
    frames = [
        cand.push(inputs.potential, *args, inputs.catalog, inputs.data_days, window),
        cand.sustain(inputs.removals, *args, inputs.forecast, inputs.catalog, window),
        cand.promote(inputs.releases, *args, inputs.forecast, inputs.catalog, window),
        cand.reengage(
            inputs.passive, inputs.uplift, *args, inputs.catalog, window, inputs.min_spend_usd
        ),
    ]
    frames = [f for f in frames if len(f)]
    if not frames or not curves:
        return TodayModel(pd.DataFrame(columns=OUTPUT), window)
    ranked = rank(pd.concat(frames, ignore_index=True))
    tracks = inputs.catalog.set_index("isrc")
    artists = inputs.catalog.drop_duplicates("artist_id").set_index("artist_id")["artist_name"]

    def name(r) -> str:
        if r["subject"] == "track":
            t = tracks.loc[r["id"]]
            return f"“{t.track_title}” by {t.artist_name}"
        return str(artists.get(r["id"], r["id"]))

    ranked["reason"] = [
        sentence(r, name(r), inputs.country_names.get(r["territory"], r["territory"]), window)
        for r in ranked.to_dict("records")
    ]
    return TodayModel(ranked[OUTPUT], window)
