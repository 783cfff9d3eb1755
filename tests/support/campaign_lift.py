"""A STAND-IN `campaign_lift` for stores built before the campaigns job exists: the shared
table's contract DDL, filled from the generator's planted truth plus noise of the size a
lift estimate has (sd = sqrt((0.25 x truth)^2 + (0.02 x counterfactual)^2), 90 % interval
of +-1.645 sd). SYNTHETIC."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from data.store import open_store

DDL = """CREATE TABLE IF NOT EXISTS campaign_lift (
    campaign_id VARCHAR PRIMARY KEY, label_id VARCHAR NOT NULL, artist_id VARCHAR NOT NULL,
    isrc VARCHAR NOT NULL, country VARCHAR NOT NULL, platform VARCHAR NOT NULL,
    start_date DATE NOT NULL, end_date DATE NOT NULL, spend_usd DOUBLE NOT NULL,
    incremental_streams DOUBLE, low DOUBLE, high DOUBLE, p_effect DOUBLE, cpa_usd DOUBLE,
    counterfactual_streams DOUBLE, pre_fit_mape DOUBLE, flag VARCHAR, window_streams DOUBLE)"""


def stand_in_rows(files: Path, seed: int = 0) -> pd.DataFrame:
    """campaign_lift rows from a generated store's files (campaigns.csv and ground truth)."""
    truth = pd.read_csv(files / "ground_truth" / "campaigns_truth.csv")
    meta = pd.read_csv(next(files.rglob("campaigns.csv")))
    df = truth.merge(meta[["campaign_id", "platform", "start_date", "end_date"]])
    rng = np.random.default_rng(seed)
    cf = df["baseline_streams"].to_numpy(float)
    inc = df["true_incremental_streams"].to_numpy(float)
    sd = np.sqrt((0.25 * inc) ** 2 + (0.02 * cf) ** 2)
    est = inc + rng.normal(0.0, sd)
    return pd.DataFrame(
        {
            "campaign_id": df["campaign_id"],
            "label_id": "L",
            "artist_id": "A",
            "isrc": df["isrc"],
            "country": df["country"],
            "platform": df["platform"],
            "start_date": pd.to_datetime(df["start_date"]).dt.date,
            "end_date": pd.to_datetime(df["end_date"]).dt.date,
            "spend_usd": df["spend_usd"],
            "incremental_streams": est,
            "low": est - 1.645 * sd,
            "high": est + 1.645 * sd,
            "p_effect": None,
            "cpa_usd": None,
            "counterfactual_streams": cf,
            "pre_fit_mape": None,
            "flag": None,
            "window_streams": est,
        }
    )


def plant(db: Path, files: Path, seed: int = 0) -> int:
    """Create and fill campaign_lift in the store at `db`; returns the rows written."""
    rows = stand_in_rows(files, seed)
    with open_store(db) as store, store.transaction() as cur:
        cur.execute(DDL)
        cur.execute("DELETE FROM campaign_lift")
        cur.register("_lift", rows)
        cur.execute("INSERT INTO campaign_lift BY NAME SELECT * FROM _lift")
        cur.unregister("_lift")
    return len(rows)
