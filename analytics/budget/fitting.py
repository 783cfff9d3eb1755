"""The budget feature's batch fit: an audience model per category of tracks and the campaign
response per territory, assembled into the frames the job persists.

Per category: the consumption matrix C, its truncation, group weights, the engagement matrix
E and a cross-validated ALS factorisation. Per territory: cost per result and the response
curve from past campaigns. Pure numpy / pandas; the caller reads and writes.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from analytics.budget import caps as bc
from analytics.budget import model as bm
from analytics.budget.inputs import GROUP_COLS

TAUS = bm.Taus()
KS = (2, 4, 8, 16)
LAMS = (0.1, 1.0, 10.0)
TERRITORY_COLS = ["country", "campaigns", "cost_per_result", "uplift", "spend_scale", "population"]

Progress = Callable[[str, float], None]
# (frame, key columns, fn(group) -> result) -> [(key, result)] in key order: how the
# per-category fits are spread (in this process, or over an engine's workers)
GroupMapper = Callable[
    [pd.DataFrame, list[str], Callable[[pd.DataFrame], Any]], list[tuple[Hashable, Any]]
]


@dataclass(frozen=True)
class BudgetModel:
    """Everything the batch fit produces (the frames are the persisted result tables)."""

    models: pd.DataFrame  # one row per category: sizes, truncation rule, k, lambda, SSEs
    assets: pd.DataFrame  # isrc, category, in_model, row_idx, genre, x, e
    groups: pd.DataFrame  # category, col_idx, group columns, weight, y
    territories: pd.DataFrame  # TERRITORY_COLS
    settings: dict[str, Any]  # the fit's settings (truncation, grid, update rule)
    response: dict[str, Any]  # all-territory response figures, used where a territory has none
    grid_seconds: float  # time spent in the cross-validation grids, all categories

    def summary(self) -> dict[str, Any]:
        """The job's small summary of what was fitted."""
        seconds = self.models["seconds"] if len(self.models) else pd.Series(dtype=float)
        return {
            "categories": len(self.models),
            "assets": int(len(self.assets)),
            "in_model": int(self.assets["in_model"].sum()) if len(self.assets) else 0,
            "territories": int(len(self.territories)),
            "largest_category_seconds": round(max(seconds, default=0), 2),
            "grid_seconds_total": round(self.grid_seconds, 2),
        }


def _quiet(stage: str, fraction: float) -> None:
    return None


def fit(
    consumption: pd.DataFrame,
    genres: pd.Series,
    lifts: pd.DataFrame,
    populations: Mapping[str, float | None],
    *,
    update: bm.Update = bm.DEFAULT_UPDATE,
    progress: Progress = _quiet,
    map_groups: GroupMapper | None = None,
) -> BudgetModel:
    """Fit every category's audience model and every territory's response.

    `consumption`: isrc, the GROUP_COLS, a (active) and p (passive) streams per track and
    group; `genres`: genre by isrc; `lifts`: past campaigns with spend, reach, streams
    `during` and the `baseline` without them; `populations`: people per country (None where
    unknown). `map_groups`, when given, runs the per-category fits (a Spark engine's
    workers); otherwise they run here, one after the other.
    """
    summaries, assets, groups = [], [], []
    if len(consumption):
        progress("clustering assets into categories", 0.1)
        cats = bm.asset_categories(_features(consumption), genres)
        cons = consumption.assign(category=consumption["isrc"].map(cats))
        n_cat = int(cats.max()) + 1
        # One BLAS thread: the matrices are small and threaded BLAS spins on a shared
        # machine (bench/budget_als.py measured 2-30x slower fits with the default).
        if map_groups is not None:
            progress(f"fitting {n_cat} categories", 0.15)
            fit_one = partial(_category_group, genre=genres, update=update)
            for _, (summary, arows, grows) in map_groups(cons, ["category"], fit_one):
                summaries.append(summary)
                assets.append(arows)
                groups.append(grows)
        else:
            with threadpool_limits(1):
                for cat in range(n_cat):
                    progress(f"fitting category {cat + 1} of {n_cat}", 0.15 + 0.8 * cat / n_cat)
                    part = cons[cons["category"] == cat]
                    if part.empty:
                        continue
                    summary, arows, grows = _category(cat, part, genres, update)
                    summaries.append(summary)
                    assets.append(arows)
                    groups.append(grows)
    countries = sorted(consumption["country"].unique()) if len(consumption) else []
    territories, response = fit_territories(lifts, countries, populations)
    models = pd.DataFrame(summaries)
    return BudgetModel(
        models=models.drop(columns=["grid_seconds", "grid_fits"], errors="ignore"),
        assets=pd.concat(assets) if assets else pd.DataFrame(),
        groups=pd.concat(groups) if groups else pd.DataFrame(),
        territories=territories,
        settings={"taus": TAUS.__dict__, "ks": KS, "lams": LAMS, "update": update},
        response=response,
        grid_seconds=float(sum(s["grid_seconds"] for s in summaries)),
    )


# -- categories ------------------------------------------------------------------------------
def _features(cons: pd.DataFrame) -> pd.DataFrame:
    """Per asset: shares of its streams by country, age band, gender and subscription."""
    cons = cons.assign(streams=cons["a"] + cons["p"])
    parts = []
    for col in GROUP_COLS:
        t = cons.pivot_table(index="isrc", columns=col, values="streams", aggfunc="sum")
        t = t.fillna(0.0)
        parts.append(t.div(t.sum(axis=1).replace(0, 1), axis=0).add_prefix(f"{col}="))
    return pd.concat(parts, axis=1)


