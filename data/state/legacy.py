"""One-time import of the workflow rows an older analytics store kept itself (renamed
legacy_* by migration 024) into the state database, so upgrading loses no account,
status, proposal or audit entry."""

from __future__ import annotations

from typing import TYPE_CHECKING

from data.state import StateDB

if TYPE_CHECKING:
    from data.store import Store

# In dependency-free order; (table, columns). Identity columns are copied as they were.
_COPIED = (
    ("users", ("username", "password_hash", "role", "disabled", "created_at")),
    ("user_labels", ("username", "label")),
    ("signin_throttle", (
        "kind", "key", "window_start", "failures", "lockouts", "locked_until", "last_failure",
    )),
    ("sso_groups", ("group_name", "role", "updated_at")),
    ("sso_group_labels", ("group_name", "label")),
    ("alert_status", ("alert_key", "status", "changed_by", "changed_at")),
    ("budget_proposals", (
        "proposal_id", "isrc", "label", "goal", "total_usd", "plan", "status", "comment",
        "created_by", "created_at", "updated_by", "updated_at", "version",
    )),
    ("budget_approvers", ("username", "granted_by", "granted_at")),
    ("audit_log", (
        "audit_id", "logged_at", "actor", "action", "entity", "entity_id", "before", "after",
    )),
)  # fmt: skip
_IDENTITY = {"budget_proposals": "proposal_id", "audit_log": "audit_id"}


def import_once(store: Store, state: StateDB) -> int:
    """Copy legacy workflow rows into an empty state database; returns rows copied."""
    cur = store.cursor()
    has_legacy = cur.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'legacy_users'"
    ).fetchone()[0]
    if not has_legacy or not cur.execute("SELECT count(*) FROM legacy_users").fetchone()[0]:
        return 0
    copied = 0
    with state.transaction() as tx:
        if tx.execute("SELECT count(*) FROM users").scalar():
            return 0  # this state database is already in use: never mix two histories
        for table, columns in _COPIED:
            names = ", ".join(columns)
            selected = ", ".join(
                f"{c}::VARCHAR" if c in ("role", "before", "after", "plan") else c for c in columns
            )
            rows = cur.execute(f"SELECT {selected} FROM legacy_{table}").fetchall()
            marks = ", ".join("?" * len(columns))
            tx.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)
            copied += len(rows)
            if state.dialect == "postgresql" and table in _IDENTITY and rows:
                column = _IDENTITY[table]
                tx.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', '{column}'), "
                    f"(SELECT max({column}) FROM {table}))"
                )
    return copied
