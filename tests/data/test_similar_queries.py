"""Scoped reads of the similar-artists results on the generated tiny demo store."""

from __future__ import annotations

import pytest

from data.queries.similar import similar_neighbors, similar_potential, similar_top_track
from data.scope import Scope
from data.store import open_store


@pytest.fixture(scope="module")
def store(demo_db):
    s = open_store(demo_db, read_only=True)  # the app may hold it open in this process
    yield s
    s.close()


def test_scoped_reads_filter_neighbours_to_scope(store):
    cur = store.cursor()
    labels = [r[0] for r in cur.execute("SELECT DISTINCT label FROM catalog ORDER BY 1").fetchall()]
    mine = labels[0]
    artist = cur.execute("SELECT min(artist_id) FROM catalog WHERE label = ?", [mine]).fetchone()[0]
    scope = Scope(username="nora", role="manager", labels=frozenset({mine}))
    nb = similar_neighbors(store, scope, artist, limit=50)
    theirs = set(
        r[0]
        for r in cur.execute("SELECT artist_id FROM catalog WHERE label <> ?", [mine]).fetchall()
    )
    assert len(nb) > 0 and not set(nb.neighbor_id) & theirs
    everyone = Scope(username="a", role="admin", labels=frozenset(labels))
    assert len(similar_neighbors(store, everyone, artist, limit=50)) > len(nb)
    pot = similar_potential(store, scope, artist)
    assert pot.gap.is_monotonic_decreasing and pot["rank"].tolist() == list(range(1, len(pot) + 1))
    top = similar_top_track(store, scope, artist)
    best = cur.execute(
        "SELECT c.isrc FROM catalog c JOIN agg_daily a USING (isrc) WHERE c.artist_id = ? "
        "GROUP BY 1 ORDER BY sum(a.streams) DESC LIMIT 1",
        [artist],
    ).fetchone()[0]
    assert top.isrc.tolist() == [best]
