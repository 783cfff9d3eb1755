"""Single sign-on group mappings: a group named by the identity provider grants a role and
labels. A user in several mapped groups gets the highest of their roles and the union of
their labels. Every change, sign-in and refusal is written to the audit log."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

from data import audit
from data.state import StateCursor, utc_now
from data.store import Store
from data.users import UserError
from data.vocab import ROLES

AUDITED_GROUPS = 50
MAX_GROUP = 256  # provider group names can be long paths or GUIDs; this bounds the table
# ROLES lists the highest role first.
_RANK = {role: rank for rank, role in enumerate(reversed(ROLES))}


class SsoError(UserError):
    """A group-mapping request that cannot be carried out, with the reason."""


@dataclass(frozen=True)
class GroupMapping:
    group: str
    role: str
    labels: tuple[str, ...]

    def as_dict(self) -> dict[str, object]:
        return {"group": self.group, "role": self.role, "labels": list(self.labels)}


@dataclass(frozen=True)
class Grant:
    """What a signed-in user's groups give them, and which mapped groups gave it."""

    role: str
    labels: tuple[str, ...]
    groups: tuple[str, ...]


def resolve(mappings: Iterable[GroupMapping]) -> Grant | None:
    """The highest role and the union of labels of `mappings`; None when there are none."""
    found = list(mappings)
    if not found:
        return None
    role = max((m.role for m in found), key=_RANK.__getitem__)
    labels = sorted({lab for m in found for lab in m.labels})
    return Grant(role, tuple(labels), tuple(sorted(m.group for m in found)))


def _clean_group(group: str) -> str:
    name = (group or "").strip()
    if not name or len(name) > MAX_GROUP:
        raise SsoError(f"group {group!r} is not valid: 1-{MAX_GROUP} characters")
    return name


def _mappings(source: Store | StateCursor, groups: list[str] | None) -> list[GroupMapping]:
    sql = (
        "SELECT g.group_name, g.role, l.label FROM sso_groups g "
        "LEFT JOIN sso_group_labels l ON l.group_name = g.group_name"
    )
    params: list[object] = []
    if groups is not None:
        if not groups:
            return []
        sql += f" WHERE g.group_name IN ({', '.join('?' * len(groups))})"
        params.extend(groups)
    sql += " ORDER BY g.group_name, l.label"
    if isinstance(source, StateCursor):
        rows = source.execute(sql, params).fetchall()
    else:
        rows = source.state.read(sql, params)
    found: dict[str, tuple[str, list[str]]] = {}
    for name, role, label in rows:
        found.setdefault(name, (role, []))[1].extend([label] if label is not None else [])
    return [GroupMapping(name, role, tuple(labels)) for name, (role, labels) in found.items()]


def list_mappings(store: Store) -> list[GroupMapping]:
    """Every mapped group, by name."""
    return _mappings(store, None)


def get_mapping(store: Store, group: str) -> GroupMapping | None:
    found = _mappings(store, [group])
    return found[0] if found else None


def grant_for(store: Store, groups: Iterable[str]) -> Grant | None:
    """What the groups a provider vouched for give, from the mappings as stored now."""
    wanted = sorted({g for g in groups if g})
    return resolve(_mappings(store, wanted)) if wanted else None


def map_group(
    store: Store, group: str, role: str, labels: list[str], *, actor: str
) -> GroupMapping:
    """Map `group` to `role` and `labels`, replacing an earlier mapping of it; audited."""
    name = _clean_group(group)
    if role not in ROLES:
        raise SsoError(f"role {role!r} is not one of {', '.join(ROLES)}")
    clean = sorted({lab.strip() for lab in labels if lab.strip()})
    if not clean:
        raise SsoError("a group mapping needs at least one label")
    with store.state.transaction() as cur:
        found = _mappings(cur, [name])
        before = found[0] if found else None
        cur.execute("DELETE FROM sso_group_labels WHERE group_name = ?", [name])
        cur.execute("DELETE FROM sso_groups WHERE group_name = ?", [name])
        cur.execute(
            "INSERT INTO sso_groups (group_name, role, updated_at) VALUES (?, ?, ?)",
            [name, role, utc_now()],
        )
        cur.executemany(
            "INSERT INTO sso_group_labels VALUES (?, ?)", [[name, lab] for lab in clean]
        )
        after = GroupMapping(name, role, tuple(clean))
        audit.record(
            cur,
            actor=actor,
            action="sso_group.map",
            entity="sso_group",
            entity_id=name,
            before=_audited(before),
            after=_audited(after),
        )
    return after


def unmap_group(store: Store, group: str, *, actor: str) -> GroupMapping:
    """Remove the mapping of `group` (its members lose what it gave at their next rerun)."""
    name = _clean_group(group)
    with store.state.transaction() as cur:
        found = _mappings(cur, [name])
        before = found[0] if found else None
        if before is None:
            raise SsoError(f"group {name!r} is not mapped")
        cur.execute("DELETE FROM sso_group_labels WHERE group_name = ?", [name])
        cur.execute("DELETE FROM sso_groups WHERE group_name = ?", [name])
        audit.record(
            cur,
            actor=actor,
            action="sso_group.unmap",
            entity="sso_group",
            entity_id=name,
            before=_audited(before),
        )
    return before


def _audited(mapping: GroupMapping | None) -> dict[str, object] | None:
    return None if mapping is None else {"role": mapping.role, "labels": list(mapping.labels)}


def already_audited(
    store: Store, actions: tuple[str, ...], username: str, signed_in_at: int | None
) -> bool:
    """Whether one of `actions` is in the audit log for this sign-in at the provider
    (identified by its authentication time)."""
    if signed_in_at is None:
        return False
    if not actions:
        return False
    rows = store.state.read(
        "SELECT after FROM audit_log WHERE entity = 'session' AND entity_id = ? "
        f"AND action IN ({', '.join('?' * len(actions))})",
        [username[:64], *actions],
    )
    return any(_signed_in_at(after) == signed_in_at for (after,) in rows)


def _signed_in_at(after: str | None) -> int | None:
    try:
        value = json.loads(after or "null")
    except ValueError:
        return None
    return value.get("signed_in_at") if isinstance(value, dict) else None


def record_session(
    store: Store,
    action: str,
    username: str,
    *,
    provider: str,
    groups: Iterable[str],
    grant: Grant | None = None,
    signed_in_at: int | None = None,
) -> None:
    """Audit an SSO session event: session.sign_in (with what was granted),
    session.sign_in_denied (no mapped group) or session.access_revoked."""
    found = sorted(groups)
    detail: dict[str, object] = {"via": "sso", "provider": provider}
    # Provider accounts can be in hundreds of groups: keep the entry bounded.
    detail |= {"groups": found[:AUDITED_GROUPS], "group_count": len(found)}
    if signed_in_at is not None:
        detail["signed_in_at"] = signed_in_at
    if grant is not None:
        detail |= {"role": grant.role, "labels": list(grant.labels), "mapped": list(grant.groups)}
    audit.record(
        store,
        actor=username,
        action=action,
        entity="session",
        entity_id=username[:64],
        after=detail,
    )
