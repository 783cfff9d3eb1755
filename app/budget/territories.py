"""Ranked territories for a track from the frames of the scoped query `budget_inputs`:
shared by the command line and the Territory budgets page."""

from __future__ import annotations

from typing import Any

import pandas as pd

from analytics import budget


def rank(
    frames: dict[str, pd.DataFrame],
    goal: str,
    params: dict[str, Any],
    include: tuple[str, ...] = (),
) -> budget.ScoreResult:
    """Score the track of `frames` for `goal` with the budget run's `params`. Only artists
    the reader may see (rows with an isrc) can be named as interests; the track's own
    artist never is."""
    a = frames["assets"]
    artist_of = {
        i: n for i, n in zip(a["isrc"], a["artist_name"], strict=True) if isinstance(i, str) and n
    }
    own = str(frames["asset"].iloc[0]["artist_name"])
    return budget.score(
        budget.ModelInputs.from_frames(frames),
        goal,
        artist_of=artist_of,
        own_artist=own,
        params=params,
        include=include,
    )
