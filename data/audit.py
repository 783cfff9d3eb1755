"""The append-only audit log: who did what, when, with the value before and after.

It lives in the state database (data/state), where triggers refuse UPDATE and DELETE, so
append-only holds for every client of the database, not only for this code."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pandas as pd

from data.state import StateCursor, StateDB, utc_now

if TYPE_CHECKING:
    from data.store import Store


def _dump(value: Any) -> str | None:
    return None if value is None else json.dumps(value, default=str, sort_keys=True)


def record(
    cur: StateCursor | StateDB | Store,
    *,
    actor: str,
    action: str,
    entity: str,
    entity_id: str | None = None,
    before: Any = None,
    after: Any = None,
) -> int:
    """Append one entry, inside the caller's state transaction when given its cursor, else
    in a transaction of its own. Returns its id."""
    if not isinstance(cur, StateCursor):
        with _state_of(cur).transaction() as tx:
            return record(
                tx, actor=actor, action=action, entity=entity, entity_id=entity_id,
                before=before, after=after,
            )  # fmt: skip
    row = cur.execute(
        "INSERT INTO audit_log (logged_at, actor, action, entity, entity_id, before, after) "
        "VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING audit_id",
        [utc_now(), actor, action, entity, entity_id, _dump(before), _dump(after)],
    ).fetchone()
    return int(row[0])


def _state_of(source: StateCursor | StateDB | Store) -> StateDB:
    return source if isinstance(source, StateDB) else source.state  # type: ignore[union-attr]


def entries(
    source: StateCursor | StateDB | Store,
    *,
    entity: str | None = None,
    entity_id: str | None = None,
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
    sql += " ORDER BY audit_id"
    if isinstance(source, StateCursor):
        return source.df(sql, params)
    return _state_of(source).read_df(sql, params)


def latest_id(source: StateDB | Store) -> int:
    """The newest entry's id (0 for an empty log): a version of the workflow state, since
    every state write appends its entry in the same transaction."""
    row = _state_of(source).read("SELECT coalesce(max(audit_id), 0) FROM audit_log")
    return int(row[0][0])
