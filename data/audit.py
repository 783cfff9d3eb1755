"""The append-only audit log: who did what, when, with the value before and after."""

from __future__ import annotations

import json
from typing import Any

import duckdb
import pandas as pd


def _dump(value: Any) -> str | None:
    return None if value is None else json.dumps(value, default=str, sort_keys=True)


def record(
    cur: duckdb.DuckDBPyConnection,
    *,
    actor: str,
    action: str,
    entity: str,
    entity_id: str | None = None,
    before: Any = None,
    after: Any = None,
) -> int:
    """Append one entry (inside the caller's transaction, if any). Returns its id."""
    row = cur.execute(
        "INSERT INTO audit_log (actor, action, entity, entity_id, before, after) "
        "VALUES (?, ?, ?, ?, ?, ?) RETURNING audit_id",
        [actor, action, entity, entity_id, _dump(before), _dump(after)],
    ).fetchone()
    return int(row[0])


def entries(
    cur: duckdb.DuckDBPyConnection, *, entity: str | None = None, entity_id: str | None = None
) -> pd.DataFrame:
    """Audit entries, oldest first, optionally for one entity."""
    sql = (
        "SELECT audit_id, logged_at, actor, action, entity, entity_id, before, after FROM audit_log"
    )
    where, params = [], []
    if entity is not None:
        where.append("entity = ?")
        params.append(entity)
    if entity_id is not None:
        where.append("entity_id = ?")
        params.append(entity_id)
    if where:
        sql += " WHERE " + " AND ".join(where)
    return cur.execute(sql + " ORDER BY audit_id", params).df()
