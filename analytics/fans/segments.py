"""Who the fans are: expected listeners of each fan type by demographic value, and the
segments with most room to convert listeners into diehards."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

DIMS = ("age_band", "gender", "country")


def breakdowns(
    pairs: pd.DataFrame,
    post: np.ndarray,
    names: list[str],
    dims: Iterable[str],
    *,
    unit: Sequence[str] = ("artist_id",),
) -> pd.DataFrame:
    """Expected listeners per unit x profile x dimension value (sums of membership
    probabilities). `pairs`: the `unit` columns (artist_id, and label when units are per
    label) plus the `dims` columns. Long form: *unit, profile, dim, value, listeners."""
    unit = list(unit)
    soft = pd.DataFrame(post, columns=names, index=pairs.index)
    out = []
    for dim in dims:
        g = soft.groupby([*(pairs[c] for c in unit), pairs[dim].astype(str)]).sum()
        g.index.names = [*unit, "value"]
        long = g.stack().rename("listeners").reset_index()
        long = long.rename(columns={f"level_{len(unit) + 1}": "profile"})
        long.insert(len(unit) + 1, "dim", dim)
        out.append(long)
    cols = [*unit, "profile", "dim", "value", "listeners"]
    return pd.concat(out, ignore_index=True)[cols] if out else pd.DataFrame(columns=cols)


def conversion_targets(
    pairs: pd.DataFrame,
    post: np.ndarray,
    top_share: pd.Series,
    *,
    unit: Sequence[str] = ("artist_id",),
    segment: tuple[str, ...] = DIMS,
    min_listeners: float = 5.0,
    per_artist: int = 25,
) -> pd.DataFrame:
    """Segments with the most non-diehard listeners relative to the artist's diehard share.

    For a unit a (an artist, or an artist's tracks on one label) with diehard (top-profile)
    share D_a and segment g with n_g listeners of which d_g are expected diehard (summed
    membership probabilities), the conversion gap is gap_g = n_g * D_a - d_g: the passive
    and casual listeners in g beyond what the unit's own diehard share implies, i.e. the
    extra diehards g would have if it converted like the unit's audience as a whole.
    Segments with n_g >= min_listeners and gap_g > 0 are ranked by gap (largest first), at
    most `per_artist` per unit. `top_share` is indexed by the `unit` columns."""
    unit = list(unit)
    seg = pairs[[*unit, *segment]].astype(str).copy()
    seg["listeners"] = 1.0
    seg["diehard"] = post[:, -1]
    g = seg.groupby([*unit, *segment], as_index=False)[["listeners", "diehard"]].sum()
    g["passive_casual"] = g["listeners"] - g["diehard"]
    keys = pd.MultiIndex.from_frame(g[unit])
    shares = top_share.copy()
    shares.index = pd.MultiIndex.from_frame(shares.index.to_frame(index=False).astype(str))
    g["artist_diehard_share"] = shares.reindex(keys).to_numpy(dtype=float)
    g["segment_diehard_share"] = g["diehard"] / g["listeners"]
    g["gap"] = g["listeners"] * g["artist_diehard_share"] - g["diehard"]
    g = g[(g["listeners"] >= min_listeners) & (g["gap"] > 0)]
    g = g.sort_values([*unit, "gap"], ascending=[*(True for _ in unit), False])
    g["rank"] = g.groupby(unit).cumcount() + 1
    return g[g["rank"] <= per_artist].reset_index(drop=True)
