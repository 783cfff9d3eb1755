"""The ranking against the tiny demo world's planted truth (SYNTHETIC): the planted
under-served territories lead the push rows and the planted playlist removal that detection
found is among the first opportunities. (Precision@10 on demo-size worlds, where every kind
of planted structure is large enough to recover, is in bench/today_precision.py.)"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from data.store import open_store
from data.synth import opportunities as planted


def _ranking(demo_db: Path) -> pd.DataFrame:
    with open_store(demo_db, read_only=True) as store:
        return (
            store.cursor()
            .execute("SELECT * FROM today_opportunities ORDER BY rank")
            .df()
            .replace({float("nan"): None})
        )


def test_planted_opportunities_rank_near_the_top(demo_db: Path) -> None:
    with open_store(demo_db, read_only=True) as store:
        truth = planted.read(Path(store.get_meta("demo_files")) / "ground_truth")
    ranked = _ranking(demo_db)
    ranked["planted"] = truth.flags(ranked)
    push = ranked[ranked.action == "push"]
    assert len(push) >= 3
    # the two best push rows are planted under-served territories
    assert push.planted.head(2).all(), push.head(5)
    # planted push rows rank higher than the others, in the median
    assert push[push.planted]["rank"].median() < push[~push.planted]["rank"].median()
    # the planted removal detection found (a drop on a track the world took off an editorial
    # playlist) is in the first ten
    removals = ranked[(ranked.action == "sustain") & ranked.planted]
    assert len(removals) >= 1 and removals["rank"].min() <= 10
