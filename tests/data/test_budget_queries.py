"""Scoped reads of the budget feature: other labels' assets in a category model are
anonymous, and a track of another label gives nothing."""

from __future__ import annotations

from data.queries import budget as qb
from data.scope import Scope
from data.store import open_store


def test_budget_inputs_hide_other_labels(demo_db) -> None:
    with open_store(demo_db, read_only=True) as store:
        cur = store.cursor()
        labels = [
            r[0] for r in cur.execute("SELECT DISTINCT label FROM catalog ORDER BY 1").fetchall()
        ]
        mine, other = labels[0], labels[1]
        scope = Scope("nora", "manager", frozenset({mine}))
        isrc = cur.execute(
            "SELECT b.isrc FROM budget_assets b JOIN catalog c USING (isrc) "
            "WHERE c.label = ? AND b.in_model ORDER BY 1 LIMIT 1",
            [mine],
        ).fetchone()[0]
        foreign = cur.execute(
            "SELECT b.isrc FROM budget_assets b JOIN catalog c USING (isrc) "
            "WHERE c.label = ? ORDER BY 1 LIMIT 1",
            [other],
        ).fetchone()[0]
        got = qb.budget_inputs(store, scope, isrc)
        label_of = dict(cur.execute("SELECT isrc, label FROM catalog").fetchall())
        model_isrcs = [
            r[0]
            for r in cur.execute(
                "SELECT isrc FROM budget_assets WHERE category = ? AND in_model ORDER BY row_idx",
                [int(got["asset"]["category"].iloc[0])],
            ).fetchall()
        ]
        assets = got["assets"]
        assert len(assets) == len(model_isrcs) == len(got["e"])
        rows = zip(model_isrcs, assets["isrc"], assets["artist_name"], strict=True)
        for real, shown, artist in rows:
            if label_of[real] == mine:
                assert shown == real and isinstance(artist, str)
            else:  # an anonymous row: the model needs it, the user may not see whose it is
                assert not isinstance(shown, str) and not isinstance(artist, str)
        assert any(label_of[i] != mine for i in model_isrcs)  # the case is exercised
        assert qb.budget_inputs(store, scope, foreign) == {}


def test_budget_track_says_whether_an_in_scope_track_has_a_model(demo_db) -> None:
    with open_store(demo_db, read_only=True) as store:
        cur = store.cursor()
        mine = cur.execute("SELECT min(label) FROM catalog").fetchone()[0]
        scope = Scope("nora", "manager", frozenset({mine}))
        isrc, title, artist = cur.execute(
            "SELECT isrc, track_title, artist_name FROM catalog WHERE label = ? ORDER BY isrc "
            "LIMIT 1",
            [mine],
        ).fetchone()
        foreign = cur.execute("SELECT min(isrc) FROM catalog WHERE label <> ?", [mine]).fetchone()[
            0
        ]
        in_model = cur.execute(
            "SELECT in_model FROM budget_assets WHERE isrc = ?", [isrc]
        ).fetchone()[0]
        got = qb.budget_track(store, scope, isrc)
        assert got.to_dict("records") == [
            {
                "isrc": isrc,
                "track_title": title,
                "artist_name": artist,
                "label": mine,
                "in_model": in_model,
            }
        ]
        assert qb.budget_track(store, scope, foreign).empty  # another label's track
        assert qb.budget_track(store, scope, "XX0000000000").empty  # not in the catalog
