"""Scoping by track label: an artist whose tracks sit on two labels shows each label only
its own tracks' data, in every scoped query (extends tests/data/test_scoping.py)."""

from __future__ import annotations

import inspect

import pandas as pd
import pytest

from data.queries import Filters, all_queries
from data.scope import Scope
from data.store import open_store
from tests.support.split_artist import SplitStore, build_split_store


@pytest.fixture(scope="module")
def split(tmp_path_factory: pytest.TempPathFactory) -> SplitStore:
    return build_split_store(tmp_path_factory, tmp_path_factory.mktemp("split") / "split.duckdb")


def _frames(result: object) -> list[pd.DataFrame]:
    if isinstance(result, pd.DataFrame):
        return [result]
    if isinstance(result, dict):
        return [f for v in result.values() for f in _frames(v)]
    if isinstance(result, tuple | list):
        return [f for v in result for f in _frames(v)]
    return []


def _calls(fn, split: SplitStore):
    """Keyword sets naming the split artist (and each of its tracks) for a query."""
    params = list(inspect.signature(fn).parameters.values())[2:]
    needs = {p.name for p in params if p.default is inspect.Parameter.empty} - {"filters"}
    takes_filters = any(p.name == "filters" for p in params)
    base = {"filters": Filters(artist_ids=(split.artist_id,))} if takes_filters else {}
    if not needs:
        yield base
        return
    for isrc in split.home_tracks + split.away_tracks:
        values = {"artist_id": split.artist_id, "isrc": isrc}
        if needs <= set(values):
            yield {**base, **{n: values[n] for n in needs}}


def test_no_query_shows_the_other_labels_tracks_of_a_split_artist(split: SplitStore) -> None:
    queries = all_queries()
    home = Scope("home_manager", "manager", frozenset({split.home}))
    checked = 0
    with open_store(split.path, read_only=True) as store:
        for name, fn in sorted(queries.items()):
            for kwargs in _calls(fn, split):
                for frame in _frames(fn(store, home, **kwargs)):
                    if "isrc" in frame.columns:
                        leaked = set(frame["isrc"].dropna()) & set(split.away_tracks)
                        assert not leaked, f"{name}({kwargs}) shows {sorted(leaked)}"
                    if "label" in frame.columns:
                        assert set(frame["label"].dropna()) <= {split.home}, name
                    checked += 1
    assert checked >= 20
