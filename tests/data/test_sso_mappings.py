"""Single sign-on group mappings in the store: map, replace, list, unmap, resolve, audit."""

from __future__ import annotations

import json

import pytest

from data import audit
from data import sso as sso_data
from data.sso import Grant, GroupMapping, SsoError
from data.store import open_store


@pytest.fixture
def store():
    s = open_store(":memory:")
    yield s
    s.close()


def test_map_list_and_replace(store) -> None:
    sso_data.map_group(store, "lr-admins", "admin", ["Label B", "Label A"], actor="ops")
    sso_data.map_group(store, " lr-viewers ", "viewer", ["Label A", " ", "Label A"], actor="ops")
    assert sso_data.list_mappings(store) == [
        GroupMapping("lr-admins", "admin", ("Label A", "Label B")),
        GroupMapping("lr-viewers", "viewer", ("Label A",)),
    ]
    # mapping a group again replaces its role and labels
    sso_data.map_group(store, "lr-viewers", "manager", ["Label C"], actor="ops")
    assert sso_data.get_mapping(store, "lr-viewers") == GroupMapping(
        "lr-viewers", "manager", ("Label C",)
    )
    assert sso_data.get_mapping(store, "lr-nobody") is None


def test_unmap_removes_the_group_and_its_labels(store) -> None:
    sso_data.map_group(store, "g1", "viewer", ["Label A"], actor="ops")
    removed = sso_data.unmap_group(store, "g1", actor="ops")
    assert removed == GroupMapping("g1", "viewer", ("Label A",))
    assert sso_data.list_mappings(store) == []
    assert store.state.read("SELECT count(*) FROM sso_group_labels")[0][0] == 0
    with pytest.raises(SsoError, match="not mapped"):
        sso_data.unmap_group(store, "g1", actor="ops")


@pytest.mark.parametrize(
    ("group", "role", "labels", "message"),
    [
        ("", "viewer", ["Label A"], "not valid"),
        ("x" * 257, "viewer", ["Label A"], "not valid"),
        ("g", "owner", ["Label A"], "not one of"),
        ("g", "viewer", [" ", ""], "at least one label"),
    ],
)
def test_invalid_mappings_are_refused(store, group, role, labels, message) -> None:
    with pytest.raises(SsoError, match=message):
        sso_data.map_group(store, group, role, labels, actor="ops")
    assert sso_data.list_mappings(store) == []


def test_resolve_highest_role_and_union_of_labels() -> None:
    mappings = [
        GroupMapping("viewers", "viewer", ("Label A", "Label C")),
        GroupMapping("managers", "manager", ("Label B",)),
    ]
    assert sso_data.resolve(mappings) == Grant(
        "manager", ("Label A", "Label B", "Label C"), ("managers", "viewers")
    )
    admin = GroupMapping("admins", "admin", ("Label A",))
    assert sso_data.resolve([*mappings, admin]).role == "admin"
    assert sso_data.resolve([]) is None


def test_grant_for_reads_only_the_users_groups(store) -> None:
    sso_data.map_group(store, "managers-b", "manager", ["Label B"], actor="ops")
    sso_data.map_group(store, "viewers-a", "viewer", ["Label A"], actor="ops")
    sso_data.map_group(store, "admins", "admin", ["Label A", "Label B"], actor="ops")
    assert sso_data.grant_for(store, ["viewers-a", "staff", "Managers-B"]) == Grant(
        "viewer", ("Label A",), ("viewers-a",)
    )  # names match exactly: "Managers-B" is not "managers-b"
    assert sso_data.grant_for(store, ["viewers-a", "managers-b"]) == Grant(
        "manager", ("Label A", "Label B"), ("managers-b", "viewers-a")
    )
    assert sso_data.grant_for(store, ["staff"]) is None
    assert sso_data.grant_for(store, []) is None


def test_changes_are_audited_with_before_and_after(store) -> None:
    sso_data.map_group(store, "g1", "viewer", ["Label A"], actor="ops")
    sso_data.map_group(store, "g1", "manager", ["Label A", "Label B"], actor="lead")
    sso_data.unmap_group(store, "g1", actor="lead")
    log = audit.entries(store, entity="sso_group", entity_id="g1")
    assert list(log["action"]) == ["sso_group.map", "sso_group.map", "sso_group.unmap"]
    assert list(log["actor"]) == ["ops", "lead", "lead"]
    second = log.iloc[1]
    assert json.loads(second["before"]) == {"role": "viewer", "labels": ["Label A"]}
    assert json.loads(second["after"]) == {"role": "manager", "labels": ["Label A", "Label B"]}
    assert json.loads(log.iloc[2]["before"])["role"] == "manager"


def test_session_events_are_audited_once_per_provider_sign_in(store) -> None:
    grant = Grant("viewer", ("Label A",), ("g1",))
    assert not sso_data.already_audited(store, ("session.sign_in",), "ann@x.test", 1000)
    sso_data.record_session(
        store,
        "session.sign_in",
        "ann@x.test",
        provider="acme",
        groups=[f"group-{i:03d}" for i in range(60)] + ["g1"],
        grant=grant,
        signed_in_at=1000,
    )
    assert sso_data.already_audited(store, ("session.sign_in",), "ann@x.test", 1000)
    assert not sso_data.already_audited(store, ("session.sign_in",), "ann@x.test", 2000)
    assert not sso_data.already_audited(store, ("session.sign_in",), "bob@x.test", 1000)
    assert not sso_data.already_audited(store, ("session.sign_in",), "ann@x.test", None)
    entry = audit.entries(store, entity="session").iloc[0]
    detail = json.loads(entry["after"])
    assert entry["actor"] == "ann@x.test" and entry["action"] == "session.sign_in"
    assert detail["via"] == "sso" and detail["provider"] == "acme"
    assert detail["role"] == "viewer" and detail["labels"] == ["Label A"]
    assert detail["mapped"] == ["g1"] and detail["signed_in_at"] == 1000
    # a user in many groups: the entry stays bounded but says how many there were
    assert len(detail["groups"]) == sso_data.AUDITED_GROUPS and detail["group_count"] == 61
