"""Splitting a joint window's lift between overlapping campaigns, without double counting.

Each campaign is modelled as a signed relative uplift on the counterfactual over its own
days: on day t the window's lift is sum_c r_c x cf_t over the campaigns running that day.
The rates are estimated jointly, draw by draw, by least squares weighted by 1 / cf (count
noise grows with the level), so a single campaign's rate is exactly its window's lift over
its counterfactual and the split's uncertainty reaches the intervals. Rates are never
clipped at zero: a zero-effect campaign overlapping a working one keeps a rate centred on
zero instead of taking a share of the shared days' lift.
"""

from __future__ import annotations

import numpy as np


def split_lift(effect: np.ndarray, cf: np.ndarray, active: np.ndarray) -> np.ndarray:
    """[draws, campaigns] lift of each campaign. `effect`, `cf`: [draws, days] lift and
    counterfactual draws; `active`: [campaigns, days] booleans."""
    act = active.astype(float)
    # normal equations per draw: A[c, k] = sum_t a_ct a_kt cf_t, b[c] = sum_t a_ct e_t
    gram = np.einsum("ct,kt,dt->dck", act, act, cf)
    rhs = effect @ act.T  # [draws, campaigns]
    diag = np.einsum("dcc->dc", gram)
    # pseudo-inverse: campaigns with identical days cannot be told apart and split evenly
    rates = (np.linalg.pinv(gram, rcond=1e-10) @ rhs[:, :, None])[:, :, 0]
    return rates * diag  # each campaign's rate times its own days' counterfactual
