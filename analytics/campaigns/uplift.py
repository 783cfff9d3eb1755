"""Uplift of campaigns per audience segment (ad vs no ad) with two outcome models.

T-learner: one gradient-boosted model (Poisson loss) of a cell's growth relative to its
unit's for cells under a campaign, one for control cells (the same segment just before, and
in territories without the campaign); each unit weighs the same (see uplift_features). For a
campaign cell, counterfactual streams = base x peer growth x the control model's share, and
streams with the ads = base x peer growth x the unit's own lift x the treated model's share.
A segment's uplift is (observed - counterfactual) / counterfactual summed over its cells,
with a 90 % interval from a bootstrap over campaigns; its ranking score is the two models'
predicted uplift (smoother than the observed one on small segments). The S-learner (one
model with a 'treated' feature) is the single-model baseline the bench compares against.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.ensemble import HistGradientBoostingRegressor

from analytics.campaigns.uplift_features import CATEGORICAL, COMMON

SEGMENT_KEY = ["label", "country", "age_band", "gender", "subscription", "fan_type"]
N_BOOT = 300
# A bootstrap over campaigns says nothing about a segment seen in one or two of them: no
# interval below this many; and segments expected to stream less than MIN_BASELINE in their
# windows are left out (their ratio is noise).
MIN_CAMPAIGNS = 3
MIN_BASELINE = 10.0

LEVEL = 0.90


def _model(features: list[str], seed: int, leaves: int) -> HistGradientBoostingRegressor:
    return HistGradientBoostingRegressor(
        loss="poisson",
        learning_rate=0.05,
        max_iter=200,
        max_leaf_nodes=leaves,
        min_samples_leaf=300,
        l2_regularization=1.0,
        categorical_features=[f in CATEGORICAL for f in features],
        early_stopping=False,
        random_state=seed,
    )


def _fit(
    frame: pd.DataFrame, features: list[str], seed: int, leaves: int = 15
) -> HistGradientBoostingRegressor:
    """Poisson boosting of a cell's within-unit growth, weighted by its expected streams."""
    m = _model(features, seed, leaves)
    m.fit(
        frame[features].to_numpy(float),
        frame["within"].to_numpy(),
        sample_weight=frame["within_weight"].to_numpy(),
    )
    return m


@dataclass(frozen=True)
class CellEffects:
    """Treated cells with counterfactual (expected streams without the ads), predicted
    (model streams with them) and observed streams over the window."""

    cells: pd.DataFrame


def _effects(treated: pd.DataFrame, within0: np.ndarray, within1: np.ndarray) -> CellEffects:
    """Counterfactual = base x peer growth x control composition; with ads the treated
    composition times the unit's own growth over its peers (its average lift)."""
    scale = (treated["base"] * treated["peer_growth"] * treated["days"]).to_numpy()
    unit = treated["unit"].to_numpy()
    mu0 = _per_unit_mix(within0, scale, unit) * scale
    mu1 = _per_unit_mix(within1, scale, unit) * treated["unit_effect"].to_numpy() * scale
    return CellEffects(treated.assign(counterfactual=mu0, predicted=mu1, observed=treated["y"]))


def _per_unit_mix(within: np.ndarray, scale: np.ndarray, unit: np.ndarray) -> np.ndarray:
    """Within-unit growths rescaled so a unit's expected streams add up to its own: the
    models say how the streams split over segments, the peers say how many there are."""
    frame = pd.DataFrame({"unit": unit, "a": within * scale, "b": scale})
    sums = frame.groupby("unit")[["a", "b"]].transform("sum")
    return within * (sums["b"] / sums["a"].where(sums["a"] > 0, 1.0)).to_numpy()


def t_learner(features: pd.DataFrame, seed: int = 0) -> CellEffects:
    """Fit the treated and the control outcome models; effects on the treated cells."""
    treated = features[features["role"] == "treated"]
    control = features[features["role"] != "treated"]
    x = treated[COMMON].to_numpy(float)
    m1, m0 = _fit(treated, COMMON, seed), _fit(control, COMMON, seed)
    return _effects(treated, m0.predict(x), m1.predict(x))


