"""Which Today opportunities the SYNTHETIC world planted, read from its ground truth.

push       (artist, territory) is a planted under-served country (underserved.csv);
sustain    the track had a planted editorial playlist removal (events.csv, kind drop);
re-engage  the audience group (age band, gender, subscription) responds to campaigns more
           than a campaign's audience as a whole: its planted multiplier is above the
           stream-weighted mean multiplier (segment_uplift.csv), so its true relative
           uplift is above the campaign's;
promote    nothing about releases is planted, so a promote row never counts.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd


@dataclass(frozen=True)
class PlantedOpportunities:
    underserved: frozenset[tuple[str, str]]  # (artist_id, country)
    removals: frozenset[str]  # ISRCs
    responsive: frozenset[str]  # 'age band:gender:subscription'

    def is_planted(self, action: str, id_: str, territory: str | None, segment: str | None) -> bool:
        if action == "push":
            return (id_, territory) in self.underserved
        if action == "sustain":
            return id_ in self.removals
        if action == "re-engage":
            return segment in self.responsive
        return False

    def flags(self, ranked: pd.DataFrame) -> list[bool]:
        """One flag per row of a frame with action, id, territory, segment columns."""
        return [
            self.is_planted(r.action, r.id, r.territory, r.segment)
            for r in ranked.itertuples(index=False)
        ]


def read(ground_truth: Path) -> PlantedOpportunities:
    """The planted opportunities of a generated store's ground_truth directory."""
    under = pd.read_csv(ground_truth / "underserved.csv")
    events = pd.read_csv(ground_truth / "events.csv")
    removals = events[(events["kind"] == "drop") & events["cause"].str.contains("removal")]
    seg_path = ground_truth / "segment_uplift.csv"
    responsive: set[str] = set()
    if seg_path.exists() and seg_path.stat().st_size > 1:
        seg = pd.read_csv(seg_path, keep_default_na=False)
        if len(seg):
            weighted = (seg["multiplier"] * seg["baseline_streams"]).sum() / seg[
                "baseline_streams"
            ].sum()
            high = seg[seg["multiplier"] > weighted].drop_duplicates(
                ["age_band", "gender", "subscription"]
            )
            responsive = {
                f"{a}:{g}:{s}"
                for a, g, s in zip(high.age_band, high.gender, high.subscription, strict=True)
            }
    return PlantedOpportunities(
        frozenset(zip(under["artist_id"], under["country"], strict=True)),
        frozenset(removals["isrc"]),
        frozenset(responsive),
    )
