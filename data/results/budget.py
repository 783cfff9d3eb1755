"""Batch reads and writes of the budget job, and the model loader for online scoring.

The job reads group x asset consumption (the channel tensor contracted to active and passive
streams in SQL), campaign history with observed lifts and territory populations, and writes
every result table in one transaction. `load_model(store, isrc)` is the unscoped loader
behind the scoped query `budget_inputs` in data/queries/budget.py.
"""

# Sums of streams fit BIGINT for any store the ingest bounds allow (docs/spec-bounds.md).

from __future__ import annotations

import datetime as dt

import duckdb
import numpy as np
import pandas as pd

from analytics.budget.inputs import GROUP_COLS, ModelInputs
from data.aggregates import COUNTRIES_ONLY
from data.store import Store
from data.vocab import ACTIVE_SOURCES, sql_list

WINDOW_WEEKS = 12
BASE_DAYS = 28
PRE_DAYS = 28
_ACTIVE = sql_list(ACTIVE_SOURCES)


# -- job reads -------------------------------------------------------------------------------
def window_end(cur: duckdb.DuckDBPyConnection) -> dt.date | None:
    """Monday of the last week with streams (agg_daily holds the facts' country rows)."""
    return cur.execute("SELECT date_trunc('week', max(date))::DATE FROM agg_daily").fetchone()[0]


def group_consumption(cur: duckdb.DuckDBPyConnection, weeks: int = WINDOW_WEEKS) -> pd.DataFrame:
    """isrc, country, age_band, gender, subscription, a (active), p (passive) streams over
    the last `weeks` weeks (Monday `start` to the Sunday after `end`): V_ijh summed over
    channels h (dsp x week), read from the facts' country rows with each row's streams split
    by whether its source is active."""
    end = window_end(cur)
    if end is None:
        return pd.DataFrame(columns=["isrc", *GROUP_COLS, "a", "p"])
    start = end - dt.timedelta(weeks=weeks - 1)
    return (
        cur.execute(
            f"""SELECT isrc, country, age_band::VARCHAR AS age_band, gender::VARCHAR AS gender,
               subscription::VARCHAR AS subscription,
               sum(CASE WHEN source IN {_ACTIVE} THEN streams ELSE 0 END)::DOUBLE AS a,
               sum(CASE WHEN source IN {_ACTIVE} THEN 0 ELSE streams END)::DOUBLE AS p
            FROM trend_facts WHERE {COUNTRIES_ONLY} AND date BETWEEN ? AND ?
            GROUP BY ALL ORDER BY ALL""",
            [start, end + dt.timedelta(days=6)],
        )
        .df()
        .fillna({"a": 0.0, "p": 0.0})
    )


def genres(cur: duckdb.DuckDBPyConnection) -> pd.Series:
    df = cur.execute("SELECT isrc, genre FROM catalog ORDER BY isrc").df()
    return df.set_index("isrc")["genre"]


def streams_per_listener(cur: duckdb.DuckDBPyConnection, weeks: int = WINDOW_WEEKS) -> float:
    """Streams per identified listener over the window (turns group streams into people)."""
    end = window_end(cur)
    if end is None:
        return 1.0
    start = end - dt.timedelta(weeks=weeks)
    row = cur.execute(
        "SELECT sum(streams)::DOUBLE, count(DISTINCT listener_id) FROM trend_facts "
        f"WHERE listener_id IS NOT NULL AND {COUNTRIES_ONLY} "
        "AND date >= date_trunc('month', ?::DATE)",
        [start],
    ).fetchone()
    return float(row[0] / row[1]) if row and row[1] else 1.0


def campaign_lifts(cur: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Past campaigns with their observed lift, difference-in-differences style: the track's
    streams in the territory during the campaign over its pre-campaign rate, divided by the
    same ratio in the track's other territories (which removes the track's own trend, e.g. a
    release climbing). `baseline` is what the territory would have streamed without it."""
    df = cur.execute(
        f"""WITH c AS (
              SELECT campaign_id, isrc, country, spend_usd::DOUBLE AS spend,
                     reach::DOUBLE AS reach, start_date, end_date,
                     date_diff('day', start_date, end_date) + 1 AS days
              FROM campaigns WHERE spend_usd > 0)
            SELECT c.campaign_id, c.isrc, c.country, c.spend, c.reach, c.days,
                   coalesce(sum(a.streams) FILTER (WHERE a.country = c.country
                       AND a.date >= c.start_date), 0)::DOUBLE AS during,
                   coalesce(sum(a.streams) FILTER (WHERE a.country = c.country
                       AND a.date < c.start_date), 0)::DOUBLE AS pre,
                   coalesce(sum(a.streams) FILTER (WHERE a.country <> c.country
                       AND a.date >= c.start_date), 0)::DOUBLE AS during_other,
                   coalesce(sum(a.streams) FILTER (WHERE a.country <> c.country
                       AND a.date < c.start_date), 0)::DOUBLE AS pre_other
            FROM c LEFT JOIN agg_daily a ON a.isrc = c.isrc
                 AND a.date BETWEEN c.start_date - INTERVAL {PRE_DAYS} DAY AND c.end_date
            GROUP BY ALL ORDER BY c.campaign_id"""
    ).df()
    trend = (df["during_other"] / df["days"]) / (df["pre_other"] / PRE_DAYS)
    trend = trend.where(np.isfinite(trend) & (trend > 0), 1.0)
    df["baseline"] = df["pre"] / PRE_DAYS * df["days"] * trend
    return df.drop(columns=["pre", "during_other", "pre_other"])


def campaign_lift(cur: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The campaigns job's per-campaign lifts (empty when that table or job is missing), with
    each campaign's length in days."""
    has = cur.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'campaign_lift'"
    ).fetchone()[0]
    if not has:
        return pd.DataFrame()
    return cur.execute(
        "SELECT campaign_id, country, platform, spend_usd, incremental_streams, low, high, "
        "counterfactual_streams, date_diff('day', start_date, end_date) + 1 AS days "
        "FROM campaign_lift ORDER BY campaign_id"
    ).df()


