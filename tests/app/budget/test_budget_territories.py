"""Ranked territories from the scoped model frames (the CLI's and the page's path): the same
answer as scoring the loaded model directly, and only artists the reader may see."""

from __future__ import annotations

from pathlib import Path

from analytics import budget
from app.budget import territories
from data.queries import budget as qb
from data.queries import operator_scope
from data.results import runs as model_runs
from data.results.budget import load_model
from data.scope import Scope
from data.store import open_store


def test_operator_ranking_equals_scoring_the_loaded_model(demo_db: Path) -> None:
    with open_store(demo_db, read_only=True) as store:
        params = model_runs.latest(store, "budget").params
        cur = store.cursor()
        names = dict(cur.execute("SELECT isrc, artist_name FROM catalog").fetchall())
        isrcs = [
            r[0]
            for r in cur.execute("SELECT isrc FROM budget_assets ORDER BY isrc LIMIT 3").fetchall()
        ]
        frames = {i: qb.budget_inputs(store, operator_scope(store), i) for i in isrcs}
        direct = {i: load_model(store, i) for i in isrcs}
    for isrc in isrcs:
        for goal in ("expand", "sustain"):
            got = territories.rank(frames[isrc], goal, params)
            want = budget.score(
                direct[isrc], goal, artist_of=names, own_artist=names[isrc], params=params
            )
            assert [t.as_json() for t in got.territories] == [t.as_json() for t in want.territories]
            assert [t.artists for t in got.territories] == [t.artists for t in want.territories]


def test_interests_name_only_artists_of_the_readers_labels(demo_db: Path) -> None:
    with open_store(demo_db, read_only=True) as store:
        cur = store.cursor()
        label = cur.execute("SELECT min(label) FROM catalog").fetchone()[0]
        mine = {
            r[0]
            for r in cur.execute(
                "SELECT artist_name FROM catalog WHERE label = ?", [label]
            ).fetchall()
        }
        everyone = {r[0] for r in cur.execute("SELECT artist_name FROM catalog").fetchall()}
        params = model_runs.latest(store, "budget").params
        scope = Scope("nora", "manager", frozenset({label}))
        isrcs = [
            r[0]
            for r in cur.execute(
                "SELECT b.isrc FROM budget_assets b JOIN catalog c USING (isrc) "
                "WHERE c.label = ? ORDER BY 1",
                [label],
            ).fetchall()
        ]
        named_all, named_mine = set(), set()
        for isrc in isrcs:
            own = cur.execute("SELECT artist_name FROM catalog WHERE isrc = ?", [isrc]).fetchone()
            ranked = territories.rank(qb.budget_inputs(store, scope, isrc), "expand", params)
            full = territories.rank(
                qb.budget_inputs(store, operator_scope(store), isrc), "expand", params
            )
            for t in ranked.territories:
                named_mine |= set(t.artists)
                assert own[0] not in t.artists
            for t in full.territories:
                named_all |= set(t.artists)
    assert named_mine <= mine
    assert named_all - mine and named_all <= everyone  # other labels' artists do come up


def test_the_table_shows_the_score_the_recommendation_rule_reads(demo_db: Path) -> None:
    """Recommended = the territory's top group scores at least the best audience fit score:
    the table's top group's score makes a recommended territory ranked below unrecommended
    ones readable."""
    from app.budget.view import YES, territory_table

    with open_store(demo_db, read_only=True) as store:
        params = model_runs.latest(store, "budget").params
        isrcs = [
            r[0]
            for r in store.cursor()
            .execute("SELECT isrc FROM budget_assets ORDER BY isrc LIMIT 3")
            .fetchall()
        ]
        frames = {i: qb.budget_inputs(store, operator_scope(store), i) for i in isrcs}
    for isrc in isrcs:
        t = territory_table(territories.rank(frames[isrc], "expand", params))
        best = t.audience_fit_score.max()
        # rounded to 3 places both: a tie within rounding may read either way
        clear = (t.top_group_score - best).abs() > 2e-3
        assert ((t.selected == YES) == (t.top_group_score >= best))[clear].all()
        assert (t.top_group_score >= t.audience_fit_score - 2e-3).all()  # the best of them
