"""Splitting a joint window's lift between overlapping campaigns, without double counting.

Each day's lift goes to the campaigns running that day. On a day only one runs, it is all
that campaign's. On a shared day it is split in proportion to each campaign's own relative
lift on its days alone (what a separate dummy per campaign would measure), draw by draw, so
the split's uncertainty reaches the intervals. A campaign that never runs alone (wholly
inside another) leaves nothing to measure it by: then the day's lift is split by daily spend.
"""

from __future__ import annotations

import numpy as np


def split_lift(
    effect: np.ndarray, cf: np.ndarray, active: np.ndarray, daily_spend: np.ndarray
) -> np.ndarray:
    """[draws, campaigns] lift of each campaign. `effect`, `cf`: [draws, days] lift and
    counterfactual draws; `active`: [campaigns, days] booleans; `daily_spend`: [campaigns]."""
    n_running = active.sum(axis=0)
    solo = active & (n_running == 1)[None, :]
    if solo.any(axis=1).all():
        gain = effect @ solo.T.astype(float)  # [draws, campaigns]
        base = np.maximum(cf @ solo.T.astype(float), 1e-9)
        weight = np.maximum(gain / base, 0.0)[:, :, None] * active[None, :, :]
    else:
        weight = np.broadcast_to(
            (np.maximum(daily_spend, 1e-9)[:, None] * active)[None], (len(effect), *active.shape)
        )
    total = weight.sum(axis=1, keepdims=True)
    # a day where every weight is zero (no campaign measured a gain): split evenly
    even = active[None, :, :] / np.maximum(n_running, 1)[None, None, :]
    share = np.where(total > 0, weight / np.where(total > 0, total, 1.0), even)
    return np.einsum("dt,dct->dc", effect, share)
