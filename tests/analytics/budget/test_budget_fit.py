"""The batch fit as the job calls it: every frame it persists, checked against the inputs by
hand (engagement, weights, territory figures, the summary)."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from analytics import budget
from analytics.budget import fitting

GROUPS = list(itertools.product(["BR", "US"], ["18-24", "25-34"], ["female", "male"], ["free"]))
ISRCS = [f"QZ{i:03d}" for i in range(12)]


def consumption(seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = [
        (isrc, *g, float(rng.integers(1, 500)), float(rng.integers(0, 500)))
        for isrc in ISRCS
        for g in GROUPS
    ]
    return pd.DataFrame(rows, columns=["isrc", *budget.GROUP_COLS, "a", "p"])


def lifts() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "campaign_id": [1, 2, 3, 4, 5],
            "isrc": ISRCS[:5],
            "country": ["BR", "BR", "BR", "DE", "US"],
            "spend": [500.0, 1000.0, 2000.0, 800.0, 300.0],
            "reach": [50_000.0, 80_000.0, 250_000.0, 40_000.0, 0.0],  # the last one: no reach
            "days": [28, 28, 28, 28, 28],
            "during": [1200.0, 1500.0, 2600.0, 900.0, 100.0],
            "baseline": [1000.0, 1100.0, 1800.0, 800.0, 90.0],
        }
    )


GENRES = pd.Series(["pop", "rock"] * 6, index=ISRCS)
POPULATIONS = {"BR": 2.0e8, "US": None, "DE": 8.0e7}


@pytest.fixture(scope="module")
def model() -> budget.BudgetModel:
    return budget.fit(consumption(), GENRES, lifts(), POPULATIONS)


def test_one_category_with_every_asset_and_its_engagement(model) -> None:
    cons = consumption()
    assert len(model.models) == 1  # 12 tracks: far fewer than one category's worth
    row = model.models.iloc[0]
    assert (row["category"], row["assets"], row["groups"]) == (0, 12, 8)
    assert set(model.models.columns).isdisjoint({"grid_seconds", "grid_fits"})
    assets = model.assets.set_index("isrc")
    assert list(assets.index) == ISRCS
    kept = assets[assets["in_model"]]
    assert len(kept) == row["m"] and sorted(kept["row_idx"]) == list(range(row["m"]))
    assert assets.loc[~assets["in_model"], "row_idx"].isna().all()
    assert list(assets["genre"]) == list(GENRES)
    groups = model.groups.sort_values("col_idx")
    assert list(groups["col_idx"]) == list(range(row["n"]))
    # E = log1p(A^2 / (A + P)) over the kept groups, in the groups' column order
    isrc = ISRCS[3]
    by_group = cons[cons["isrc"] == isrc].set_index(budget.GROUP_COLS)
    keys = list(groups[budget.GROUP_COLS].itertuples(index=False, name=None))
    a, p = by_group.loc[keys, "a"].to_numpy(), by_group.loc[keys, "p"].to_numpy()
    assert assets.loc[isrc, "e"] == pytest.approx(list(np.log1p(a * a / (a + p))))
    # a group's weight is what the kept tracks streamed in it
    mine = cons[cons["isrc"].isin(kept.index)].set_index(budget.GROUP_COLS)
    streams = (mine["a"] + mine["p"]).groupby(level=list(range(4))).sum()
    assert list(groups["weight"]) == pytest.approx([streams.loc[k] for k in keys])
    # the factors reproduce the kept tracks' engagement better than its mean does
    x = np.array(kept.sort_values("row_idx")["x"].tolist())
    y = np.array(groups["y"].tolist())
    e = np.array(kept.sort_values("row_idx")["e"].tolist())
    assert ((x @ y.T - e) ** 2).sum() < ((e - e.mean()) ** 2).sum()


def test_territories_from_campaigns_and_all_territory_figures(model) -> None:
    terr = model.territories.set_index("country")
    assert list(terr.index) == ["BR", "DE", "US"]  # campaign territories, then the rest
    assert list(terr["campaigns"]) == [3, 1, 0]  # the campaign without reach is left out
    cpr = np.array([500 / 50_000, 1000 / 80_000, 2000 / 250_000, 800 / 40_000])
    overall = float(np.median(cpr))
    # BR's median cost per person reached, shrunk towards all campaigns' by 10 campaigns
    assert terr.loc["BR", "cost_per_result"] == pytest.approx(
        (3 * np.median(cpr[:3]) + 10 * overall) / 13
    )
    r = model.response
    assert r["campaigns_used"] == 4 and r["cost_per_result_all"] == pytest.approx(overall)
    # US has no usable campaign: the all-territory cost and response
    assert terr.loc["US", "cost_per_result"] == pytest.approx(overall)
    assert terr.loc["US", "uplift"] == pytest.approx(r["uplift_all"])
    assert terr.loc["US", "spend_scale"] == pytest.approx(r["scale_a"] * overall + r["scale_b"])
    assert terr.loc["BR", "population"] == 2.0e8 and pd.isna(terr.loc["US", "population"])


def test_summary_and_settings(model) -> None:
    s = model.summary()
    assert list(s) == [
        "categories",
        "assets",
        "in_model",
        "territories",
        "largest_category_seconds",
        "grid_seconds_total",
    ]
    assert (s["categories"], s["assets"], s["territories"]) == (1, 12, 3)
    assert s["in_model"] == int(model.models.iloc[0]["m"])
    assert model.settings["update"] == "exact"
    assert model.settings["ks"] == fitting.KS and model.settings["lams"] == fitting.LAMS


def test_no_campaigns_and_no_consumption() -> None:
    model = budget.fit(consumption(), GENRES, lifts().iloc[0:0], POPULATIONS)
    assert model.territories.empty and model.response == {"campaigns_used": 0}
    empty = consumption().iloc[0:0]
    model = budget.fit(empty, GENRES, lifts(), POPULATIONS)
    assert model.models.empty and model.assets.empty and model.groups.empty
    assert list(model.territories["country"]) == ["BR", "DE"]  # campaigns only
    assert model.summary()["categories"] == 0 and model.summary()["in_model"] == 0


def test_progress_reports_each_category() -> None:
    seen: list[tuple[str, float]] = []
    budget.fit(
        consumption(), GENRES, lifts(), POPULATIONS, progress=lambda s, f: seen.append((s, f))
    )
    assert [s for s, _ in seen] == ["clustering assets into categories", "fitting category 1 of 1"]
    assert [f for _, f in seen] == sorted(f for _, f in seen)


def test_a_group_mapper_gives_the_same_fit(model) -> None:
    """The per-category fits through a group mapper (how the Spark engine spreads them) give
    the frames of the in-process loop; the mapper sees one frame per category."""
    seen: list[int] = []

    def mapper(frame, keys, fn):
        out = []
        for key, part in frame.groupby(keys, sort=True):
            seen.append(len(part))
            out.append((key, fn(part)))
        return out

    mapped = budget.fit(consumption(), GENRES, lifts(), POPULATIONS, map_groups=mapper)
    assert seen == [len(consumption())]  # one category holding every row
    drop = ["seconds"]
    pd.testing.assert_frame_equal(mapped.models.drop(columns=drop), model.models.drop(columns=drop))
    pd.testing.assert_frame_equal(mapped.assets, model.assets)
    pd.testing.assert_frame_equal(mapped.groups, model.groups)
