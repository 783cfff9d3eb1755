"""Daily stream counts drawn straight from a planted world (SYNTHETIC), without rendering a
store: the renderer's noise model (gamma day-to-day variation, Poisson counts) and no row on a
day with zero streams, i.e. a missing day (NaN), not zero. Used by the alert tests and bench."""

from __future__ import annotations

import numpy as np
import pandas as pd

from data.synth.world import World


def planted_daily_counts(world: World, seed: int = 55) -> np.ndarray:
    """[tracks, days] daily streams with the world's events and campaign lifts; NaN = no row."""
    rng = np.random.default_rng(seed)
    mu = world.baseline * rng.gamma(150.0, 1 / 150.0, size=world.baseline.shape)
    for comp in world.components:
        mu[comp["track"]] += comp["extra"]
    counts = rng.poisson(mu).astype(float)
    counts[counts == 0] = np.nan
    return counts


def campaign_lifts(world: World) -> pd.DataFrame:
    """Per planted campaign, what it adds to its track's worldwide total (SYNTHETIC truth):
    isrc, start (first day), end (the first day without the lift), the mean extra streams
    per day over the campaign and the track's mean expected streams per day then without
    this campaign: its baseline plus every other planted component (a playlist add, a
    decline, another campaign) on those days, i.e. the level the detector sees the lift on."""
    total = world.baseline.astype(float)
    for comp in world.components:
        total[comp["track"]] = total[comp["track"]] + comp["extra"]
    rows = []
    for comp in world.components:
        if comp.get("campaign_id") is None:
            continue
        days = np.flatnonzero(comp["extra"] > 0)
        if len(days) == 0:
            continue  # a zero-effect campaign moves nothing
        first, last = int(days[0]), int(days[-1])
        end = min(last + 1, len(world.dates) - 1)
        rows.append(
            {
                "campaign_id": comp["campaign_id"],
                "isrc": world.tracks.isrc.iloc[comp["track"]],
                "start": world.dates[first],
                "end": world.dates[end],
                "extra_per_day": float(comp["extra"][first : last + 1].mean()),
                "expected_per_day": float(
                    (total[comp["track"]] - comp["extra"])[first : last + 1].mean()
                ),
            }
        )
    cols = ["campaign_id", "isrc", "start", "end", "extra_per_day", "expected_per_day"]
    return pd.DataFrame(rows, columns=cols)
