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

COLUMNS = {
    "profiles": ["profile_idx", "name", "mean_streams", "mu", "sigma"],
    "profile_pmf": ["profile_idx", "bin_idx", "low", "high", "p"],
    "thresholds": ["idx", "lower_name", "upper_name", "streams"],
    "k_scores": ["k", "seed", "loglik"],
    "mix": ["artist_id", "profile_idx", "profile", "share", "low", "high", "listeners"],
    "assignments": ["artist_id", "listener_id", "streams", "profile", "probability"],
    "breakdowns": ["artist_id", "profile", "dim", "value", "listeners"],
    "targets": [
        "artist_id",
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


@dataclass(frozen=True)
class FansModel:
    """One fit: a frame per result (columns in COLUMNS) and the summary the job reports."""

    profiles: pd.DataFrame  # lowest mean streams first; mu, sigma on the log scale
    profile_pmf: pd.DataFrame  # each profile's probability of each stream-level bin
    thresholds: pd.DataFrame  # between adjacent profiles; streams <NA> when never crossing
    k_scores: pd.DataFrame  # held-out scores behind the number of profiles (empty if given)
    mix: pd.DataFrame  # each artist's share of each fan type with its 90% interval
    assignments: pd.DataFrame  # each listener-artist pair's most likely fan type
    breakdowns: pd.DataFrame  # expected listeners per artist, fan type and demographic value
    targets: pd.DataFrame  # conversion targets, best first per artist
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
    """Profiles, mixes, assignments, breakdowns and targets from `pairs` (artist_id,
    listener_id, streams and, when known, age_band, gender, country).

    k=None chooses the number of profiles by held-out likelihood over `ks` and `seeds`.
    Pairs without streams are left out; with none left every frame is empty."""
    report = progress or _silent
    pairs = pairs[pairs["streams"] > 0].reset_index(drop=True)
    if pairs.empty:
        return _empty()
    artist_codes, artist_ids = pd.factorize(pairs["artist_id"], sort=True)
    streams = pairs["streams"].to_numpy(dtype=np.int64)
    n_art = len(artist_ids)
    report("choosing the number of profiles", 0.1)
    choice = choose_k(artist_codes, streams, n_art, ks=ks, seeds=seeds) if k is None else given_k(k)
    report("fitting profiles", 0.5)
    bins = log_bins(streams)
    counts = count_matrix(artist_codes, bins.index(streams), n_art, len(bins))
    smooth = fit_smooth(counts, bins, choice.k, seed)
    prof = ordered_profiles(smooth.phi, bins)
    report("artist mixes", 0.7)
    share, low, high = mix_posterior(counts, prof.phi, seed=seed)
    listeners = counts.sum(axis=1).astype(np.int64)
    report("listener assignments and breakdowns", 0.85)
    post = assign(prof, share, artist_codes, streams)
    demo = _with_demographics(pairs)
    top = pd.Series(share[:, -1], index=np.asarray(artist_ids))
    return FansModel(
        profiles=_profiles_frame(prof, smooth),
        profile_pmf=_pmf_frame(prof),
        thresholds=_thresholds_frame(prof),
        k_scores=choice.scores.astype({"k": int, "seed": int, "loglik": float}),
        mix=_mix_frame(np.asarray(artist_ids), prof.names, share, low, high, listeners),
        assignments=_assignments_frame(pairs, streams, prof.names, post),
        breakdowns=breakdowns(demo, post, prof.names, DIMS),
        targets=conversion_targets(demo, post, top)[COLUMNS["targets"]],
        summary=_summary(pairs, prof, choice),
    )


def _empty() -> FansModel:
    frames = {name: pd.DataFrame(columns=cols) for name, cols in COLUMNS.items()}
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
    artist_ids: np.ndarray,
    names: list[str],
    share: np.ndarray,
    low: np.ndarray,
    high: np.ndarray,
    listeners: np.ndarray,
) -> pd.DataFrame:
    kk, n_art = len(names), len(artist_ids)
    return pd.DataFrame(
        {
            "artist_id": np.repeat(artist_ids, kk),
            "profile_idx": np.tile(np.arange(kk), n_art),
            "profile": np.tile(names, n_art),
            "share": share.ravel(),
            "low": low.ravel(),
            "high": high.ravel(),
            "listeners": np.repeat(listeners, kk),
        }
    )


def _assignments_frame(
    pairs: pd.DataFrame, streams: np.ndarray, names: list[str], post: np.ndarray
) -> pd.DataFrame:
    best = post.argmax(axis=1)
    return pd.DataFrame(
        {
            "artist_id": pairs["artist_id"].to_numpy(),
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