def _matrices(cons: pd.DataFrame) -> tuple[np.ndarray, list[tuple], np.ndarray, np.ndarray]:
    """(assets, groups, A, P): active and passive streams as assets x groups matrices."""
    a_idx, assets = pd.factorize(cons["isrc"], sort=True)
    g_idx, gframe = pd.factorize(pd.MultiIndex.from_frame(cons[GROUP_COLS]))
    shape = (len(assets), len(gframe))
    a = np.zeros(shape)
    p = np.zeros(shape)
    np.add.at(a, (a_idx, g_idx), cons["a"].to_numpy())
    np.add.at(p, (a_idx, g_idx), cons["p"].to_numpy())
    return np.asarray(assets), list(gframe), a, p


def _factorise(e: np.ndarray, update: bm.Update) -> bm.CategoryModel:
    """The cross-validated factorisation of E, or one factor when E is too small to hold
    out a test set."""
    if min(e.shape) >= 3:
        grid_ks = tuple(k for k in KS if k < min(e.shape)) or (1,)
        return bm.fit_category(e, update=update, ks=grid_ks, lams=LAMS)
    x, y = bm.als(e, np.ones_like(e, bool), 1, 1.0, update=update)
    return bm.CategoryModel(e, x, y, 1, 1.0, float("nan"), float("nan"))


def _category_group(
    part: pd.DataFrame, genre: pd.Series, update: bm.Update
) -> tuple[dict[str, Any], pd.DataFrame, pd.DataFrame]:
    """`_category` of one category's rows (as a group mapper calls it)."""
    with threadpool_limits(1):
        return _category(int(part["category"].iloc[0]), part, genre, update)


def _category(
    cat: int, cons: pd.DataFrame, genre: pd.Series, update: bm.Update
) -> tuple[dict[str, Any], pd.DataFrame, pd.DataFrame]:
    """One category: C, truncation, weights, E, factorisation; (summary, asset rows,
    group rows) to persist."""
    started = time.perf_counter()
    assets, gcodes, a, p = _matrices(cons)
    c = a + p
    tr = bm.truncate(c, TAUS)
    rows, cols = np.sort(tr.rows), tr.cols
    weights = bm.group_weights(c[np.ix_(rows, cols)])
    e_all = bm.model_scale(bm.engagement(a[:, cols], p[:, cols]))  # every asset over J
    model = _factorise(e_all[rows], update)
    pos = {int(r): i for i, r in enumerate(rows)}
    asset_rows = pd.DataFrame(
        {
            "isrc": assets,
            "category": cat,
            "in_model": [i in pos for i in range(len(assets))],
            "row_idx": [pos.get(i) for i in range(len(assets))],
            "genre": genre.reindex(assets).to_numpy(),
            "x": [model.x[pos[i]].tolist() if i in pos else None for i in range(len(assets))],
            "e": [r.tolist() for r in e_all],
        }
    )
    asset_rows["row_idx"] = asset_rows["row_idx"].astype("Int64")
    group_rows = pd.DataFrame(
        [
            (cat, j, *gcodes[col], float(weights[j]), model.y[j].tolist())
            for j, col in enumerate(cols)
        ],
        columns=["category", "col_idx", *GROUP_COLS, "weight", "y"],
    )
    summary = {
        "category": cat,
        "assets": len(assets),
        "groups": len(gcodes),
        "m": len(rows),
        "n": len(cols),
        "rule": tr.rule,
        "k": model.k,
        "lam": model.lam,
        "test_sse": model.test_sse,
        "baseline_sse": model.baseline_sse,
        "update_rule": update,
        "seconds": time.perf_counter() - started,
        "grid_seconds": model.grid_seconds,
        "grid_fits": model.tried,
    }
    return summary, asset_rows, group_rows


# -- territories -----------------------------------------------------------------------------
def fit_territories(
    lifts: pd.DataFrame, countries: list[str], populations: Mapping[str, float | None]
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Cost per result and the response curve per territory from past campaigns; territories
    without campaigns get the all-territory figures."""
    lifts = lifts[(lifts["reach"] > 0) & (lifts["baseline"] > 0)].copy()
    if lifts.empty:
        return pd.DataFrame(columns=TERRITORY_COLS), {"campaigns_used": 0}
    lifts["cpr"] = lifts["spend"] / lifts["reach"]
    lifts["lift"] = lifts["during"] / lifts["baseline"] - 1.0
    cpr = bc.shrunk_median(lifts["cpr"], lifts["country"])
    fit = bc.fit_response(
        lifts["spend"], lifts["country"].map(cpr), lifts["lift"], lifts["baseline"]
    )
    rows = []
    for country, g in lifts.groupby("country"):
        scale = fit.a * cpr[country] + fit.b
        u = bc.territory_uplift(
            fit, g["spend"].to_numpy(), np.full(len(g), scale), g["lift"].to_numpy(),
            g["baseline"].to_numpy(),
        )  # fmt: skip
        rows.append((country, len(g), float(cpr[country]), float(u), float(scale)))
    cpr_all = float(lifts["cpr"].median())
    seen = {r[0] for r in rows}
    for country in sorted(set(countries) - seen):
        rows.append((country, 0, cpr_all, fit.uplift, fit.a * cpr_all + fit.b))
    rows = [(*r, populations.get(r[0])) for r in rows]
    response = {
        "campaigns_used": int(len(lifts)),
        "uplift_all": fit.uplift,
        "scale_a": fit.a,
        "scale_b": fit.b,
        "cost_per_result_all": cpr_all,
    }
    return pd.DataFrame(rows, columns=TERRITORY_COLS), response
