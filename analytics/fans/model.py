"""The whole fan-type analysis of listener-artist pairs: `fit` and what it returns."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import Any

import numpy as np
import pandas as pd

from analytics.fans.binning import count_matrix, log_bins
from analytics.fans.mix import assign, mix_posterior
from analytics.fans.profiles import Profiles, ordered_profiles
from analytics.fans.segments import DIMS, breakdowns, conversion_targets
from analytics.fans.selection import KChoice, choose_k, given_k
from analytics.fans.smooth import SmoothFit, fit_smooth

Progress = Callable[[str, float], None]

# A unit is what gets a mix: an artist's tracks on one label (an artist with tracks on two
# labels is two units). Pairs without a label column make the artist alone the unit.
UNIT = ("artist_id", "label")

COLUMNS = {
    "profiles": ["profile_idx", "name", "mean_streams", "mu", "sigma"],
    "profile_pmf": ["profile_idx", "bin_idx", "low", "high", "p"],
    "thresholds": ["idx", "lower_name", "upper_name", "streams"],
    "k_scores": ["k", "seed", "loglik"],
    "mix": [*UNIT, "profile_idx", "profile", "share", "low", "high", "listeners"],
    "assignments": [*UNIT, "listener_id", "streams", "profile", "probability"],
    "breakdowns": [*UNIT, "profile", "dim", "value", "listeners"],
    "targets": [
        *UNIT,
        "rank",
        "age_band",
        "gender",
        "country",
        "listeners",
        "passive_casual",
        "diehard",
        "segment_diehard_share",
        "artist_diehard_share",
        "gap",
    ],
}


def unit_columns(pairs: pd.DataFrame) -> list[str]:
    """The columns naming a unit in `pairs`: artist_id, and label when given."""
    return [c for c in UNIT if c in pairs.columns]


@dataclass(frozen=True)
class FansModel:
    """One fit: a frame per result (columns in COLUMNS) and the summary the job reports."""

    profiles: pd.DataFrame  # lowest mean streams first; mu, sigma on the log scale
    profile_pmf: pd.DataFrame  # each profile's probability of each stream-level bin
    thresholds: pd.DataFrame  # between adjacent profiles; streams <NA> when never crossing
    k_scores: pd.DataFrame  # held-out scores behind the number of profiles (empty if given)
    mix: pd.DataFrame  # each unit's share of each fan type with its 90% interval
    assignments: pd.DataFrame  # each listener-unit pair's most likely fan type
    breakdowns: pd.DataFrame  # expected listeners per unit, fan type and demographic value
    targets: pd.DataFrame  # conversion targets, best first per unit
    summary: dict[str, Any]

    @property
    def names(self) -> list[str]:
        return [str(n) for n in self.profiles["name"]]

    @property
    def k(self) -> int:
        return len(self.profiles)

    def frames(self) -> dict[str, pd.DataFrame]:
        """Every result frame by its field name."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name in COLUMNS}


def _silent(stage: str, fraction: float) -> None:
    return None


def fit(
    pairs: pd.DataFrame,
    *,
    k: int | None = None,
    ks: tuple[int, ...] = (2, 3, 4, 5),
    seeds: tuple[int, ...] = (0, 1, 2),
    seed: int = 0,
    progress: Progress | None = None,
) -> FansModel:
    """Profiles, mixes, assignments, breakdowns and targets from `pairs` (artist_id, label,
    listener_id, streams and, when known, age_band, gender, country).

    Each (artist_id, label) is a unit with its own mix; without a label column each artist
    is. The profiles are shared by every unit. k=None chooses the number of profiles by
    held-out likelihood over `ks` and `seeds`. Pairs without streams are left out; with none
    left every frame is empty."""
    report = progress or _silent
    pairs = pairs[pairs["streams"] > 0].reset_index(drop=True)
    unit = unit_columns(pairs)
    if pairs.empty:
        return _empty(unit)
    # Codes in sorted unit order, so results come out sorted by artist then label.
    grouped = pairs.groupby(unit, sort=True, dropna=False)
    unit_codes = grouped.ngroup().to_numpy()
    units = grouped.size().index.to_frame(index=False)
    streams = pairs["streams"].to_numpy(dtype=np.int64)
    n_units = len(units)
    report("choosing the number of profiles", 0.1)
    choice = choose_k(unit_codes, streams, n_units, ks=ks, seeds=seeds) if k is None else given_k(k)
    report("fitting profiles", 0.5)
    bins = log_bins(streams)
    counts = count_matrix(unit_codes, bins.index(streams), n_units, len(bins))
    smooth = fit_smooth(counts, bins, choice.k, seed)
    prof = ordered_profiles(smooth.phi, bins)
    report("artist mixes", 0.7)
    share, low, high = mix_posterior(counts, prof.phi, seed=seed)
    listeners = counts.sum(axis=1).astype(np.int64)
    report("listener assignments and breakdowns", 0.85)
    post = assign(prof, share, unit_codes, streams)
    demo = _with_demographics(pairs)
    top = pd.Series(share[:, -1], index=pd.MultiIndex.from_frame(units))
    return FansModel(
        profiles=_profiles_frame(prof, smooth),
        profile_pmf=_pmf_frame(prof),
        thresholds=_thresholds_frame(prof),
        k_scores=choice.scores.astype({"k": int, "seed": int, "loglik": float}),
        mix=_mix_frame(units, prof.names, share, low, high, listeners),
        assignments=_assignments_frame(pairs, unit, streams, prof.names, post),
        breakdowns=breakdowns(demo, post, prof.names, DIMS, unit=unit),
        targets=conversion_targets(demo, post, top, unit=unit)[_columns("targets", unit)],
        summary=_summary(pairs, prof, choice),
    )


