"""Planted per-segment campaign uplift: how a campaign's extra streams split over audience
segments (age band x gender x subscription).

A campaign lifts its territory by `uplift` on average (the lift truth of campaigns_truth.csv).
Segments respond differently: segment s gets a planted multiplier m_s, and its share of the
campaign's extra streams is w_s = p_s m_s / sum(p m), where p_s is the segment's share of the
track's streams in the territory. So the segment's relative uplift is uplift x m_s / sum(p m),
and the campaign's total extra streams stay exactly what campaigns_truth.csv says.
The multipliers come from their own random stream, so the rest of the world is unchanged.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from data.vocab import AGE_BANDS, GENDERS, SUBSCRIPTIONS

if TYPE_CHECKING:
    from data.synth.world import World

SHAPE = (len(AGE_BANDS), len(GENDERS), len(SUBSCRIPTIONS))
# Spread of the planted log-multipliers per dimension (age responds most, then subscription):
# wide, so that a few segments carry most of a campaign's lift and most barely respond.
AGE_SD, GENDER_SD, SUB_SD, INTERACTION_SD = 1.0, 0.5, 0.8, 0.3


def subscription_mix(market: np.ndarray) -> np.ndarray:
    """[C, 4] subscription shares per country: richer markets pay more often."""
    rich = market / market.max()
    sub = np.stack(
        [0.25 + 0.35 * rich, 0.7 - 0.35 * rich, np.full_like(rich, 0.04), np.full_like(rich, 0.01)],
        axis=1,
    )
    return sub / sub.sum(axis=1, keepdims=True)


def segment_multipliers(seed: int) -> np.ndarray:
    """[age, gender, subscription] planted response multipliers (geometric mean about 1)."""
    rng = np.random.default_rng([seed, 14])
    age = rng.normal(0.0, AGE_SD, SHAPE[0])
    gender = rng.normal(0.0, GENDER_SD, SHAPE[1])
    sub = rng.normal(0.0, SUB_SD, SHAPE[2])
    inter = rng.normal(0.0, INTERACTION_SD, SHAPE[:2])
    log_m = age[:, None, None] + gender[None, :, None] + sub[None, None, :] + inter[:, :, None]
    return np.exp(log_m - log_m.mean())


def segment_mix(age_p: np.ndarray, gender_p: np.ndarray, sub_p: np.ndarray) -> np.ndarray:
    """[age, gender, subscription] share p_s of a track's territory streams (independent draws,
    as the renderer makes them)."""
    p = age_p[:, None, None] * gender_p[None, :, None] * sub_p[None, None, :]
    return p / p.sum()


def extra_shares(p: np.ndarray, mult: np.ndarray) -> np.ndarray:
    """w_s = p_s m_s / sum(p m): each segment's share of a campaign's extra streams."""
    pm = p * mult
    return pm / pm.sum()


def segment_truth(
    campaign_truth: pd.DataFrame,
    campaign_comm: np.ndarray,
    campaign_country: np.ndarray,
    comm_age: np.ndarray,
    comm_gender: np.ndarray,
    sub_mix: np.ndarray,
    mult: np.ndarray,
) -> pd.DataFrame:
    """One row per campaign x segment: baseline and extra streams expected in the window, the
    segment's relative uplift and its planted multiplier (segment_uplift.csv)."""
    age_i, gender_i, sub_i = (a.ravel() for a in np.indices(SHAPE))
    frames = []
    for row, k, c in zip(campaign_truth.itertuples(), campaign_comm, campaign_country, strict=True):
        p = segment_mix(comm_age[k] / comm_age[k].sum(), comm_gender[k] / comm_gender[k].sum(),
                        sub_mix[c])  # fmt: skip
        w = extra_shares(p, mult).ravel()
        base = row.baseline_streams * p.ravel()
        extra = row.true_incremental_streams * w
        frames.append(
            pd.DataFrame(
                {
                    "campaign_id": row.campaign_id,
                    "isrc": row.isrc,
                    "country": row.country,
                    "age_band": np.array(AGE_BANDS)[age_i],
                    "gender": np.array(GENDERS)[gender_i],
                    "subscription": np.array(SUBSCRIPTIONS)[sub_i],
                    "multiplier": mult.ravel(),
                    "baseline_streams": base,
                    "true_incremental_streams": extra,
                    "true_relative_uplift": np.divide(
                        extra, base, out=np.zeros_like(extra), where=base > 0
                    ),
                }
            )
        )
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def world_segment_truth(world: World) -> pd.DataFrame:
    """segment_uplift.csv for a planted world (empty when it has no campaigns)."""
    truth = world.campaign_truth
    if truth.empty or world.segment_multiplier is None:
        return pd.DataFrame()
    track_of = dict(zip(world.tracks.isrc, world.tracks.artist_idx, strict=True))
    comm = world.artists.community.to_numpy()[[track_of[i] for i in truth.isrc]]
    country = [world.countries.index(c) for c in truth.country]
    return segment_truth(
        truth, comm, np.array(country), world.comm_age, world.comm_gender,
        subscription_mix(world.market), world.segment_multiplier,
    )  # fmt: skip
