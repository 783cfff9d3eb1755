"""Fitted profiles in order (lowest mean streams first), their names and the stream counts
at which one profile becomes more likely than the next (the thresholds)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from analytics.fans.binning import Bins

NAMES = {
    1: ("listener",),
    2: ("passive", "diehard"),
    3: ("passive", "casual", "diehard"),
    4: ("passive", "casual", "committed", "diehard"),
    5: ("passive", "occasional", "casual", "committed", "diehard"),
}


def profile_names(k: int) -> list[str]:
    """Names for k profiles ordered by mean streams (lowest first)."""
    if k in NAMES:
        return list(NAMES[k])
    return ["passive"] + [f"level {i}" for i in range(2, k)] + ["diehard"]


@dataclass(frozen=True)
class Profiles:
    bins: Bins
    phi: np.ndarray  # [k, bins], ordered by mean streams
    order: np.ndarray  # [k] position of each ordered profile in the fitted ones
    names: list[str]
    mean_streams: np.ndarray  # [k]
    thresholds: list[dict]  # between adjacent profiles: lower, upper, streams (or None)


def crossover(phi_lo: np.ndarray, phi_hi: np.ndarray, bins: Bins) -> float | None:
    """Streams at which the higher profile becomes the more likely one.

    Scans upward from the lower profile's mode for the first bin where the higher profile's
    pmf is at least the lower's, interpolating log(ratio) linearly in log streams between bin
    centres (same width in both profiles, so bin masses compare like densities)."""
    r = np.log(np.maximum(phi_hi, 1e-300)) - np.log(np.maximum(phi_lo, 1e-300))
    centre = np.log(np.sqrt(bins.low * bins.high.astype(float)))
    start = int(np.argmax(phi_lo))
    for b in range(max(start, 1), len(r)):
        if r[b] >= 0 > r[b - 1]:
            t = -r[b - 1] / (r[b] - r[b - 1])
            return float(np.exp(centre[b - 1] + t * (centre[b] - centre[b - 1])))
    return None  # no change of sign above the lower profile's mode


def ordered_profiles(phi: np.ndarray, bins: Bins) -> Profiles:
    """The fitted profiles sorted by mean streams, named, with their thresholds."""
    means = phi @ bins.mean
    order = np.argsort(means)
    phi, means = phi[order], means[order]
    names = profile_names(len(phi))
    thresholds = [
        {"lower": names[i], "upper": names[i + 1], "streams": crossover(phi[i], phi[i + 1], bins)}
        for i in range(len(phi) - 1)
    ]
    return Profiles(bins, phi, order, names, means, thresholds)
