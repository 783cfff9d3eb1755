"""The "budget" batch job: offline audience models per category of assets, and the
campaign response model per territory (patent seed 003, 1820 and 1855's benchmarks).

Reads group consumption, fits every category (truncation, engagement, CV-grid ALS, refit),
fits the response curve on past campaigns, and writes all results plus the model_runs row
in one transaction.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from analytics.budget import caps as bc
from analytics.budget import model as bm
from data.progress import ProgressFn
from data.results import budget as bdata
from data.results import runs as model_runs
from data.store import Store

TAUS = bm.Taus()
KS = (2, 4, 8, 16)
LAMS = (0.1, 1.0, 10.0)


def _features(cons: pd.DataFrame) -> pd.DataFrame:
    """Per asset: shares of its streams by country, age band, gender and subscription."""
    cons = cons.assign(streams=cons["a"] + cons["p"])
    parts = []
    for col in bdata.GROUP_COLS:
        t = cons.pivot_table(index="isrc", columns=col, values="streams", aggfunc="sum")
        t = t.fillna(0.0)
        parts.append(t.div(t.sum(axis=1).replace(0, 1), axis=0).add_prefix(f"{col}="))
    return pd.concat(parts, axis=1)


def _fit_category(cat: int, cons: pd.DataFrame, genre: pd.Series, update: str):
    """One category: C, truncation, weights, E, CV-grid ALS; returns the rows to persist."""
    started = time.perf_counter()
    a_idx, assets = pd.factorize(cons["isrc"], sort=True)
    g_idx, gframe = pd.factorize(pd.MultiIndex.from_frame(cons[bdata.GROUP_COLS]))
    assets = np.asarray(assets)
    gcodes = list(gframe)
    shape = (len(assets), len(gcodes))
    a = np.zeros(shape)
    p = np.zeros(shape)
    np.add.at(a, (a_idx, g_idx), cons["a"].to_numpy())
    np.add.at(p, (a_idx, g_idx), cons["p"].to_numpy())
    c = a + p
    tr = bm.truncate(c, TAUS)
    rows, cols = np.sort(tr.rows), tr.cols
    weights = bm.group_weights(c[np.ix_(rows, cols)])
    e_all = bm.model_scale(bm.engagement(a[:, cols], p[:, cols]))  # every asset over J
    e = e_all[rows]
    grid_ks = tuple(k for k in KS if k < min(e.shape)) or (1,)
    if min(e.shape) >= 3:
        model = bm.fit_category(e, update=update, ks=grid_ks, lams=LAMS)
    else:  # too small to hold out a test set: one factor, moderate regularisation
        x, y = bm.als(e, np.ones_like(e, bool), 1, 1.0, update=update)
        model = bm.CategoryModel(e, x, y, 1, 1.0, float("nan"), float("nan"))
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
        columns=["category", "col_idx", *bdata.GROUP_COLS, "weight", "y"],
    )
    seconds = time.perf_counter() - started
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
        "seconds": seconds,
        "grid_seconds": model.grid_seconds,
        "grid_fits": model.tried,
    }
    return summary, asset_rows, group_rows


def _population(code: str) -> float | None:
    from countryinfo import CountryInfo

    try:
        return float(CountryInfo(code).population())
    except Exception:  # countryinfo raises for unknown or partial entries
        return None


def fit_territories(
    lifts: pd.DataFrame, countries: list[str]
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Cost per result and the response curve per territory from past campaigns; territories
    without campaigns get the all-territory figures."""
    cols = ["country", "campaigns", "cost_per_result", "uplift", "spend_scale", "population"]
    lifts = lifts[(lifts["reach"] > 0) & (lifts["baseline"] > 0)].copy()
    if lifts.empty:
        return pd.DataFrame(columns=cols), {"campaigns_used": 0}
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
    rows = [(*r, _population(r[0])) for r in rows]
    params = {
        "campaigns_used": int(len(lifts)),
        "uplift_all": fit.uplift,
        "scale_a": fit.a,
        "scale_b": fit.b,
        "cost_per_result_all": cpr_all,
    }
    return pd.DataFrame(rows, columns=cols), params


def run(store: Store, progress: ProgressFn) -> dict[str, Any]:
    started = time.perf_counter()
    cur = store.cursor()
    progress("reading group consumption", 0.0)
    cons = bdata.group_consumption(cur)
    genre = bdata.genres(cur)
    spl = bdata.streams_per_listener(cur)
    lifts = bdata.campaign_lifts(cur)
    base = bdata.track_country_base(cur)
    models, assets, groups = [], [], []
    if len(cons):
        progress("clustering assets into categories", 0.1)
        feats = _features(cons)
        cats = bm.asset_categories(feats, genre)
        cons = cons.assign(category=cons["isrc"].map(cats))
        n_cat = int(cats.max()) + 1
        # One BLAS thread: the matrices are small and threaded BLAS spins on a shared
        # machine (bench/budget_als.py measured 2-30x slower fits with the default).
        limit = threadpool_limits(1)
        for cat in range(n_cat):
            progress(f"fitting category {cat + 1} of {n_cat}", 0.15 + 0.8 * cat / n_cat)
            part = cons[cons["category"] == cat]
            if part.empty:
                continue
            summary, arows, grows = _fit_category(cat, part, genre, bm.DEFAULT_UPDATE)
            models.append(summary)
            assets.append(arows)
            groups.append(grows)
        limit.restore_original_limits()
    territories, resp = fit_territories(
        lifts, sorted(cons["country"].unique()) if len(cons) else []
    )
    models_df = pd.DataFrame(models).drop(columns=["grid_seconds", "grid_fits"], errors="ignore")
    assets_df = pd.concat(assets) if assets else pd.DataFrame()
    groups_df = pd.concat(groups) if groups else pd.DataFrame()
    progress("writing results", 0.97)
    seconds = time.perf_counter() - started
    summary = {
        "categories": len(models),
        "assets": int(len(assets_df)),
        "in_model": int(assets_df["in_model"].sum()) if len(assets_df) else 0,
        "territories": int(len(territories)),
        "largest_category_seconds": round(max((m["seconds"] for m in models), default=0), 2),
        "grid_seconds_total": round(sum(m["grid_seconds"] for m in models), 2),
    }
    params = {
        "taus": TAUS.__dict__,
        "ks": KS,
        "lams": LAMS,
        "update": bm.DEFAULT_UPDATE,
        "window_weeks": bdata.WINDOW_WEEKS,
        "streams_per_listener": spl,
    } | resp
    with store.transaction() as tx:
        bdata.replace_results(tx, models_df, assets_df, groups_df, territories, base)
        model_runs.record(
            tx,
            "budget",
            data_through=model_runs.data_through(tx),
            seconds=seconds,
            params=params,
            summary=summary,
        )
    progress("done", 1.0)
    return summary
