"""Who the fans are: expected listeners of each fan type by demographic value, and the
segments with most room to convert listeners into diehards."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

DIMS = ("age_band", "gender", "country")


def breakdowns(
    pairs: pd.DataFrame, post: np.ndarray, names: list[str], dims: Iterable[str]
) -> pd.DataFrame:
    """Expected listeners per artist x profile x dimension value (sums of membership
    probabilities). `pairs`: artist_id plus the `dims` columns. Long form:
    artist_id, profile, dim, value, listeners."""
    soft = pd.DataFrame(post, columns=names, index=pairs.index)
    out = []
    for dim in dims:
        g = soft.groupby([pairs["artist_id"], pairs[dim].astype(str)]).sum()
        g.index.names = ["artist_id", "value"]
        long = g.stack().rename("listeners").reset_index().rename(columns={"level_2": "profile"})
        long.insert(2, "dim", dim)
        out.append(long)
    cols = ["artist_id", "profile", "dim", "value", "listeners"]
    return pd.concat(out, ignore_index=True)[cols] if out else pd.DataFrame(columns=cols)


def conversion_targets(
    pairs: pd.DataFrame,
    post: np.ndarray,
    top_share: pd.Series,
    *,
    segment: tuple[str, ...] = DIMS,
    min_listeners: float = 5.0,
    per_artist: int = 25,
) -> pd.DataFrame:
    """Segments with the most non-diehard listeners relative to the artist's diehard share.

    For artist a with diehard (top-profile) share D_a and segment g with n_g listeners of
    which d_g are expected diehard (summed membership probabilities), the conversion gap is
    gap_g = n_g * D_a - d_g: the passive and casual listeners in g beyond what the artist's
    own diehard share implies, i.e. the extra diehards g would have if it converted like the
    artist's audience as a whole. Segments with n_g >= min_listeners and gap_g > 0 are ranked
    by gap (largest first), at most `per_artist` per artist."""
    seg = pairs[["artist_id", *segment]].astype(str).copy()
    seg["listeners"] = 1.0
    seg["diehard"] = post[:, -1]
    g = seg.groupby(["artist_id", *segment], as_index=False)[["listeners", "diehard"]].sum()
    g["passive_casual"] = g["listeners"] - g["diehard"]
    g["artist_diehard_share"] = g["artist_id"].map(top_share).astype(float)
    g["segment_diehard_share"] = g["diehard"] / g["listeners"]
    g["gap"] = g["listeners"] * g["artist_diehard_share"] - g["diehard"]
    g = g[(g["listeners"] >= min_listeners) & (g["gap"] > 0)]
    g = g.sort_values(["artist_id", "gap"], ascending=[True, False])
    g["rank"] = g.groupby("artist_id").cumcount() + 1
    return g[g["rank"] <= per_artist].reset_index(drop=True)
