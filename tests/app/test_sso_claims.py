"""From the provider's claims to a session: settings, claim reading and the per-run decision
(app/sso.py), with the group mappings as a plain lookup."""

from __future__ import annotations

import pytest

from app import sso
from data.sso import Grant, GroupMapping, resolve
from data.users import User

AUTH = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "a-long-random-secret-for-tests",
}
ISSUER = "https://id.example.test/.well-known/openid-configuration"
MAPPINGS = {
    "lr-managers": GroupMapping("lr-managers", "manager", ("Label B",)),
    "lr-viewers": GroupMapping("lr-viewers", "viewer", ("Label A", "Label B")),
}
SETTINGS = sso.Settings((sso.Provider("acme", "Acme"),))


def lookup(groups):
    return resolve(MAPPINGS[g] for g in groups if g in MAPPINGS)


def claims(**extra):
    return {"is_logged_in": True, "provider": "acme", "email": "ann@acme.test", **extra}


# -- settings --------------------------------------------------------------------------------
def test_no_auth_section_or_incomplete_auth_means_no_sso() -> None:
    assert sso.settings_from({}) is None
    provider = {"client_id": "c", "client_secret": "s", "server_metadata_url": ISSUER}
    assert sso.settings_from({"auth": {**provider}}) is None  # no redirect_uri / cookie_secret
    assert sso.settings_from({"auth": {**AUTH}}) is None  # no provider


def test_default_and_named_providers_with_their_button_names() -> None:
    provider = {"client_id": "c", "client_secret": "s", "server_metadata_url": ISSUER}
    secrets = {
        "auth": {**AUTH, **provider, "okta": dict(provider), "entra": dict(provider)},
        "sso": {"names": {"entra": "Microsoft Entra ID"}, "groups_claim": "roles"},
    }
    settings = sso.settings_from(secrets)
    assert settings == sso.Settings(
        (
            sso.Provider("default", "single sign-on"),
            sso.Provider("entra", "Microsoft Entra ID"),
            sso.Provider("okta", "Okta"),
        ),
        groups_claim="roles",
        username_claim="email",
    )
    assert settings.label("okta") == "Okta"
    assert settings.label("gone") == "single sign-on"


# -- claims ----------------------------------------------------------------------------------
def test_groups_from_a_list_a_single_string_or_a_nested_claim() -> None:
    assert sso.groups_from({"groups": ["b", " a ", "", "b"]}, "groups") == ("a", "b")
    assert sso.groups_from({"groups": "admins"}, "groups") == ("admins",)
    assert sso.groups_from({"email": "x"}, "groups") == ()
    assert sso.groups_from({"groups": 7}, "groups") == ()
    nested = {"realm_access": {"roles": ["lr-viewers"]}}
    assert sso.groups_from(nested, "realm_access.roles") == ("lr-viewers",)
    # a claim whose name has dots (a URL) is read as it is
    url_claim = {"https://acme.test/groups": ["g"]}
    assert sso.groups_from(url_claim, "https://acme.test/groups") == ("g",)


def test_username_falls_back_through_email_preferred_username_and_sub() -> None:
    assert sso.username_from({"upn": "ann@corp", "email": "a@x"}, "upn") == "ann@corp"
    assert sso.username_from({"email": " a@x "}, "upn") == "a@x"
    assert sso.username_from({"preferred_username": "ann", "sub": "1"}, "email") == "ann"
    assert sso.username_from({"sub": "u-1"}, "email") == "u-1"
    assert sso.username_from({"email": ""}, "email") is None
    assert sso.username_from({"email": "a`b\n@x"}, "email") == "a'b'@x"  # shown as code


# -- the decision on every run ---------------------------------------------------------------
def test_first_run_after_the_provider_signs_in() -> None:
    out = sso.decide(claims(groups=["lr-viewers", "staff"]), SETTINGS, None, None, lookup)
    assert out.user == User("ann@acme.test", "viewer", ("Label A", "Label B"))
    assert out.via == "sso:acme" and out.event == "session.sign_in"
    assert out.grant == Grant("viewer", ("Label A", "Label B"), ("lr-viewers",))
    assert out.groups == ("lr-viewers", "staff")


def test_highest_role_wins_and_labels_are_the_union() -> None:
    out = sso.decide(claims(groups=["lr-viewers", "lr-managers"]), SETTINGS, None, None, lookup)
    assert out.user == User("ann@acme.test", "manager", ("Label A", "Label B"))


def test_no_mapped_group_is_denied() -> None:
    out = sso.decide(claims(groups=["staff"]), SETTINGS, None, None, lookup)
    assert out.user is None and out.event == "session.sign_in_denied"
    assert out.groups == ("staff",)
    out = sso.decide(claims(), SETTINGS, None, None, lookup)  # no groups claim at all
    assert out.user is None and out.event == "session.sign_in_denied"


def test_no_username_is_denied_even_with_a_mapped_group() -> None:
    nameless = {"is_logged_in": True, "provider": "acme", "groups": ["lr-viewers"]}
    out = sso.decide(nameless, SETTINGS, None, None, lookup)
    assert out.user is None and out.event == "session.sign_in_denied"


def test_running_session_keeps_going_and_follows_mapping_changes() -> None:
    current = User("ann@acme.test", "viewer", ("Label A", "Label B"))
    out = sso.decide(claims(groups=["lr-viewers"]), SETTINGS, current, "sso:acme", lookup)
    assert out.user == current and out.event is None  # nothing new to audit
    out = sso.decide(claims(groups=["lr-managers"]), SETTINGS, current, "sso:acme", lookup)
    assert out.user == User("ann@acme.test", "manager", ("Label B",)) and out.event is None


def test_removed_mapping_revokes_a_running_session() -> None:
    current = User("ann@acme.test", "viewer", ("Label A",))
    out = sso.decide(claims(groups=["staff"]), SETTINGS, current, "sso:acme", lookup)
    assert out.user is None and out.event == "session.access_revoked"


def test_identity_gone_ends_an_sso_session_quietly() -> None:
    current = User("ann@acme.test", "viewer", ("Label A",))
    out = sso.decide(None, SETTINGS, current, "sso:acme", lookup)
    assert out.user is None and out.event is None


def test_another_identity_in_the_cookie_is_a_new_sign_in() -> None:
    current = User("ann@acme.test", "viewer", ("Label A",))
    other = claims(email="bob@acme.test", groups=["lr-viewers"])
    out = sso.decide(other, SETTINGS, current, "sso:acme", lookup)
    assert out.user.username == "bob@acme.test" and out.event == "session.sign_in"


@pytest.mark.parametrize("identity", [None, {"is_logged_in": True, "groups": ["lr-managers"]}])
def test_local_sessions_are_left_alone(identity) -> None:
    local = User("admin", "admin", ("Label A",))
    out = sso.decide(identity, SETTINGS, local, "password", lookup)
    assert out.user is local and out.event is None
