"""The campaigns job's uplift step on the generated tiny store (SYNTHETIC): it persists
campaign_uplift, the scoped reads keep each user to their labels, and a store without
campaigns says what is missing."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from app.campaigns import uplift_step
from data.backup import copy_store
from data.queries import Filters
from data.queries import campaign_uplift as q
from data.scope import Scope
from data.store import open_store


def _noop(*_: object) -> None:
    return None


@pytest.fixture(scope="module")
def db(demo_db: Path, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("uplift-step") / "store.duckdb"
    copy_store(demo_db, path)
    return path


@pytest.fixture(scope="module")
def summary(db: Path) -> dict:
    with open_store(db) as store:
        return uplift_step.run(store, _noop, n_boot=100)


def _table(db: Path) -> pd.DataFrame:
    with open_store(db, read_only=True) as store:
        return store.cursor().execute("SELECT * FROM campaign_uplift").df()


def test_step_persists_one_row_per_label_segment(db, summary):
    table = _table(db)
    assert summary["campaigns"] == 24  # the tiny preset plants 24 campaigns
    assert 0 < summary["campaigns_modelled"] <= 24
    assert summary["segments"] == len(table) > 0
    key = ["label", "country", "age_band", "gender", "subscription", "fan_type"]
    assert not table.duplicated(key).any()
    with open_store(db, read_only=True) as store:
        camp = (
            store.cursor()
            .execute(
                "SELECT DISTINCT c.label, m.country FROM campaigns m JOIN catalog c USING (isrc)"
            )
            .df()
        )
    # a segment exists only where its label ran a campaign
    pairs = set(zip(camp["label"], camp["country"], strict=True))
    assert set(zip(table["label"], table["country"], strict=True)) <= pairs
    # uplift is incremental over expected streams; intervals only with >= 3 campaigns
    ratio = table["incremental_streams"] / table["baseline_streams"]
    assert (ratio - table["uplift"]).abs().max() < 1e-9
    assert (table["baseline_streams"] >= 10).all()
    assert table.loc[table["n_campaigns"] < 3, "low"].isna().all()
    assert summary["significant"] == int((table["low"] > 0).sum())


def test_step_replaces_its_rows_on_a_rerun(db, summary):
    with open_store(db) as store:
        again = uplift_step.run(store, _noop, n_boot=100)
    assert again["segments"] == summary["segments"] == len(_table(db))


def test_scoped_reads_keep_users_to_their_labels(db, summary):
    table = _table(db)
    labels = sorted(table["label"].unique())
    mine = labels[0]
    scope = Scope(username="nora", role="manager", labels=frozenset({mine}))
    with open_store(db, read_only=True) as store:
        got = q.uplift_segments(store, scope)
        assert set(got["label"]) == {mine}
        assert len(got) == int((table["label"] == mine).sum())
        other = Filters(labels=tuple(sorted(set(table["label"]) - {mine})) or ("nobody",))
        assert q.uplift_segments(store, scope, other).empty
        country = got["country"].iloc[0]
        only = q.uplift_segments(store, scope, Filters(countries=(country,)))
        assert set(only["country"]) == {country}
        isrc_mine, isrc_theirs = (
            store.cursor()
            .execute(
                "SELECT max(isrc) FILTER (WHERE label = ?), max(isrc) FILTER (WHERE label <> ?) "
                "FROM catalog",
                [mine, mine],
            )
            .fetchone()
        )
        assert q.responsive_segments(store, scope, isrc_theirs).empty
        resp = q.responsive_segments(store, scope, isrc_mine)
        assert (resp["low"] > 0).all() and set(resp["label"]) <= {mine}
        nobody = Scope(username="x", role="viewer", labels=frozenset())
        assert q.uplift_segments(store, nobody).empty


def test_store_without_campaigns_says_what_is_missing(db, tmp_path):
    path = tmp_path / "none.duckdb"
    copy_store(db, path)
    with open_store(path) as store:
        store.cursor().execute("DELETE FROM campaigns")
        got = uplift_step.run(store, _noop)
    assert got["segments"] == 0 and got["missing"] == "no campaigns"
    assert _table(path).empty