def _columns(name: str, unit: list[str]) -> list[str]:
    """COLUMNS[name] without the unit columns the pairs did not have."""
    return [c for c in COLUMNS[name] if c not in UNIT or c in unit]


def _empty(unit: list[str]) -> FansModel:
    frames = {name: pd.DataFrame(columns=_columns(name, unit)) for name in COLUMNS}
    return FansModel(**frames, summary={"pairs": 0, "artists": 0, "k": None})


def _summary(pairs: pd.DataFrame, prof: Profiles, choice: KChoice) -> dict[str, Any]:
    return {
        "pairs": int(len(pairs)),
        "listeners": int(pairs["listener_id"].nunique()),
        "artists": int(pairs["artist_id"].nunique()),
        "k": len(prof.names),
        "k_flat": bool(choice.flat),
        "profiles": prof.names,
        "thresholds": [
            None if t["streams"] is None else round(t["streams"], 1) for t in prof.thresholds
        ],
    }


def _profiles_frame(prof: Profiles, smooth: SmoothFit) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "profile_idx": np.arange(len(prof.names)),
            "name": prof.names,
            "mean_streams": prof.mean_streams,
            "mu": smooth.mu[prof.order],
            "sigma": smooth.sigma[prof.order],
        }
    )


def _pmf_frame(prof: Profiles) -> pd.DataFrame:
    kk, nb = len(prof.names), len(prof.bins)
    return pd.DataFrame(
        {
            "profile_idx": np.repeat(np.arange(kk), nb),
            "bin_idx": np.tile(np.arange(nb), kk),
            "low": np.tile(prof.bins.low, kk),
            "high": np.tile(prof.bins.high, kk),
            "p": prof.phi.ravel(),
        }
    )


def _thresholds_frame(prof: Profiles) -> pd.DataFrame:
    t = prof.thresholds
    return pd.DataFrame(
        {
            "idx": np.arange(len(t)),
            "lower_name": [x["lower"] for x in t],
            "upper_name": [x["upper"] for x in t],
            "streams": pd.array([x["streams"] for x in t], dtype="Float64"),
        }
    )


def _mix_frame(
    units: pd.DataFrame,
    names: list[str],
    share: np.ndarray,
    low: np.ndarray,
    high: np.ndarray,
    listeners: np.ndarray,
) -> pd.DataFrame:
    kk, n_units = len(names), len(units)
    return pd.DataFrame(
        {
            **{c: np.repeat(units[c].to_numpy(), kk) for c in units.columns},
            "profile_idx": np.tile(np.arange(kk), n_units),
            "profile": np.tile(names, n_units),
            "share": share.ravel(),
            "low": low.ravel(),
            "high": high.ravel(),
            "listeners": np.repeat(listeners, kk),
        }
    )


def _assignments_frame(
    pairs: pd.DataFrame, unit: list[str], streams: np.ndarray, names: list[str], post: np.ndarray
) -> pd.DataFrame:
    best = post.argmax(axis=1)
    return pd.DataFrame(
        {
            **{c: pairs[c].to_numpy() for c in unit},
            "listener_id": pairs["listener_id"].to_numpy(),
            "streams": streams,
            "profile": np.asarray(names)[best],
            "probability": post[np.arange(len(best)), best],
        }
    )


def _with_demographics(pairs: pd.DataFrame) -> pd.DataFrame:
    """`pairs` with every demographic column present as text ('unknown' where missing)."""
    demo = pairs.copy()
    for dim in DIMS:
        if dim not in demo:
            demo[dim] = "unknown"
        demo[dim] = demo[dim].fillna("unknown").astype(str)
    return demo
