"""Batch job "campaigns": the counterfactual lift of every past campaign (streams added, 90 %
interval, P(effect > 0), CPA), persisted in campaign_lift for the Campaigns page and for the
budget job's response curves, which runs after this one."""

from __future__ import annotations

import time
from typing import Any

import numpy as np
import pandas as pd

from analytics import campaigns as lift_model
from analytics.campaigns import pooling
from app.campaigns import uplift_step
from data.progress import ProgressFn
from data.results import budget as budget_data
from data.results import campaign_uplift as uplift_results
from data.results import campaigns as campaign_data
from data.results import runs as model_runs
from data.store import Store

META = ["campaign_id", "label_id", "artist_id", "isrc", "country", "platform"]
META += ["start_date", "end_date", "spend_usd"]


def lift_table(camp: pd.DataFrame, estimates: pd.DataFrame) -> pd.DataFrame:
    """The campaign_lift rows: campaign metadata, the estimates, and the CPA (spend per
    incremental stream, only when the estimated effect is positive)."""
    out = camp[META].merge(estimates, on="campaign_id", how="left")
    return _with_cpa(out)


def _with_cpa(out: pd.DataFrame) -> pd.DataFrame:
    inc = out["incremental_streams"].astype(float)
    out["cpa_usd"] = np.where(inc > 0, out["spend_usd"] / inc.where(inc > 0), np.nan)
    return out


def pooled_lift_table(
    camp: pd.DataFrame,
    estimates: pd.DataFrame,
    cost: dict[str, float],
    params: lift_model.LiftParams,
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """lift_table with each window's own estimate pooled with what the campaign's territory
    and platform usually return (analytics.campaigns.pooling); `window_streams` keeps the
    window's own estimate. With pooling off the two are the same."""
    lift = lift_table(camp, estimates)
    if not params.pool:
        return lift.assign(window_streams=lift["incremental_streams"]), {"pooled": 0}
    pooled, summary = pooling.pool(lift, cost=cost, seed=params.seed)
    return _with_cpa(pooled), summary


def run(store: Store, progress: ProgressFn, **options: Any) -> dict[str, Any]:
    """Estimate every campaign's lift and replace the persisted results. `options` override
    `analytics.campaigns.LiftParams` fields."""
    started = time.perf_counter()
    params = lift_model.LiftParams(**options)
    progress("reading campaigns", 0.0)
    camp = campaign_data.campaigns(store.cursor())
    groups = lift_model.group_campaigns(camp)
    artist_of = dict(zip(camp["isrc"], camp["artist_id"], strict=False))
    progress("reading the targeted and control series", 0.1)
    daily = campaign_data.series(store.cursor(), groups, artist_of, params.lookback_days)
    through = model_runs.data_through(store.cursor())
    progress("fitting counterfactuals and placebos", 0.4)
    result = lift_model.estimate(groups, daily, camp, params)
    progress("pooling each lift with its territory's response", 0.6)
    cost = budget_data.market_cost(store.cursor())
    lift, pooled = pooled_lift_table(camp, result.campaigns, cost, params)
    estimated = lift["incremental_streams"].notna()
    summary: dict[str, Any] = {
        "campaigns": len(lift),
        "estimated": int(estimated.sum()),
        "overlap": int((lift["flag"] == "overlap").sum()),
        "poor_pre_fit": int((lift["flag"] == "poor_pre_fit").sum()),
        "too_little_data": int((lift["flag"] == "too_little_data").sum()),
        "positive_p95": int((lift["p_effect"] > 0.95).sum()),
        "pooling": pooled,
    }
    # Who the ads moved, per audience segment; saved with the lift, in one transaction.
    segments, summary["uplift"] = uplift_step.compute(
        store, lambda stage, f: progress(f"uplift by segment: {stage}", 0.7 + 0.25 * f)
    )
    progress("saving", 0.95)
    with store.transaction() as tx:
        run_id = model_runs.record(
            tx,
            "campaigns",
            data_through=through,
            seconds=time.perf_counter() - started,
            params={**params.as_dict(), "calibration": result.calibration},
            summary=summary,
        )
        campaign_data.replace_results(tx, run_id, lift, result.daily)
        uplift_results.replace(tx, segments)
    progress("done", 1.0)
    return summary
