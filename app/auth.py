"""Sign-in and sign-out. A visitor without a session sees only the sign-in form."""

from __future__ import annotations

import secrets

import streamlit as st

from app import services, sso, state, widgets
from app.safe_text import code, md

WRONG_CREDENTIALS = "Wrong username or password, or the account is disabled."
CLIENT_KEY = "lr_client"


def sign_in_page() -> None:
    """The sign-in form. Registered under every page URL while nobody is signed in, so a
    deep link shows this form and, once signed in, the page it asked for."""
    _left, middle, _right = st.columns([1, 2, 1])
    with middle:
        claims = sso.identity()
        if claims is not None:  # the provider signed the user in, but no mapped group
            sso.no_access_page(claims)
            return
        widgets.page_header(widgets.PRODUCT, "Streaming trends for your labels. Please sign in.")
        message = state.pop_flash("sign_in")
        if message:
            st.info(message, icon=":material/info:")
        sso.sign_in_buttons()
        with st.form("sign_in", border=True):
            username = st.text_input("Username", autocomplete="username")
            password = st.text_input("Password", type="password", autocomplete="current-password")
            submitted = st.form_submit_button(
                "Sign in", type="primary", icon=":material/login:", width="stretch"
            )
        if services.is_demo():
            st.caption("Demo store: the demo accounts are listed in the README.")
    if not submitted:
        return
    if not username.strip():
        with middle:
            st.error(WRONG_CREDENTIALS, icon=":material/lock:")
        return
    outcome = services.authenticate(username.strip(), password, client_id())
    if outcome.user is None:
        with middle:
            if outcome.checked:
                st.error(WRONG_CREDENTIALS, icon=":material/lock:")
            if outcome.lockout is not None:
                st.error(outcome.lockout.message(), icon=":material/timer:")
        return
    state.set_user(outcome.user)
    st.rerun()  # the same URL now resolves to the real page


def client_id() -> str:
    """Who is signing in, for throttling: the IP address when Streamlit knows it, else this
    browser session (local connections have no address; under AppTest it is a mock)."""
    ip = st.context.ip_address
    if isinstance(ip, str) and ip:
        return f"ip:{ip}"
    if CLIENT_KEY not in st.session_state:
        st.session_state[CLIENT_KEY] = secrets.token_urlsafe(12)
    return f"session:{st.session_state[CLIENT_KEY]}"


def no_access_page() -> None:
    """Shown for a page the signed-in user's role does not include."""
    widgets.page_header("Not available")
    st.warning(
        "This page is for administrators. Ask an administrator if you need access.",
        icon=":material/block:",
    )
    from app import navigation  # local: navigation imports this module

    st.page_link(navigation.home_page(), label="Go to the Catalog", icon=":material/arrow_back:")


def sign_out() -> None:
    services.end_session()
    if sso.is_sso_session():
        sso.sign_out()  # also ends the provider's identity cookie (st.logout)
        return
    state.sign_out("You have signed out.")


def sidebar_account() -> None:
    """Who is signed in, and the sign-out button."""
    user = state.current_user()
    if user is None:
        return
    via = " · single sign-on" if sso.is_sso_session() else ""
    st.sidebar.caption(f"Signed in as {code(user.username)} · {md(user.role)}{via}")
    st.sidebar.button("Sign out", on_click=sign_out, icon=":material/logout:", key="sign_out")
