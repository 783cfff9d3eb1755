"""Moderate, lasting playlist adds (SYNTHETIC): the level shifts of the planted world.

An editorial playlist that takes a track for a few weeks lifts its daily streams by a
moderate, constant share (+20 % to +60 %) for 10 to 30 days, then the lift ends: a step up
on the first day and a step down on the day after the last, both written to the ground
truth (`spike` then `drop`, shape `level_shift`). They go on tracks that carry no other
planted event and have the volume to show a +20 % step within days (a +20 % step on a
track of 60 streams a day is within its day-to-day noise for weeks).

Drawn with their own random stream, appended after every other component and rendered with
their own stream too (see render.component_rows), so the rest of the world is unchanged.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

MIN_LEVEL = 150.0  # median daily streams of a track that can get a moderate add


def plant(
    seed: int,
    share: float,
    tracks: pd.DataFrame,
    baseline: np.ndarray,
    dates: np.ndarray,
    artist_country: np.ndarray,
    taken: set[str],
) -> tuple[list[dict], list[dict]]:
    """Ground-truth event rows and stream components of the moderate adds."""
    rng = np.random.default_rng([seed, 77])
    n_days = len(dates)
    lo, hi = 60, n_days - 40
    if hi <= lo or share <= 0:
        return [], []
    median = np.median(baseline[:, lo:], axis=1)
    free = ~tracks.isrc.isin(taken).to_numpy()
    old_enough = tracks.release_offset.to_numpy() <= lo - 30
    eligible = np.flatnonzero((median >= MIN_LEVEL) & free & old_enough)
    chosen = eligible[rng.random(len(eligible)) < share]
    events, components = [], []
    for t in chosen:
        d0 = int(rng.integers(lo, hi))
        length = int(rng.integers(10, 31))
        magnitude = float(rng.uniform(0.2, 0.6))
        dsp = str(rng.choice(["spotify", "apple_music", "amazon"], p=[0.6, 0.25, 0.15]))
        playlist = f"{dsp}:editorial:{int(rng.integers(60, 120)):04d}"
        extra = np.zeros(n_days)
        # The lift follows the weekday pattern of the track's own streams.
        extra[d0 : d0 + length] = magnitude * baseline[t, d0 : d0 + length]
        base = {
            "isrc": tracks.isrc[t],
            "artist_id": tracks.artist_id[t],
            "cause_dimension": "playlist_id",
            "cause_value": playlist,
            "dsp": dsp,
            "source": "editorial_playlist",
            "playlist_id": playlist,
            "magnitude": magnitude,
            "shape": "level_shift",
            "length_days": length,
        }
        events.append(
            {
                **base,
                "kind": "spike",
                "date": dates[d0],
                "cause": f"editorial playlist add on {dsp}",
            }
        )
        events.append(
            {
                **base,
                "kind": "drop",
                "date": dates[d0 + length],
                "cause": f"editorial playlist removal on {dsp}",
            }
        )
        components.append(
            {
                "track": int(t),
                "extra": extra,
                "dsp": dsp,
                "sources": {"editorial_playlist": 1.0},
                "playlist_id": playlist,
                "countries": artist_country[int(tracks.artist_idx[t])],
                "seed": [seed, 78, int(t)],  # rendered with its own random stream
            }
        )
    return events, components
