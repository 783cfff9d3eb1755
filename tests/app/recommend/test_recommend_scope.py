"""Scope: the recommend reads never show or export another label's track."""

from __future__ import annotations

import pytest

from data.queries import recommend as rq
from data.scope import Scope
from data.store import open_store


@pytest.fixture(scope="module")
def setting(demo_db):
    store = open_store(demo_db, read_only=True)
    cur = store.cursor()
    own = cur.execute("SELECT min(label) FROM catalog").fetchone()[0]
    mine = {r[0] for r in cur.execute("SELECT isrc FROM catalog WHERE label = ?", [own]).fetchall()}
    theirs = {
        r[0] for r in cur.execute("SELECT isrc FROM catalog WHERE label <> ?", [own]).fetchall()
    }
    yield store, Scope(username="nora", role="manager", labels=frozenset({own})), mine, theirs
    store.close()


def test_every_output_holds_only_own_tracks(setting) -> None:
    store, scope, mine, theirs = setting
    # the persisted model does rank other labels' tracks (they inform it) ...
    persisted = {
        r[0]
        for r in store.cursor().execute("SELECT DISTINCT isrc FROM recommend_promote").fetchall()
    }
    assert persisted & theirs
    # ... but no read returns one
    options = rq.recommend_track_options(store, scope)
    assert set(options.isrc) and set(options.isrc) <= mine
    for isrc in list(options.isrc)[:10]:
        assert not rq.recommend_adopters(store, scope, isrc).empty
        assert set(rq.recommend_promote_to_fans(store, scope, isrc, limit=50).isrc) <= mine
    for key in rq.recommend_segment_options(store, scope)["key"]:
        country, age = key.split("|")
        got = rq.recommend_promote_to_segment(store, scope, country, age, limit=50)
        assert len(got) and set(got.isrc) <= mine
    listeners = (
        store.cursor()
        .execute("SELECT DISTINCT listener_id FROM recommend_listener_tracks ORDER BY 1 LIMIT 50")
        .fetchall()
    )
    for (lid,) in listeners:
        assert set(rq.recommend_listener_tracks(store, scope, lid, limit=20).isrc) <= mine


def test_another_labels_track_reads_as_nothing(setting) -> None:
    store, scope, _, theirs = setting
    isrc = min(theirs)
    assert rq.recommend_adopters(store, scope, isrc).empty
    assert rq.recommend_segments(store, scope, isrc).empty
    assert rq.recommend_promote_to_fans(store, scope, isrc).empty
    nobody = Scope(username="x", role="viewer", labels=frozenset())
    assert rq.recommend_metrics(store, nobody).empty
    assert rq.recommend_track_options(store, nobody).empty
