"""Account management for the Users page: only administrators, only within their own labels,
and never locking themselves out. Every change is audited by data/users.py."""

from __future__ import annotations

import pandas as pd

from app.services import store
from data import audit, users
from data.scope import Scope


def _require_admin(actor: Scope) -> None:
    if actor.role != "admin":
        raise users.UserError("only administrators can manage users")


def _check_labels(actor: Scope, labels: list[str]) -> None:
    outside = sorted(set(labels) - set(actor.labels))
    if outside:
        raise users.UserError(
            "you can only grant labels you have access to yourself: " + ", ".join(outside)
        )


def list_users(actor: Scope) -> pd.DataFrame:
    _require_admin(actor)
    return users.list_users(store())


def add_user(
    actor: Scope, username: str, password: str, role: str, labels: list[str]
) -> users.User:
    _require_admin(actor)
    _check_labels(actor, labels)
    return users.add_user(store(), username.strip(), password, role, labels, actor=actor.username)


def update_user(
    actor: Scope,
    username: str,
    *,
    role: str | None = None,
    labels: list[str] | None = None,
    password: str | None = None,
    disabled: bool | None = None,
) -> users.User:
    """Change an account. Admins cannot lock themselves out (disable or demote themselves)."""
    _require_admin(actor)
    if labels is not None:
        current = users.get_user(store(), username)
        # Labels the admin cannot see stay as they are; only visible ones can change.
        hidden = [lab for lab in (current.labels if current else ()) if lab not in actor.labels]
        _check_labels(actor, labels)
        labels = sorted(set(labels) | set(hidden))
    if username == actor.username and (disabled or (role is not None and role != "admin")):
        raise users.UserError("you cannot disable your own account or remove your own admin role")
    return users.update_user(
        store(),
        username,
        actor=actor.username,
        role=role,
        labels=labels,
        password=password,
        disabled=disabled,
    )


def user_audit(actor: Scope, limit: int = 500) -> pd.DataFrame:
    """The latest user-management entries of the audit log, newest first."""
    _require_admin(actor)
    df = audit.entries(store(), entity="user")
    return df.sort_values("audit_id", ascending=False).head(limit).reset_index(drop=True)
