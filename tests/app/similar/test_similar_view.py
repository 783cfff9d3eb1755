"""View models of the Similar artists page on hand-made frames."""

from __future__ import annotations

import pandas as pd

from app.similar import view

POTENTIAL = pd.DataFrame(
    {
        "rank": [1, 2, 3],
        "country": ["FR", "US", "JP"],
        "actual": [10.4, 90.0, 50.0],
        "expected": [30.6, 95.0, 20.0],
        "low": [20.2, 80.0, 10.0],
        "high": [40.7, 110.0, 30.0],
        "gap": [20.2, 5.0, -30.0],
        "ratio": [0.34, 0.947, 2.5],
    }
)


def test_explain_says_both_shares_and_the_count():
    row = {
        "artist_name": "Glass Club",
        "shared_share_a": 0.1593,
        "shared_share_b": 0.5615,
        "shared_listeners": 1234,
    }
    assert view.explain(row, "Velvet Giants") == (
        "15.9 % of Velvet Giants's listeners also stream Glass Club; 56.1 % of Glass Club's "
        "listeners stream Velvet Giants (1,234 shared listeners)."
    )


def test_artist_choices_keep_order_and_name_the_label():
    options = pd.DataFrame(
        {"artist_id": ["B", "A"], "artist_name": ["Bee", "Ay"], "label": ["L2", "L1"]}
    )
    assert list(view.artist_choices(options).items()) == [("B", "Bee · L2"), ("A", "Ay · L1")]


def test_a_split_artist_is_one_choice_per_label():
    options = pd.DataFrame(
        {
            "artist_id": ["A", "B", "A"],
            "artist_name": ["Ay", "Bee", "Ay"],
            "label": ["L1", "L1", "L2"],
        }
    )
    assert view.artist_choices(options) == {
        "A · L1": "Ay · L1",
        "B": "Bee · L1",
        "A · L2": "Ay · L2",
    }
    assert view.choice_units(options) == {
        "A · L1": ("A", "L1"),
        "B": ("B", "L1"),
        "A · L2": ("A", "L2"),
    }
    assert view.split_artists(options) == {"A"}
    assert view.display_name("Ay", "L2", True) == "Ay · L2"
    assert view.display_name("Bee", "L1", False) == "Bee"


def test_targets_table_and_rounding():
    targets = view.targets_table(POTENTIAL)
    assert list(targets.columns) == [
        "rank",
        "country_name",
        "country",
        "actual",
        "expected",
        "low",
        "high",
        "gap",
        "ratio",
    ]
    assert targets["country_name"].tolist()[0] == "France"
    shown = view.shown_targets(targets)
    assert shown["actual"].tolist() == [10.0, 90.0, 50.0]
    assert shown["ratio"].tolist() == [0.34, 0.947, 2.5]  # ratios keep their decimals
    assert targets["actual"].tolist()[0] == 10.4  # the download keeps raw figures


def test_top_territories_are_positive_gaps_largest_first():
    assert view.top_territories(POTENTIAL) == ["FR", "US"]
    assert view.top_territories(POTENTIAL, n=1) == ["FR"]
    assert view.top_territories(POTENTIAL[POTENTIAL.gap < 0]) == []


def test_the_neighbour_table_shows_shares_in_percent_to_one_decimal():
    rows = pd.DataFrame(
        {c: [1, 2] for c in ["rank", "artist_name", "label", "cluster", "score"]}
        | {"shared_listeners": [714, 13], "shared_share_a": [0.2114, 0.0038]}
        | {"shared_share_b": [0.33, 0.028449]}
    )
    table = view.neighbor_table(rows)
    assert list(table.columns) == view.NEIGHBOR_COLUMNS
    assert table["shared_pct_a"].tolist() == [21.1, 0.4]
    assert table["shared_pct_b"].tolist() == [33.0, 2.8]


def test_column_settings_cover_the_tables():
    assert set(view.neighbor_columns("X")) == set(view.NEIGHBOR_COLUMNS)
    assert set(view.target_columns()) == set(view.targets_table(POTENTIAL).columns)
