"""What online scoring reads of a persisted audience model, for one track."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

# The columns that define an audience group (one column of the engagement matrix).
GROUP_COLS = ["country", "age_band", "gender", "subscription"]


@dataclass
class ModelInputs:
    """What online scoring needs for one asset (arrays for the whole category)."""

    isrc: str
    category: int
    in_model: bool
    row_idx: int | None
    e_row: np.ndarray  # the asset's engagement over J
    e: np.ndarray  # m x n
    x: np.ndarray  # m x (k+1)
    y: np.ndarray  # n x (k+1)
    lam: float
    groups: pd.DataFrame  # col_idx, country, age_band, gender, subscription, weight
    assets: pd.DataFrame  # row_idx, isrc, genre (model rows, in row order)
    territories: pd.DataFrame  # country, campaigns, cost_per_result, uplift, spend_scale
    base: pd.DataFrame  # country, streams_28d of this asset
    # territory_response rows (empty without measured campaign lifts)
    response: pd.DataFrame = field(default_factory=pd.DataFrame)

    @classmethod
    def from_frames(cls, frames: dict[str, Any]) -> ModelInputs:
        """From the frames a scoped read returns (every piece as a DataFrame, so that a
        query's answer can be cached and compared)."""
        a = frames["asset"].iloc[0]
        return cls(
            isrc=str(a["isrc"]),
            category=int(a["category"]),
            in_model=bool(a["in_model"]),
            row_idx=None if pd.isna(a["row_idx"]) else int(a["row_idx"]),
            e_row=frames["e_row"]["e"].to_numpy(float),
            e=frames["e"].to_numpy(float),
            x=frames["x"].to_numpy(float),
            y=frames["y"].to_numpy(float),
            lam=float(a["lam"]),
            groups=frames["groups"],
            assets=frames["assets"],
            territories=frames["territories"],
            base=frames["base"],
            response=frames.get("response", pd.DataFrame()),
        )
