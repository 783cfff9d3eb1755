"""Single sign-on beside local accounts: Streamlit's st.login (OpenID Connect).

The provider vouches for who the user is and which groups they belong to (a claim of the
id token, `groups` unless configured otherwise); the store's group mappings (data/sso.py)
decide the role and labels. The result is an ordinary User in the session (app/state.py),
re-checked on every run: a group whose mapping is removed takes its access away at once.

Configuration is read from Streamlit's secrets (docs/sso.md): the [auth] section that
st.login itself uses, and an optional [sso] section of Label Radar's own settings.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import streamlit as st

from app import services, state, widgets
from data import sso as sso_data
from data.users import User

DEFAULT_PROVIDER = "default"  # st.login's name for the provider set directly in [auth]
VIA_PREFIX = "sso:"  # state.signed_in_via() of an SSO session: "sso:<provider>"
# When the configured username claim is missing, the first of these that is present.
USERNAME_FALLBACKS = ("email", "preferred_username", "sub")
SHOWN_GROUPS = 20
NO_ACCESS = "Your organisation has not given you access to Label Radar."
REVOKED = "Your organisation's access to Label Radar has been withdrawn."


@dataclass(frozen=True)
class Provider:
    key: str  # the [auth.<key>] section, or "default"
    label: str  # what "Sign in with <label>" says


@dataclass(frozen=True)
class Settings:
    providers: tuple[Provider, ...]
    groups_claim: str = "groups"
    username_claim: str = "email"

    def label(self, key: str | None) -> str:
        found = [p.label for p in self.providers if p.key == key]
        return found[0] if found else "single sign-on"


def _plain(value: Any) -> Any:
    """Secrets sections as plain dicts (st.secrets hands out read-only mappings)."""
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    return value


def settings_from(secrets: Mapping[str, Any]) -> Settings | None:
    """SSO settings from the secrets, or None when no usable [auth] provider is configured."""
    auth = _plain(secrets.get("auth"))
    if not isinstance(auth, dict) or not auth.get("redirect_uri") or not auth.get("cookie_secret"):
        return None
    own = _plain(secrets.get("sso")) or {}
    names = own.get("names") or {}
    keys = [DEFAULT_PROVIDER] if auth.get("server_metadata_url") else []
    keys += sorted(
        k for k, v in auth.items() if isinstance(v, dict) and v.get("server_metadata_url")
    )
    if not keys:
        return None
    default_names = {DEFAULT_PROVIDER: "single sign-on"}
    providers = tuple(
        Provider(k, str(names.get(k) or default_names.get(k) or k.capitalize())) for k in keys
    )
    return Settings(
        providers,
        groups_claim=str(own.get("groups_claim") or "groups"),
        username_claim=str(own.get("username_claim") or "email"),
    )


def claim(claims: Mapping[str, Any], name: str) -> Any:
    """The claim `name`; a dotted name also reaches into nested claims
    (realm_access.roles) when no claim has that exact name (URL-like names have dots)."""
    if name in claims:
        return claims[name]
    value: Any = claims
    for part in name.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return None
        value = value[part]
    return value


def groups_from(claims: Mapping[str, Any], name: str) -> tuple[str, ...]:
    """The user's groups: a list claim, or a single group as a string."""
    value = claim(claims, name)
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple):
        return ()
    return tuple(sorted({str(g).strip() for g in value if str(g).strip()}))


def username_from(claims: Mapping[str, Any], name: str) -> str | None:
    """The name the session shows and audits. Backticks and control characters are
    replaced: the name is shown inside inline code on the pages."""
    for key in (name, *USERNAME_FALLBACKS):
        value = claim(claims, key)
        if isinstance(value, str) and value.strip():
            cleaned = "".join("'" if c == "`" or not c.isprintable() else c for c in value)
            return cleaned.strip()[:128]
    return None


@dataclass(frozen=True)
class Outcome:
    """What one run makes of the session: its user and the event to audit, if any."""

    user: User | None
    via: str | None = None
    event: str | None = None  # session.sign_in | session.sign_in_denied | session.access_revoked
    grant: sso_data.Grant | None = None
    groups: tuple[str, ...] = ()


def decide(
    claims: Mapping[str, Any] | None,
    settings: Settings,
    current: User | None,
    current_via: str | None,
    lookup: Callable[[Iterable[str]], sso_data.Grant | None],
) -> Outcome:
    """The session after this run, from the provider's claims (None: not signed in with
    it) and the group mappings as `lookup` reads them now. Local sessions are left alone."""
    sso_session = current is not None and (current_via or "").startswith(VIA_PREFIX)
    if current is not None and not sso_session:
        return Outcome(current, current_via)
    if claims is None:
        return Outcome(None)  # never signed in, or the identity cookie is gone
    username = username_from(claims, settings.username_claim)
    groups = groups_from(claims, settings.groups_claim)
    grant = lookup(groups) if username else None
    if grant is None:
        event = "session.access_revoked" if sso_session else "session.sign_in_denied"
        return Outcome(None, event=event, groups=groups)
    via = VIA_PREFIX + str(claims.get("provider") or DEFAULT_PROVIDER)
    user = User(username, grant.role, grant.labels)
    new = current is None or current.username != username
    return Outcome(user, via, "session.sign_in" if new else None, grant, groups)


