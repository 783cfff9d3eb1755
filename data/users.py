"""Local accounts: salted scrypt password hashes, roles and label scopes."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

import pandas as pd

from data import audit
from data.scope import Scope
from data.store import Store
from data.vocab import ROLES

_USERNAME = re.compile(r"^[A-Za-z0-9_.@-]{2,64}$")
# scrypt cost: ~50 ms per check on this class of machine, 16 MiB of memory.
_N, _R, _P = 2**14, 8, 1
MIN_PASSWORD = 8


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


def hash_password(password: str, *, salt: bytes | None = None) -> str:
    """'scrypt$N$r$p$salt$hash' with a fresh 16-byte salt."""
    salt = salt if salt is not None else secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    b64 = base64.b64encode
    return f"scrypt${_N}${_R}${_P}${b64(salt).decode()}${b64(digest).decode()}"


def verify_password(password: str, stored: str) -> bool:
    """Constant-time check of `password` against a hash from hash_password."""
    try:
        scheme, n, r, p, salt_b64, hash_b64 = stored.split("$")
        if scheme != "scrypt":
            return False
        salt, expected = base64.b64decode(salt_b64), base64.b64decode(hash_b64)
        digest = hashlib.scrypt(
            password.encode("utf-8"), salt=salt, n=int(n), r=int(r), p=int(p), dklen=len(expected)
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(digest, expected)


def _check(username: str, role: str | None, labels: list[str] | None, password: str | None):
    if not _USERNAME.match(username or ""):
        raise UserError(f"username {username!r} is not valid: 2-64 letters, digits or _ . @ -")
    if role is not None and role not in ROLES:
        raise UserError(f"role {role!r} is not one of {', '.join(ROLES)}")
    if labels is not None and not [lab for lab in labels if lab.strip()]:
        raise UserError("a user needs at least one label")
    if password is not None and len(password) < MIN_PASSWORD:
        raise UserError(f"the password must have at least {MIN_PASSWORD} characters")


def get_user(store: Store, username: str) -> User | None:
    cur = store.cursor()
    row = cur.execute(
        "SELECT username, role::VARCHAR, disabled FROM users WHERE username = ?", [username]
    ).fetchone()
    if row is None:
        return None
    labels = cur.execute(
        "SELECT label FROM user_labels WHERE username = ? ORDER BY label", [username]
    ).fetchall()
    return User(row[0], row[1], tuple(lab for (lab,) in labels), bool(row[2]))


def add_user(
    store: Store, username: str, password: str, role: str, labels: list[str], *, actor: str
) -> User:
    """Create an account. Raises UserError if it exists or a value is invalid."""
    _check(username, role, labels, password)
    labels = sorted({lab.strip() for lab in labels if lab.strip()})
    with store.write_lock:
        if get_user(store, username) is not None:
            raise UserError(f"user {username!r} already exists")
        with store.transaction() as cur:
            cur.execute(
                "INSERT INTO users (username, password_hash, role) VALUES (?, ?, ?)",
                [username, hash_password(password), role],
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
    with store.write_lock:
        before = get_user(store, username)
        if before is None:
            raise UserError(f"no user {username!r}")
        with store.transaction() as cur:
            if role is not None:
                cur.execute("UPDATE users SET role = ? WHERE username = ?", [role, username])
            if disabled is not None:
                cur.execute(
                    "UPDATE users SET disabled = ? WHERE username = ?", [disabled, username]
                )
            if password is not None:
                cur.execute(
                    "UPDATE users SET password_hash = ? WHERE username = ?",
                    [hash_password(password), username],
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
    reveal which accounts exist.
    """
    row = (
        store.cursor()
        .execute("SELECT password_hash, disabled FROM users WHERE username = ?", [username])
        .fetchone()
    )
    stored = row[0] if row else _DUMMY_HASH
    ok = verify_password(password, stored)
    if row is None or not ok or row[1]:
        return None
    return get_user(store, username)


def list_users(store: Store) -> pd.DataFrame:
    """username, role, labels (comma-separated), disabled, created_at."""
    return (
        store.cursor()
        .execute(
            "SELECT u.username, u.role::VARCHAR AS role, "
            "coalesce(string_agg(l.label, ', ' ORDER BY l.label), '') AS labels, "
            "u.disabled, u.created_at FROM users u LEFT JOIN user_labels l USING (username) "
            "GROUP BY ALL ORDER BY u.username"
        )
        .df()
    )


_DUMMY_HASH = hash_password("not-a-real-account", salt=b"\0" * 16)
