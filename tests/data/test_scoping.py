"""No query function returns anything of a label outside the user's scope.

Method: on the tiny demo store, every registered `@scoped` query is run for a manager of one
label; then all data of the other labels is deleted from a copy of the store and the same
calls are repeated. The answers must be identical: nothing of the other labels can have
contributed. Calls that name another label, artist or track must come back empty.
"""

from __future__ import annotations

import inspect
import sys
from typing import Any

import pandas as pd
import pytest

from data.backup import copy_store
from data.queries import Filters, all_queries
from data.queries import catalog as catalog_queries
from data.scope import Scope
from data.store import open_store
from tests.support.tiny_demo import tiny_demo_copy

SCOPED_QUERIES = all_queries()
QUERY_MODULES = tuple({sys.modules[f.__module__] for f in SCOPED_QUERIES.values()})


@pytest.fixture(scope="module")
def stores(tmp_path_factory):
    # The session's shared tiny demo (seed 0, every batch job run): persisted model results
    # are read through scoped queries too.
    root = tmp_path_factory.mktemp("scoping")
    full = tiny_demo_copy(tmp_path_factory, root / "full.duckdb")
    with open_store(full) as s:
        labels = [
            r[0]
            for r in s.cursor().execute("SELECT DISTINCT label FROM catalog ORDER BY 1").fetchall()
        ]
    mine, other = labels[0], labels[1]
    stripped = root / "stripped.duckdb"
    copy_store(full, stripped)
    with open_store(stripped) as s:
        cur = s.cursor()
        theirs = "SELECT isrc FROM catalog WHERE label <> ?"
        for table in (
            "trend_facts",
            "agg_daily",
            "campaigns",
        ):
            cur.execute(f"DELETE FROM {table} WHERE isrc IN ({theirs})", [mine])
        cur.execute("DELETE FROM catalog WHERE label <> ?", [mine])
    a, b = open_store(full), open_store(stripped)
    yield a, b, mine, other
    a.close()
    b.close()


def _samples(store, label: str) -> dict[str, Any]:
    cur = store.cursor()
    isrc, artist = cur.execute(
        "SELECT isrc, artist_id FROM catalog WHERE label = ? ORDER BY isrc LIMIT 1", [label]
    ).fetchone()
    campaign = cur.execute(
        "SELECT min(m.campaign_id) FROM campaigns m JOIN catalog c USING (isrc) WHERE c.label = ?",
        [label],
    ).fetchone()[0]
    return {"isrc": isrc, "artist_id": artist, "campaign_id": campaign}


def _calls(fn, own: dict[str, Any], foreign: dict[str, Any], mine: str, other: str):
    """(description, kwargs, must_be_empty) for a query function."""
    params = list(inspect.signature(fn).parameters.values())[2:]
    filter_sets = [
        ("no filter", None, False),
        ("own label", Filters(labels=(mine,)), False),
        ("foreign label", Filters(labels=(other,)), True),
        ("foreign artist", Filters(artist_ids=(foreign["artist_id"],)), True),
    ]
    needs = {p.name for p in params if p.default is inspect.Parameter.empty}
    takes_filters = any(p.name == "filters" for p in params)
    for desc, filters, empty in filter_sets if takes_filters else [("-", None, False)]:
        kwargs = {"filters": filters} if takes_filters else {}
        extra_sets = [({}, empty)]
        if needs - {"filters"}:
            extra_sets = [
                ({n: own[n] for n in needs - {"filters"}}, empty),
                ({n: foreign[n] for n in needs - {"filters"}}, True),
            ]
        for extra, must_empty in extra_sets:
            yield f"{desc} {extra}", {**kwargs, **extra}, must_empty


def _is_empty(result: Any) -> bool:
    if isinstance(result, pd.DataFrame):
        return result.empty or bool(
            result.select_dtypes("number").fillna(0).eq(0).all().all()
            and not result.select_dtypes(exclude="number").notna().any().any()
        )
    if isinstance(result, tuple | list):
        return all(_is_empty(r) for r in result)
    if isinstance(result, dict):
        return all(_is_empty(v) for v in result.values())
    return result is None or result == 0


def _same(a: Any, b: Any) -> None:
    if isinstance(a, pd.DataFrame):
        pd.testing.assert_frame_equal(
            a.reset_index(drop=True),
            b.reset_index(drop=True),
            check_exact=False,
            rtol=1e-9,
            check_dtype=False,
        )
    elif isinstance(a, tuple | list):
        assert len(a) == len(b)
        for x, y in zip(a, b, strict=True):
            _same(x, y)
    elif isinstance(a, dict):
        assert a.keys() == b.keys()
        for k in a:
            _same(a[k], b[k])
    else:
        assert a == b


def test_every_query_function_is_scoped(stores):
    full, stripped, mine, other = stores
    scope = Scope(username="nora", role="manager", labels=frozenset({mine}))
    own, foreign = _samples(full, mine), _samples(full, other)
    assert len(SCOPED_QUERIES) >= 4
    checked = 0
    for name, fn in sorted(SCOPED_QUERIES.items()):
        for desc, kwargs, must_be_empty in _calls(fn, own, foreign, mine, other):
            got = fn(full, scope, **kwargs)
            _same(got, fn(stripped, scope, **kwargs))
            if must_be_empty:
                assert _is_empty(got), f"{name} with {desc} leaked data"
            checked += 1
    assert checked >= 10


def test_no_public_unscoped_reader():
    """Every public function in the query modules is registered."""
    public = {
        n
        for module in QUERY_MODULES
        for n, f in vars(module).items()
        if inspect.isfunction(f)
        and f.__module__ == module.__name__
        and not n.startswith("_")
        and n != "scoped"
    }
    assert public <= set(SCOPED_QUERIES), public - set(SCOPED_QUERIES)


def test_empty_scope_sees_nothing(stores):
    full, _, mine, _ = stores
    nobody = Scope(username="x", role="viewer", labels=frozenset())
    assert catalog_queries.labels(full, nobody).empty
    assert catalog_queries.tracks(full, nobody).empty