# -- Streamlit ---------------------------------------------------------------------------
def settings() -> Settings | None:
    if not st.secrets.load_if_toml_exists():
        return None
    return settings_from(st.secrets)


def identity() -> dict[str, Any] | None:
    """The claims st.user carries after the provider signed the user in, else None."""
    if settings() is None or not st.user.get("is_logged_in"):
        return None
    return st.user.to_dict()


def is_sso_session() -> bool:
    return (state.signed_in_via() or "").startswith(VIA_PREFIX)


def sync() -> None:
    """Sign in from st.user, or re-check an SSO session against the mappings; every run."""
    config = settings()
    if config is None:
        if is_sso_session():  # SSO was switched off under a running session
            state.sign_out()
        return
    claims = identity()
    outcome = decide(
        claims,
        config,
        state.current_user(),
        state.signed_in_via(),
        lambda groups: sso_data.grant_for(services.store(), groups),
    )
    if outcome.user is not None:
        if outcome.user != state.current_user():
            state.set_user(outcome.user, via=outcome.via or VIA_PREFIX)
    elif state.current_user() is not None:
        state.sign_out(REVOKED if outcome.event == "session.access_revoked" else None)
    if outcome.event is not None and claims is not None:
        _audit(outcome.event, outcome, claims, config)


def _audit(event: str, outcome: Outcome, claims: Mapping[str, Any], config: Settings) -> None:
    username = username_from(claims, config.username_claim) or "(unknown)"
    signed_in_at = _signed_in_at(claims)
    store = services.store()
    # One entry per sign-in at the provider: new app sessions (a reload, a second tab)
    # resume it from the identity cookie, and a refused user's page reruns.
    same = {
        "session.sign_in": ("session.sign_in",),
        "session.sign_in_denied": ("session.sign_in_denied", "session.access_revoked"),
    }.get(event)
    if same and sso_data.already_audited(store, same, username, signed_in_at):
        return
    sso_data.record_session(
        store,
        event,
        username,
        provider=str(claims.get("provider") or DEFAULT_PROVIDER),
        groups=outcome.groups,
        grant=outcome.grant,
        signed_in_at=signed_in_at,
    )


def _signed_in_at(claims: Mapping[str, Any]) -> int | None:
    """When the provider authenticated the user (epoch seconds), from the id token."""
    for key in ("auth_time", "iat"):
        value = claims.get(key)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return int(value)
    return None


def sign_in_buttons() -> None:
    """One "Sign in with <provider>" button per configured provider (none without [auth])."""
    config = settings()
    if config is None:
        return
    for provider in config.providers:
        if st.button(
            f"Sign in with {provider.label}",
            key=f"sso_sign_in_{provider.key}",
            icon=":material/key:",
            type="primary",
            width="stretch",
        ):
            st.login(None if provider.key == DEFAULT_PROVIDER else provider.key)
    st.caption("or with a Label Radar account:")


def no_access_page(claims: Mapping[str, Any]) -> None:
    """For a user the provider signed in but whom no mapped group lets in."""
    config = settings() or Settings(())
    widgets.page_header(widgets.PRODUCT)
    message = state.pop_flash("sign_in")
    if message:
        st.info(message, icon=":material/info:")
    st.warning(NO_ACCESS, icon=":material/block:")
    username = username_from(claims, config.username_claim) or "an unnamed account"
    groups = groups_from(claims, config.groups_claim)
    shown = ", ".join(_code(g) for g in groups[:SHOWN_GROUPS]) or "none"
    more = f" and {len(groups) - SHOWN_GROUPS} more" if len(groups) > SHOWN_GROUPS else ""
    st.markdown(
        f"You signed in with {config.label(claims.get('provider'))} as {_code(username)}. "
        f"Your groups: {shown}{more}. None of them is mapped to Label Radar: ask your "
        "Label Radar administrator to map one of them."
    )
    st.button("Sign out", on_click=sign_out, icon=":material/logout:", key="sso_sign_out")


def _code(text: str) -> str:
    """`text` as inline code; names come from the provider and are shown, never rendered."""
    return "`" + text.replace("`", "'") + "`"


def sign_out() -> None:
    """Forget the session and the provider's identity cookie (a new session starts)."""
    state.sign_out()
    st.logout()