def market_cost(cur: duckdb.DuckDBPyConnection) -> dict[str, float]:
    """Median CPM (USD per 1,000 impressions) of past campaigns per country."""
    rows = cur.execute(
        "SELECT country, median(spend_usd * 1000.0 / impressions) FROM campaigns "
        "WHERE impressions > 0 AND spend_usd > 0 GROUP BY country"
    ).fetchall()
    return {c: float(v) for c, v in rows}


def track_country_base(cur: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    end = cur.execute("SELECT max(date) FROM agg_daily").fetchone()[0]
    if end is None:
        return pd.DataFrame(columns=["isrc", "country", "streams_28d"])
    return cur.execute(
        "SELECT isrc, country, sum(streams)::DOUBLE AS streams_28d FROM agg_daily "
        "WHERE date > ?::DATE - to_days(?::INTEGER) GROUP BY ALL ORDER BY ALL",
        [end, BASE_DAYS],
    ).df()


def populations(countries: list[str]) -> dict[str, float | None]:
    """People per country from the packaged country reference (None where it has none)."""
    from countryinfo import CountryInfo

    out: dict[str, float | None] = {}
    for code in countries:
        try:
            out[code] = float(CountryInfo(code).population())
        except Exception:  # countryinfo raises for unknown or partial entries
            out[code] = None
    return out


# -- job write ----------------------------------------------------------------------------------
def replace_results(
    cur: duckdb.DuckDBPyConnection,
    models: pd.DataFrame,
    assets: pd.DataFrame,
    groups: pd.DataFrame,
    territories: pd.DataFrame,
    base: pd.DataFrame,
) -> None:
    """Swap every result table's contents (call inside the job's transaction)."""
    for table, df in (
        ("budget_models", models),
        ("budget_assets", assets),
        ("budget_groups", groups),
        ("budget_territories", territories),
        ("budget_track_country", base),
    ):
        cur.execute(f"DELETE FROM {table}")
        if len(df):
            cur.register("_budget_df", df)
            cols = ", ".join(df.columns)
            cur.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM _budget_df")
            cur.unregister("_budget_df")


def replace_response(cur: duckdb.DuckDBPyConnection, curves: pd.DataFrame) -> None:
    """Swap the territory response curves (call inside the job's transaction)."""
    cur.execute("DELETE FROM territory_response")
    if len(curves):
        cur.register("_response_df", curves)
        cols = ", ".join(curves.columns)
        cur.execute(f"INSERT INTO territory_response ({cols}) SELECT {cols} FROM _response_df")
        cur.unregister("_response_df")


# -- online loader --------------------------------------------------------------------------------
def load_model(store: Store | duckdb.DuckDBPyConnection, isrc: str) -> ModelInputs | None:
    """The persisted model pieces for `isrc` (None when it has no model)."""
    cur = store.cursor()
    row = cur.execute(
        "SELECT category, in_model, row_idx, e FROM budget_assets WHERE isrc = ?", [isrc]
    ).fetchone()
    if row is None:
        return None
    category, in_model, row_idx, e_row = row
    lam = cur.execute("SELECT lam FROM budget_models WHERE category = ?", [category]).fetchone()
    rows = cur.execute(
        "SELECT row_idx, isrc, genre, x, e FROM budget_assets WHERE category = ? AND in_model "
        "ORDER BY row_idx",
        [category],
    ).fetchall()
    groups = cur.execute(
        "SELECT col_idx, country, age_band, gender, subscription, weight, y FROM budget_groups "
        "WHERE category = ? ORDER BY col_idx",
        [category],
    ).df()
    if lam is None or not rows or groups.empty:
        return None
    return ModelInputs(
        isrc=isrc,
        category=int(category),
        in_model=bool(in_model),
        row_idx=None if row_idx is None else int(row_idx),
        e_row=np.asarray(e_row, float),
        e=np.array([r[4] for r in rows], float),
        x=np.array([r[3] for r in rows], float),
        y=np.array(groups.pop("y").tolist(), float),
        lam=float(lam[0]),
        groups=groups,
        assets=pd.DataFrame([r[:3] for r in rows], columns=["row_idx", "isrc", "genre"]),
        territories=cur.execute("SELECT * FROM budget_territories ORDER BY country").df(),
        base=cur.execute(
            "SELECT country, streams_28d FROM budget_track_country WHERE isrc = ?", [isrc]
        ).df(),
        response=cur.execute("SELECT * FROM territory_response ORDER BY country").df(),
    )
