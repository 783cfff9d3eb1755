"""The horizon total's interval, calibrated on held-out totals.

Summing the daily quantiles gives the total's interval if the days' errors moved fully
together; they move together only in part, so that interval is too wide. Its log-spread
(log p50 / p10 below, log p90 / p50 above) keeps the right shape (wider for volatile and
young series) but needs a factor: on held-out totals of each series kind (a track, an
artist's total), the factor that leaves 10 % of totals below p10 and 10 % above p90.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from analytics.forecast.calibrate import conformal_shift

MIN_SERIES = 30  # fewer held-out totals of a kind than this: its factor stays 1 (summed)
FACTOR_RANGE = (0.05, 3.0)  # a factor outside is noise, not a measured spread


@dataclass(frozen=True)
class TotalFactors:
    """Per series kind: factors on the summed interval's lower and upper log-spread."""

    lower: dict[str, float] = field(default_factory=dict)
    upper: dict[str, float] = field(default_factory=dict)
    held_out_series: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "lower": {k: round(v, 4) for k, v in self.lower.items()},
            "upper": {k: round(v, 4) for k, v in self.upper.items()},
            "held_out_series": dict(self.held_out_series),
        }

    @staticmethod
    def from_dict(d: dict[str, Any] | None) -> TotalFactors:
        """The factors as stored in a model run's params (missing: summed as is)."""
        d = d or {}
        return TotalFactors(
            dict(d.get("lower", {})), dict(d.get("upper", {})), dict(d.get("held_out_series", {}))
        )

    def apply(self, summed_totals: np.ndarray, kinds: np.ndarray) -> np.ndarray:
        """(n, 3) summed p10/p50/p90 totals of series of `kinds` -> calibrated (n, 3)."""
        lo = np.array([self.lower.get(k, 1.0) for k in kinds], dtype=float)
        hi = np.array([self.upper.get(k, 1.0) for k in kinds], dtype=float)
        return scale_spread(summed_totals, lo, hi)


def summed(paths: np.ndarray) -> np.ndarray:
    """(n, 3) totals from (n, days, 3) daily quantiles: the interval if days moved together."""
    return paths.sum(axis=1)


def scale_spread(totals: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> np.ndarray:
    """Keep p50; put p10 at p50 * (p10 / p50) ** lower and p90 at p50 * (p90 / p50) ** upper."""
    t = np.asarray(totals, dtype=float)
    out = t.copy()
    with np.errstate(divide="ignore", invalid="ignore"):
        ok = t[:, 1] > 0
        out[ok, 0] = t[ok, 1] * (t[ok, 0] / t[ok, 1]) ** np.broadcast_to(lower, ok.shape)[ok]
        out[ok, 2] = t[ok, 1] * (t[ok, 2] / t[ok, 1]) ** np.broadcast_to(upper, ok.shape)[ok]
    return out


def factors(summed_totals: np.ndarray, actual: np.ndarray, kinds: np.ndarray) -> TotalFactors:
    """Factors per kind from held-out summed intervals (n, 3) and the totals that followed.
    The held-out model's own median bias is taken out first (its data end earlier than the
    main model's): only the spread around the median is measured, as for the daily band."""
    lower: dict[str, float] = {}
    upper: dict[str, float] = {}
    counts: dict[str, int] = {}
    t = np.asarray(summed_totals, dtype=float)
    a = np.asarray(actual, dtype=float)
    usable = (t[:, 0] > 0) & (t[:, 1] > t[:, 0]) & (t[:, 2] > t[:, 1]) & (a > 0)
    for kind in sorted(set(kinds)):
        sel = usable & (kinds == kind)
        counts[kind] = int(sel.sum())
        if sel.sum() < MIN_SERIES:
            continue
        z = np.log(a[sel] / t[sel, 1])
        z = z - np.median(z)
        below = np.log(t[sel, 1] / t[sel, 0])
        above = np.log(t[sel, 2] / t[sel, 1])
        lower[kind] = float(np.clip(conformal_shift(-z / below), *FACTOR_RANGE))
        upper[kind] = float(np.clip(conformal_shift(z / above), *FACTOR_RANGE))
    return TotalFactors(lower, upper, counts)
