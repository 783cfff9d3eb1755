"""The forecast model's parameters (kept with every model run)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class ForecastParams:
    horizon: int = 90
    min_days: int = 7  # a series needs this many days since its first stream
    young_days: int = 28  # fewer days of data than this: a young series
    origin_stride: int = 3  # training origins every this many days
    horizons_per_origin: int = 24  # sampled future days per training origin
    max_rows: int = 200_000  # training rows cap (sampled), bounds the fit time
    calibration_rows: int = 50_000  # training rows of the held-out calibration model
    calibration_days: int = 40_000  # held-out (series, origin, day) cases it is measured on
    calibration_stride: int = 15  # held-out origins every this many days
    calibration_series: int = 1_000  # held-out horizon totals the total's spread is set on
    recency_half_life: float | None = None  # days; older training origins weigh less
    shrink_to_level: bool = True  # let the held-out days pull the median toward the level
    combine_with_ets: bool = True  # ... toward the series' own damped-trend forecast instead
    # series column whose values each get their own calibration; off ("") by default: on
    # the real charts a label's own held-out days set too narrow a band (bench/RESULTS.md)
    calibrate_by: str = ""
    peer_blend: bool = False  # young tracks: blend in their peers' decay (off: it did not help)
    anchor: str = "week"  # what targets are relative to (see features.origin_stats)
    max_iter: int = 150
    learning_rate: float = 0.08
    min_samples_leaf: int = 40
    seed: int = 0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)
