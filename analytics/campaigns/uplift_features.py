"""Features of the uplift outcome models, per cell (a unit's age band x gender x subscription).

A unit is a track in one territory over a window: a campaign's ('treated'), or a control
without ads (the same territory just before: 'pre'; other territories over the same window:
'geo'). The outcome is the cell's streams per day over the window relative to its base, the
streams per day over the lag period before the window: so the models learn growth ratios,
comparable between a big and a small segment, and the base weights each cell.

The growth ratio is taken relative to the peer growth: the same track's growth over the same
window in the control territories ('geo' / 'geo_pre', leaving a unit out of its own peers).
That removes what the whole track does (decay, playlist adds, a viral week) so the models
only have to learn how a segment departs from its track, with or without ads.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from data.vocab import AGE_BANDS, GENDERS, SUBSCRIPTIONS

# Streams added to a cell's lag count before dividing, so an empty lag still has a base.
PSEUDO_STREAMS = 0.5
SEGMENT = ["age_band", "gender", "subscription"]
FAN_TYPES = ("passive", "casual", "diehard")
# What the outcome models see: who the segment is, its lagged streams and their recent trend
# (7-day against long-run moving average), the track's age and the artist's fan types. Fewer
# is better here: a segment's mix is noisy, and every extra feature is a way to fit noise.
COMMON = [
    "age_code",
    "gender_code",
    "sub_code",
    "log_base",
    "trend",
    "track_age_days",
    "casual_share",
    "diehard_share",
]
# Lag streams of pooled evidence a cell's segment share is shrunk with (see smoothed_base).
SHARE_PRIOR_STREAMS = 5.0
# Growth ratios above this are a near-empty base, not a response: capped for fitting.
MAX_RATIO = 10.0
LIFT_SHRINK = 0.5
# Peer growth outside this range is a near-empty control, not information.
PEER_GROWTH_RANGE = (0.25, 4.0)
CATEGORICAL = ["age_code", "gender_code", "sub_code"]


def main_fan_type(mix: pd.DataFrame) -> pd.DataFrame:
    """artist_id, label, fan_type (the profile with the largest share), casual_share,
    diehard_share from the Fan types feature's mix (profiles named after fan types)."""
    if mix.empty:
        return pd.DataFrame(
            columns=["artist_id", "label", "fan_type", "casual_share", "diehard_share"]
        )
    wide = mix.pivot_table(index=["artist_id", "label"], columns="profile", values="share")
    wide = wide.reindex(columns=list(FAN_TYPES)).fillna(0.0)
    out = pd.DataFrame(
        {
            "fan_type": wide.idxmax(axis=1),
            "casual_share": wide["casual"],
            "diehard_share": wide["diehard"],
        }
    )
    return out.reset_index()