def s_learner(features: pd.DataFrame, seed: int = 0) -> CellEffects:
    """One outcome model with a 'treated' feature; effects = f(x, 1) against f(x, 0)."""
    cols = COMMON + ["treated"]
    m = _fit(features, cols, seed)
    treated = features[features["role"] == "treated"]
    x = treated[cols].to_numpy(float)
    x0 = x.copy()
    x0[:, -1] = 0.0
    return _effects(treated, m.predict(x0), m.predict(x))


def segments(
    effects: CellEffects,
    key: list[str] | None = None,
    n_boot: int = N_BOOT,
    seed: int = 0,
    min_baseline: float = MIN_BASELINE,
) -> pd.DataFrame:
    """Per segment: n_campaigns, baseline_streams (counterfactual), incremental_streams
    (observed - counterfactual), uplift (their ratio) with low/high (90 % bootstrap interval
    over campaigns; NaN under MIN_CAMPAIGNS) and score (the models' predicted relative
    uplift). Segments expected to stream less than `min_baseline` are left out."""
    key = key or SEGMENT_KEY
    c = effects.cells
    per = (
        c.assign(model_gain=c["predicted"] - c["counterfactual"])
        .groupby([*key, "campaign_id"], observed=True, sort=True)[
            ["counterfactual", "observed", "model_gain"]
        ]
        .sum()
        .reset_index()
    )
    seg_idx = per.groupby(key, sort=True, observed=True).ngroup().to_numpy()
    camp_codes, camp_names = pd.factorize(per["campaign_id"])
    out = per.groupby(key, sort=True, observed=True).agg(
        n_campaigns=("campaign_id", "nunique"),
        baseline_streams=("counterfactual", "sum"),
        observed=("observed", "sum"),
        model_gain=("model_gain", "sum"),
    )
    out = out.reset_index()
    base = out["baseline_streams"].to_numpy()
    out["incremental_streams"] = out["observed"] - base
    out["uplift"] = out["incremental_streams"] / np.where(base > 0, base, np.nan)
    out["score"] = out["model_gain"] / np.where(base > 0, base, np.nan)
    low, high = _bootstrap(per, seg_idx, camp_codes, len(camp_names), len(out), n_boot, seed)
    few = out["n_campaigns"].to_numpy() < MIN_CAMPAIGNS
    out["low"], out["high"] = np.where(few, np.nan, low), np.where(few, np.nan, high)
    out = out.drop(columns=["observed", "model_gain"])
    keep = np.isfinite(out["uplift"]) & (out["baseline_streams"] >= min_baseline)
    return out[keep].reset_index(drop=True)


def _bootstrap(per, seg_idx, camp_codes, n_camp, n_seg, n_boot, seed):
    """Percentile interval of each segment's uplift when whole campaigns are resampled."""
    rng = np.random.default_rng(seed)
    counts = rng.multinomial(n_camp, np.full(n_camp, 1.0 / n_camp), size=n_boot).T  # [camp, B]
    shape = (n_seg, n_camp)
    num = sparse.csr_matrix(
        ((per["observed"] - per["counterfactual"]).to_numpy(), (seg_idx, camp_codes)), shape
    )
    den = sparse.csr_matrix((per["counterfactual"].to_numpy(), (seg_idx, camp_codes)), shape)
    n, d = num @ counts, den @ counts
    ratio = np.where(d > 0, n / np.where(d > 0, d, 1.0), np.nan)
    tail = (1 - LEVEL) / 2 * 100
    with warnings.catch_warnings():  # a segment absent from every resample: NaN, no warning
        warnings.simplefilter("ignore", RuntimeWarning)
        low = np.nanpercentile(ratio, tail, axis=1)
        high = np.nanpercentile(ratio, 100 - tail, axis=1)
    return low, high


def significant(table: pd.DataFrame) -> pd.DataFrame:
    """Segments whose whole interval is above zero, largest uplift first."""
    sig = table[table["low"] > 0]
    return sig.sort_values(["uplift", "incremental_streams"], ascending=False)
