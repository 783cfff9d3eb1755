"""Held-out calibration of the 80 % band (split-conformal by horizon bucket).

The quantile trees learn p10 / p90 from the very examples they are fitted on, so their band
is too narrow on days they have not seen. A second, smaller model is fitted on the panel
as known `horizon` days before its end; its p10 / p90 are compared with the days that
followed. Per horizon bucket, once the held-out model's median bias is taken out, p10 moves
down (and p90 up) on log scale by the amount that puts 10 % of the held-out days below
(above) it; a negative amount narrows the band. The main model's quantiles get the same
shifts, so its band covers 80 % of days it has not seen.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

BUCKET_ENDS = (7, 14, 30, 60, 90)  # last horizon of each bucket
MIN_PER_BUCKET = 30  # fewer held-out days than this: the bucket is left as fitted
MIN_GROUP_DAYS = 1_000  # fewer held-out days of a group than this: it uses the overall one
SHRINK_GRID = np.linspace(0.0, 1.0, 11)  # candidate weights of the model's median


@dataclass(frozen=True)
class Calibration:
    """Per horizon bucket, on log scale relative to the series' recent level: the model's
    median is combined with a reference forecast, `weight` on the model (1: as fitted, 0:
    the reference itself; the reference is the recent level, 0, unless given) and the band
    moves with it; then p10 moves down by `lower` and p90 up by `upper`."""

    bucket_ends: tuple[int, ...] = BUCKET_ENDS
    weight: tuple[float, ...] = field(default=(1.0,) * len(BUCKET_ENDS))
    lower: tuple[float, ...] = field(default=(0.0,) * len(BUCKET_ENDS))
    upper: tuple[float, ...] = field(default=(0.0,) * len(BUCKET_ENDS))
    held_out_days: tuple[int, ...] = field(default=(0,) * len(BUCKET_ENDS))
    coverage_before: float | None = None  # held-out coverage of the uncalibrated band
    # a group's own calibration (e.g. per label: a label of chart data behaves unlike a
    # label of complete deliveries), where it had enough held-out days
    by_group: dict[str, Calibration] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "bucket_ends": list(self.bucket_ends),
            "weight": [round(v, 2) for v in self.weight],
            "lower": [round(v, 4) for v in self.lower],
            "upper": [round(v, 4) for v in self.upper],
            "held_out_days": list(self.held_out_days),
            "coverage_before": None
            if self.coverage_before is None
            else round(self.coverage_before, 4),
            **(
                {"by_group": {g: c.as_dict() for g, c in self.by_group.items()}}
                if self.by_group
                else {}
            ),
        }

    def apply(
        self,
        horizons: np.ndarray,
        qs: np.ndarray,
        reference: np.ndarray | None = None,
        groups: np.ndarray | None = None,
    ) -> np.ndarray:
        """(n, 3) sorted p10/p50/p90 at `horizons`, log scale relative to the recent level ->
        calibrated copy (p10 never above p50, p90 never below it). Rows whose group (n,)
        has its own calibration get that one."""
        ref = np.zeros(len(qs)) if reference is None else np.asarray(reference, dtype=float)
        out = self._apply(horizons, qs, ref)
        if groups is not None:
            for g, cal in self.by_group.items():
                sel = groups == g
                if sel.any():
                    out[sel] = cal._apply(horizons[sel], qs[sel], ref[sel])
        return out

    def _apply(self, horizons: np.ndarray, qs: np.ndarray, ref: np.ndarray) -> np.ndarray:
        b = bucket_of(horizons, self.bucket_ends)
        move = (np.asarray(self.weight)[b] - 1.0) * (qs[:, 1] - ref)
        out = qs + move[:, None]
        out[:, 0] = np.minimum(out[:, 0] - np.asarray(self.lower)[b], out[:, 1])
        out[:, 2] = np.maximum(out[:, 2] + np.asarray(self.upper)[b], out[:, 1])
        return out


def bucket_of(horizons: np.ndarray, ends: tuple[int, ...] = BUCKET_ENDS) -> np.ndarray:
    return np.minimum(np.searchsorted(np.asarray(ends), horizons), len(ends) - 1)


def conformal_shift(scores: np.ndarray, miss: float = 0.1) -> float:
    """The amount s with at most `miss` of held-out scores above it (finite-sample rank)."""
    n = len(scores)
    rank = min(int(np.ceil((n + 1) * (1 - miss))), n)
    return float(np.sort(scores)[rank - 1])


def best_weight(q50: np.ndarray, actual: np.ndarray, reference: np.ndarray | float = 0.0) -> float:
    """The weight of the model's median (against the reference forecast, by default the
    recent level, 0) with the smallest held-out absolute error; ties go to the model."""
    errors = [np.abs(actual - (w * q50 + (1 - w) * reference)).mean() for w in SHRINK_GRID]
    return float(SHRINK_GRID[len(errors) - 1 - int(np.argmin(errors[::-1]))])


def from_held_out(
    horizons: np.ndarray,
    qs: np.ndarray,
    actual: np.ndarray,
    *,
    shrink: bool = True,
    reference: np.ndarray | None = None,
    groups: np.ndarray | None = None,
) -> Calibration:
    """Calibration from held-out predictions `qs` (n, 3) and outcomes `actual` (n,), both on
    log scale relative to the series' level at the origin. The median's weight against
    `reference` (n,) (default: the level, 0) is chosen on them: a forecast combination.
    Without `shrink` the median is left as fitted. With `groups` (n,), each group with
    enough held-out days also gets its own."""
    if groups is not None:
        overall = from_held_out(horizons, qs, actual, shrink=shrink, reference=reference)
        own = {}
        for g in sorted(set(groups)):
            sel = groups == g
            if sel.sum() >= MIN_GROUP_DAYS and sel.sum() < len(groups):
                ref = None if reference is None else reference[sel]
                own[str(g)] = from_held_out(
                    horizons[sel], qs[sel], actual[sel], shrink=shrink, reference=ref
                )
        return replace(overall, by_group=own)
    b = bucket_of(horizons)
    ref = np.zeros(len(actual)) if reference is None else np.asarray(reference, dtype=float)
    weight, lower, upper, counts = [], [], [], []
    for k in range(len(BUCKET_ENDS)):
        sel = b == k
        counts.append(int(sel.sum()))
        if sel.sum() < MIN_PER_BUCKET:
            weight.append(1.0)
            lower.append(0.0)
            upper.append(0.0)
            continue
        w = best_weight(qs[sel, 1], actual[sel], ref[sel]) if shrink else 1.0
        weight.append(w)
        q = qs[sel] + ((w - 1.0) * (qs[sel, 1] - ref[sel]))[:, None]
        # The held-out model knows less than the main one (its data end `horizon` days
        # earlier), so its median's bias is its own: only the spread around it is measured.
        centred = actual[sel] - np.median(actual[sel] - q[:, 1])
        lower.append(conformal_shift(q[:, 0] - centred))
        upper.append(conformal_shift(centred - q[:, 2]))
    inside = (actual >= qs[:, 0]) & (actual <= qs[:, 2])
    return Calibration(
        BUCKET_ENDS,
        tuple(weight),
        tuple(lower),
        tuple(upper),
        tuple(counts),
        float(inside.mean()) if len(actual) else None,
    )
