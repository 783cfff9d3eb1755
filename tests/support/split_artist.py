"""A SYNTHETIC tiny demo store in which one artist's tracks sit on two labels.

Artists move between labels and features bring two labels together, so artist-level results
(daily series, alerts, fan mix, similar artists, potential streams, budgets) must be computed
per artist and label, never leaking one label's tracks into the other's view.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from app.jobs import run_jobs
from data import rollups
from data.backup import copy_store
from data.store import open_store
from data.synth import build_demo_store
from tests.support.tiny_demo import shared_build


@dataclass(frozen=True)
class SplitStore:
    path: Path
    artist_id: str
    home: str  # the label the artist's other tracks stay on
    away: str  # the label half of its tracks moved to
    home_tracks: tuple[str, ...]
    away_tracks: tuple[str, ...]


def build_split_store(factory: pytest.TempPathFactory, path: Path, seed: int = 0) -> SplitStore:
    """The tiny demo world with the busiest multi-track artist split across the two labels
    (every other track, by ISRC, moved to the other label) before any model is fitted.
    Built once per test session and seed (five test modules use it); each caller gets its
    own copy at `path`, so what one module writes never reaches another."""

    def build(where: Path) -> None:
        split = _build(where, seed)
        facts = {k: v for k, v in dataclasses.asdict(split).items() if k != "path"}
        (where.parent / "split.json").write_text(json.dumps(facts))

    master = shared_build(factory, f"split-artist-seed{seed}", build)
    facts = json.loads((master.parent / "split.json").read_text())
    copy_store(master, path)
    return SplitStore(
        path=path,
        artist_id=facts["artist_id"],
        home=facts["home"],
        away=facts["away"],
        home_tracks=tuple(facts["home_tracks"]),
        away_tracks=tuple(facts["away_tracks"]),
    )


def _build(path: Path, seed: int) -> SplitStore:
    summary = build_demo_store(path, size="tiny", seed=seed, out_dir=path.parent / "files")
    with open_store(path) as store:
        cur = store.cursor()
        artist_id, home = cur.execute(
            "SELECT c.artist_id, any_value(c.label) FROM catalog c "
            "JOIN agg_daily a USING (isrc) GROUP BY c.artist_id "
            "HAVING count(DISTINCT c.isrc) >= 2 ORDER BY sum(a.streams) DESC LIMIT 1"
        ).fetchone()
        tracks = [
            r[0]
            for r in cur.execute(
                "SELECT isrc FROM catalog WHERE artist_id = ? ORDER BY isrc", [artist_id]
            ).fetchall()
        ]
        away = next(label for label in summary.labels if label != home)
        moved = tracks[1::2]
        cur.execute(
            f"UPDATE catalog SET label = ? WHERE isrc IN ({', '.join('?' * len(moved))})",
            [away, *moved],
        )
        # What a catalog load does after its upsert: the rollups carry each track's label.
        rollups.sync_catalog(cur)
        run_jobs(store)
    return SplitStore(path, artist_id, home, away, tuple(tracks[0::2]), tuple(moved))
