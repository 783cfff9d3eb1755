"""The campaigns job's uplift step: who the ads moved, per audience segment.

Reads every campaign's treated and control cells and pools each segment's response to ads
over all campaigns (analytics.campaigns.uplift_pooled).
It records no model_runs row: the campaigns job that calls it does, in the transaction that
replaces `campaign_uplift`."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

import pandas as pd

from analytics.campaigns import uplift, uplift_features, uplift_pooled
from data.progress import ProgressFn
from data.results import campaign_uplift as results
from data.store import Store

SEED = 0


def run(store: Store, progress: ProgressFn, *, n_boot: int = uplift.N_BOOT) -> dict[str, Any]:
    """Fit and persist the uplift per segment on its own (the campaigns job instead calls
    `compute` and writes the table in its own transaction, next to the lift)."""
    table, summary = compute(store, progress, n_boot=n_boot)
    with store.transaction() as tx:
        results.replace(tx, table)
    return summary


def compute(
    store: Store, progress: ProgressFn, *, n_boot: int = uplift.N_BOOT
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The uplift per segment and a summary. With no campaigns (or none with enough data
    before it) the table is empty and the summary says why."""
    started = time.perf_counter()
    progress("reading campaign cells", 0.0)
    camps = results.campaigns(store)
    units = results.units(store, camps)
    cells = results.cells(store, units)
    treated = (
        0
        if cells.empty
        else int(cells["role"].eq("treated").groupby(cells["campaign_id"]).any().sum())
    )
    controls = 0 if cells.empty else int((cells["role"] != "treated").sum())
    if treated == 0 or controls == 0:
        reason = "no campaigns" if camps.empty else "no campaign with enough data before it"
        progress("done", 1.0)
        summary = {"campaigns": int(len(camps)), "segments": 0, "significant": 0}
        return cells.iloc[0:0], {**summary, "missing": reason}
    progress("pooling segment responses over campaigns", 0.3)
    fans = uplift_features.main_fan_type(results.fan_mix(store))
    feats = uplift_features.build(cells, camps, fans)
    effects = uplift_pooled.pooled(feats)
    progress("bootstrapping over campaigns", 0.8)
    table = uplift.segments(effects, n_boot=n_boot, seed=SEED)
    table["computed_at"] = datetime.now(UTC).replace(tzinfo=None)
    progress("done", 1.0)
    return table, {
        "campaigns": int(len(camps)),
        "campaigns_modelled": treated,
        "segments": int(len(table)),
        "significant": int((table["low"] > 0).sum()),
        "seconds": round(time.perf_counter() - started, 2),
    }
