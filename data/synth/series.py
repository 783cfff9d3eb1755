"""Daily stream counts drawn straight from a planted world (SYNTHETIC), without rendering a
store: the renderer's noise model (gamma day-to-day variation, Poisson counts) and no row on a
day with zero streams, i.e. a missing day (NaN), not zero. Used by the alert tests and bench."""

from __future__ import annotations

import numpy as np

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