def build(cells: pd.DataFrame, campaigns: pd.DataFrame, fans: pd.DataFrame) -> pd.DataFrame:
    """Cells with their features, the outcome `within` (growth relative to the unit's) and its
    weight `within_weight`, plus `base`, `peer_growth` and `unit_effect` for the effects.

    cells: campaign_id, role, unit, isrc, country, age_band, gender, subscription, lag, lag7,
    y, lag_days, days. campaigns: campaign_id, label, artist_id, genre, release_date,
    start_date, spend_usd. fans: see `main_fan_type`."""
    c = cells.merge(
        campaigns[
            [
                "campaign_id",
                "label",
                "artist_id",
                "genre",
                "release_date",
                "start_date",
                "spend_usd",
            ]
        ],
        on="campaign_id",
        how="left",
    )
    c = c.merge(fans, on=["artist_id", "label"], how="left")
    c["fan_type"] = c["fan_type"].fillna("unknown")
    c[["casual_share", "diehard_share"]] = c[["casual_share", "diehard_share"]].fillna(-1.0)
    c["base"] = smoothed_base(c)
    c["r"] = c["y"] / c["days"] / c["base"]
    c["peer_growth"] = c["unit"].map(peer_growth(cells))
    # Within the unit: a segment's growth relative to its whole unit's (ads or not, the
    # track-level noise cancels), and the unit's growth relative to its peers (the ads'
    # average effect on the unit, about 1 for a control).
    rate = (c["y"] / c["days"]).groupby(c["unit"]).transform("sum")
    c["unit_growth"] = (rate + PSEUDO_STREAMS / c["days"]) / c.groupby("unit")["base"].transform(
        "sum"
    )
    c["within"] = (c["r"] / c["unit_growth"]).clip(upper=MAX_RATIO)
    # Each unit weighs the same in the fit: a few heavy tracks would otherwise decide it, and
    # a unit's segment mix is noisy however many streams it has (streams arrive in clumps).
    expected = c["base"] * c["unit_growth"]
    c["within_weight"] = expected / expected.groupby(c["unit"]).transform("sum")
    # One campaign's lift over its peers is a noisy figure; taken half-way to no effect it
    # ranks territories better (tuned on one planted world, checked on others).
    c["unit_effect"] = 1.0 + LIFT_SHRINK * (c["unit_growth"] / c["peer_growth"] - 1.0)
    c["log_base"] = np.log(c["base"])
    c["log_base7"] = np.log((c["lag7"] + PSEUDO_STREAMS) / np.minimum(7.0, c["lag_days"]))
    c["trend"] = c["log_base7"] - c["log_base"]
    window_start = pd.to_datetime(c["start_date"])
    window_start = window_start.where(
        ~c["role"].isin(["pre", "geo_pre"]), window_start - pd.to_timedelta(c["days"], "D")
    )
    c["track_age_days"] = (window_start - pd.to_datetime(c["release_date"])).dt.days.astype(float)
    c["age_code"] = c["age_band"].map({v: i for i, v in enumerate(AGE_BANDS)}).fillna(-1)
    c["gender_code"] = c["gender"].map({v: i for i, v in enumerate(GENDERS)}).fillna(-1)
    c["sub_code"] = c["subscription"].map({v: i for i, v in enumerate(SUBSCRIPTIONS)}).fillna(-1)
    c["treated"] = (c["role"] == "treated").astype(float)
    return c


def peer_growth(cells: pd.DataFrame) -> pd.Series:
    """Per unit: the track's streams-per-day growth (window over lag) in the control
    territories of the same campaign and period, without the unit itself; 1 without peers."""
    u = cells.groupby("unit").agg(
        campaign_id=("campaign_id", "first"),
        role=("role", "first"),
        y=("y", "sum"),
        lag=("lag", "sum"),
        lag_days=("lag_days", "first"),
        days=("days", "first"),
    )
    u["now"] = u["role"].isin(["treated", "geo"])
    u["peer"] = u["role"].isin(["geo", "geo_pre"])
    u["rate_y"] = np.where(u["peer"], u["y"] / u["days"], 0.0)
    u["rate_lag"] = np.where(u["peer"], u["lag"] / u["lag_days"], 0.0)
    tot = u.groupby(["campaign_id", "now"])[["rate_y", "rate_lag"]].transform("sum")
    num, den = tot["rate_y"] - u["rate_y"], tot["rate_lag"] - u["rate_lag"]
    growth = (num + PSEUDO_STREAMS) / (den + PSEUDO_STREAMS)
    growth = growth.where(den > 0, 1.0).clip(*PEER_GROWTH_RANGE)
    return growth


def smoothed_base(cells: pd.DataFrame) -> pd.Series:
    """Each cell's streams per day over the lag: its unit's rate x the segment's share of the
    unit, that share shrunk towards the segment's share over the campaign's units in the same
    territory (the lag before the window and before the period just before it)."""
    unit_lag = cells.groupby("unit")["lag"].transform("sum")
    # Pooled within the territory: subscription mixes differ between territories.
    key = ["campaign_id", "country"]
    total = cells.groupby(key)["lag"].transform("sum")
    pooled = cells.groupby([*key, *SEGMENT])["lag"].transform("sum") / total.where(total > 0, 1.0)
    share = (cells["lag"] + SHARE_PRIOR_STREAMS * pooled) / (unit_lag + SHARE_PRIOR_STREAMS)
    rate = (unit_lag + PSEUDO_STREAMS) / cells["lag_days"]
    return (rate * share).clip(lower=PSEUDO_STREAMS / cells["lag_days"] / 100)
