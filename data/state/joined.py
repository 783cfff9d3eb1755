"""The one place where workflow state meets analytics: small state tables read into pandas
and put on a DuckDB cursor under their own names, so analytics SQL joins them like any
table (alert statuses against alerts, proposals against the catalog).

The state tables joined here stay small (a status per alert someone touched, a row per
proposal); each read is one SELECT, copied into a temporary table of the cursor (bench/state_join.py).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING

import duckdb
import pandas as pd

if TYPE_CHECKING:
    from data.store import Store

# name -> (SELECT on the state database, its timestamp columns)
_TABLES: dict[str, tuple[str, tuple[str, ...]]] = {
    "alert_status": (
        "SELECT alert_key, status, changed_by, changed_at FROM alert_status",
        ("changed_at",),
    ),
    "budget_proposals": (
        "SELECT proposal_id, isrc, label, goal, total_usd, plan, status, comment, created_by, "
        "created_at, updated_by, updated_at, version FROM budget_proposals",
        ("created_at", "updated_at"),
    ),
    # Only what the analytics side joins: the proposals' trail.
    "audit_log": (
        "SELECT audit_id, logged_at, actor, action, entity, entity_id, before, after "
        "FROM audit_log WHERE entity = 'budget_proposal'",
        ("logged_at",),
    ),
}


def frame(store: Store, name: str) -> pd.DataFrame:
    """The state table `name` as the analytics side sees it."""
    sql, stamps = _TABLES[name]
    df = store.state.read_df(sql)
    for column in stamps:
        df[column] = pd.to_datetime(df[column])
    return df


@contextlib.contextmanager
def joined(store: Store, *names: str) -> Iterator[duckdb.DuckDBPyConnection]:
    """A DuckDB cursor of its own with the state tables `names` as temporary tables under
    their own names, for the duration of the block. Copied into temporary tables rather
    than scanned from the frame: DuckDB then has their statistics and plans the join as for
    any table (scanning the frame made the alert feed several times slower)."""
    cur = store.new_cursor()
    try:
        for name in names:
            cur.register("_state_frame", frame(store, name))
            cur.execute(f"CREATE TEMP TABLE {name} AS SELECT * FROM _state_frame")
            cur.unregister("_state_frame")
        yield cur
    finally:
        for name in names:
            with contextlib.suppress(duckdb.Error):
                cur.execute(f"DROP TABLE IF EXISTS temp.{name}")
        cur.close()


def read_df(store: Store, sql: str, params: list, names: tuple[str, ...]) -> pd.DataFrame:
    """Run analytics SQL that joins the state tables `names`."""
    with joined(store, *names) as cur:
        return cur.execute(sql, params).df()
