"""What a session remembers: the signed-in account, its Scope and the shared filters.

The Scope is built from the stored account (data.users.User.scope()), never from widget
input; pages read it from here and pass it to app.services.
"""

from __future__ import annotations

import streamlit as st

from data.queries import Filters
from data.scope import Scope
from data.users import User

USER_KEY = "lr_user"
SCOPE_KEY = "lr_scope"
FILTERS_KEY = "lr_filters"
FLASH_KEY = "lr_flash"
VIA_KEY = "lr_via"


class NotSignedIn(RuntimeError):
    """A page that needs a user ran without one (the router prevents this)."""


def current_user() -> User | None:
    return st.session_state.get(USER_KEY)


def set_user(user: User, *, via: str = "password") -> None:
    """Remember the account and derive the session's Scope from it. `via`: how the user
    signed in ("password", or "sso:<provider>" from app/sso.py)."""
    st.session_state[USER_KEY] = user
    st.session_state[SCOPE_KEY] = user.scope()
    st.session_state[VIA_KEY] = via


def signed_in_via() -> str | None:
    return st.session_state.get(VIA_KEY)


def current_scope() -> Scope:
    scope = st.session_state.get(SCOPE_KEY)
    if scope is None:
        raise NotSignedIn("no signed-in user in this session")
    return scope


def current_filters() -> Filters:
    return st.session_state.get(FILTERS_KEY) or Filters()


def set_filters(filters: Filters) -> None:
    st.session_state[FILTERS_KEY] = filters


def sign_out(message: str | None = None) -> None:
    """Forget everything about the session (account, scope, filters, widget values)."""
    for key in list(st.session_state.keys()):
        del st.session_state[key]
    if message:
        flash("sign_in", message)


def flash(where: str, message: str) -> None:
    """A message for the screen `where` to show once on a later run (survives st.rerun)."""
    st.session_state[f"{FLASH_KEY}:{where}"] = message


def pop_flash(where: str) -> str | None:
    return st.session_state.pop(f"{FLASH_KEY}:{where}", None)
