"""The modelled unit: an artist on one label.

An artist whose tracks sit on two labels is two units, each learned from its own tracks
only, so one label's listeners and streams never shape the other label's results. Inputs
without a label column (single-label catalogues, the planted test worlds) fall back to the
artist alone. The key columns are carried through every table, never glued into one id.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

UNIT_KEYS = ("artist_id", "label")
# The columns naming the other unit of a neighbour row.
NEIGHBOUR_KEYS = {"artist_id": "neighbor_id", "label": "neighbor_label"}


def unit_keys(rows: pd.DataFrame) -> list[str]:
    """The key columns of the unit that `rows` carry: artist_id, and label when present."""
    if "artist_id" not in rows.columns:
        raise ValueError("the model's input rows need an artist_id column")
    return [k for k in UNIT_KEYS if k in rows.columns]


def as_units(units: pd.DataFrame | np.ndarray | pd.Index | pd.Series) -> pd.DataFrame:
    """Unit keys as a frame with a fresh index: a frame is kept, an array of artist ids
    becomes the one-column frame artist_id."""
    if isinstance(units, pd.DataFrame):
        return units.reset_index(drop=True)
    return pd.DataFrame({"artist_id": np.asarray(units)})


def unit_index(units: pd.DataFrame) -> pd.Index:
    """The units as a pandas index matching a pivot over the same key columns."""
    keys = list(units.columns)
    if len(keys) == 1:
        return pd.Index(units[keys[0]], name=keys[0])
    return pd.MultiIndex.from_frame(units[keys])


def units_of(rows: pd.DataFrame, keys: list[str]) -> tuple[np.ndarray, pd.DataFrame]:
    """(row code [N], units sorted by their keys) for the rows' unit keys."""
    groups = rows.groupby(keys, sort=True)
    codes = groups.ngroup().to_numpy()
    units = groups.size().index.to_frame(index=False)
    return codes, units
