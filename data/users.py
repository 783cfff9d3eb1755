"""Local accounts: salted scrypt password hashes, roles and label scopes."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from data import audit
from data.passwords import (  # noqa: F401  (MIN_PASSWORD: re-exported for the Users page)
    MIN_PASSWORD,
    cost_of,
    dummy_hash,
    hash_password,
    needs_rehash,
    password_problem,
    verify_password,
)
from data.scope import Scope
from data.state import StateCursor, utc_now
from data.store import Store
from data.vocab import ROLES

_USERNAME = re.compile(r"^[A-Za-z0-9_.@-]{2,64}$")


class UserError(Exception):
    """A user-management request that cannot be carried out, with the reason."""


@dataclass(frozen=True)
class User:
    username: str
    role: str
    labels: tuple[str, ...]
    disabled: bool = False

    def scope(self) -> Scope:
        return Scope(username=self.username, role=self.role, labels=frozenset(self.labels))


def _check(username: str, role: str | None, labels: list[str] | None, password: str | None):
    if not _USERNAME.match(username or ""):
        raise UserError(f"username {username!r} is not valid: 2-64 letters, digits or _ . @ -")
    if role is not None and role not in ROLES:
        raise UserError(f"role {role!r} is not one of {', '.join(ROLES)}")
    if labels is not None and not [lab for lab in labels if lab.strip()]:
        raise UserError("a user needs at least one label")
    if password is not None:
        problem = password_problem(username, password)
        if problem:
            raise UserError(problem)


def get_user(store: Store, username: str) -> User | None:
    rows = store.state.read(
        "SELECT u.username, u.role, u.disabled, l.label FROM users u "
        "LEFT JOIN user_labels l ON l.username = u.username WHERE u.username = ? "
        "ORDER BY l.label",
        [username],
    )
    if not rows:
        return None
    labels = tuple(r[3] for r in rows if r[3] is not None)
    return User(rows[0][0], rows[0][1], labels, bool(rows[0][2]))


def add_user(
    store: Store, username: str, password: str, role: str, labels: list[str], *, actor: str
) -> User:
    """Create an account. Raises UserError if it exists or a value is invalid."""
    _check(username, role, labels, password)
    labels = sorted({lab.strip() for lab in labels if lab.strip()})
    hashed = hash_password(password)
    with store.state.transaction() as cur:
        if cur.execute("SELECT count(*) FROM users WHERE username = ?", [username]).scalar():
            raise UserError(f"user {username!r} already exists")
        # "Admin" beside "admin" reads as one person in the audit log and the user list
        same = cur.execute(
            "SELECT username FROM users WHERE lower(username) = lower(?)", [username]
        ).scalar()
        if same is not None:
            raise UserError(f"user {same!r} already exists (user names ignore case)")
        cur.execute(
            "INSERT INTO users (username, password_hash, role, disabled, created_at) "
            "VALUES (?, ?, ?, ?, ?)",
            [username, hashed, role, False, utc_now()],
        )
        cur.executemany(
            "INSERT INTO user_labels VALUES (?, ?)", [[username, lab] for lab in labels]
        )
        audit.record(
            cur,
            actor=actor,
            action="user.add",
            entity="user",
            entity_id=username,
            after={"role": role, "labels": labels},
        )
    return User(username, role, tuple(labels))


def update_user(
    store: Store,
    username: str,
    *,
    actor: str,
    role: str | None = None,
    labels: list[str] | None = None,
    password: str | None = None,
    disabled: bool | None = None,
) -> User:
    """Change role, labels, password or the disabled flag; each change is audited."""
    _check(username, role, labels, password)
    hashed = hash_password(password) if password is not None else None
    with store.state.transaction() as cur:
        before = _user_in(cur, username)
        if before is None:
            raise UserError(f"no user {username!r}")
        if role is not None:
            cur.execute("UPDATE users SET role = ? WHERE username = ?", [role, username])
        if disabled is not None:
            cur.execute("UPDATE users SET disabled = ? WHERE username = ?", [disabled, username])
        if password is not None:
            cur.execute(
                "UPDATE users SET password_hash = ? WHERE username = ?",
                [hashed, username],
            )
        if labels is not None:
            labels = sorted({lab.strip() for lab in labels if lab.strip()})
            cur.execute("DELETE FROM user_labels WHERE username = ?", [username])
            cur.executemany(
                "INSERT INTO user_labels VALUES (?, ?)", [[username, lab] for lab in labels]
            )
        after = User(
            username,
            role or before.role,
            tuple(labels) if labels is not None else before.labels,
            before.disabled if disabled is None else disabled,
        )
        if (
            before.role == "admin"
            and not before.disabled
            and (after.role != "admin" or after.disabled)
        ):
            admins = cur.execute(
                "SELECT count(*) FROM users WHERE role = 'admin' AND NOT disabled"
            ).scalar()
            if not admins:  # the change above is rolled back with this error
                raise UserError(
                    f"{username!r} is the last active admin: make another user admin before "
                    "demoting or disabling this one (nobody could manage users after)"
                )
        changes_before = {
            "role": before.role,
            "labels": list(before.labels),
            "disabled": before.disabled,
        }
        changes_after = {
            "role": after.role,
            "labels": list(after.labels),
            "disabled": after.disabled,
        }
        if password is not None:
            changes_before["password"], changes_after["password"] = "(old)", "(changed)"
        audit.record(
            cur,
            actor=actor,
            action="user.update",
            entity="user",
            entity_id=username,
            before=changes_before,
            after=changes_after,
        )
    return after


def authenticate(store: Store, username: str, password: str) -> User | None:
    """The user if the password is right and the account enabled, else None.

    A wrong username costs the same hash work as a wrong password, so timing does not
    reveal which accounts exist. A right password whose hash was made at an older cost is
    hashed again at the current one (the only moment the password is known).
    """
    found = store.state.read(
        "SELECT password_hash, disabled FROM users WHERE username = ?", [username]
    )
    row = found[0] if found else None
    stored = row[0] if row else dummy_hash()
    ok = verify_password(password, stored)
    if row is None or not ok or row[1]:
        return None
    if needs_rehash(stored):
        _rehash(store, username, password, stored)
    return get_user(store, username)


def _rehash(store: Store, username: str, password: str, stored: str) -> None:
    fresh = hash_password(password)
    with store.state.transaction() as cur:
        # Only if unchanged meanwhile: a password reset in between must win.
        changed = cur.execute(
            "UPDATE users SET password_hash = ? WHERE username = ? AND password_hash = ? "
            "RETURNING username",
            [fresh, username, stored],
        ).fetchall()
        if changed:
            audit.record(
                cur,
                actor=username,
                action="user.password_rehash",
                entity="user",
                entity_id=username,
                before={"hash": _cost_text(stored)},
                after={"hash": _cost_text(fresh)},
            )


def _cost_text(stored: str) -> str:
    cost = cost_of(stored)
    return "unknown" if cost is None else f"scrypt n={cost.n} r={cost.r} p={cost.p}"


def list_users(store: Store) -> pd.DataFrame:
    """username, role, labels (comma-separated), disabled, created_at."""
    people = store.state.read_df(
        "SELECT username, role, disabled, created_at FROM users ORDER BY username"
    )
    labels = store.state.read_df("SELECT username, label FROM user_labels ORDER BY label")
    joined = labels.groupby("username")["label"].agg(", ".join)
    people.insert(2, "labels", people["username"].map(joined).fillna("").astype(str))
    people["disabled"] = people["disabled"].astype(bool)
    return people


def _user_in(cur: StateCursor, username: str) -> User | None:
    """The account as this transaction sees it."""
    rows = cur.execute(
        "SELECT u.username, u.role, u.disabled, l.label FROM users u "
        "LEFT JOIN user_labels l ON l.username = u.username WHERE u.username = ? "
        "ORDER BY l.label",
        [username],
    ).fetchall()
    if not rows:
        return None
    labels = tuple(r[3] for r in rows if r[3] is not None)
    return User(rows[0][0], rows[0][1], labels, bool(rows[0][2]))
