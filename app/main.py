"""Label Radar: the Streamlit entry point (`streamlit run app/main.py`).

Runs on every rerun: opens the store (once per process), routes with st.navigation
(only the sign-in form without a session), draws the shared sidebar and runs the page.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from app import auth, demo_tour, filters, navigation, services, sso, state, widgets

ROOT = Path(__file__).resolve().parents[1]

ASSETS = ROOT / "app" / "assets"
LOGO, ICON = ASSETS / "logo.svg", ASSETS / "icon.svg"  # local files: no icon fetched from the web


def _store_problem_page(message: str) -> None:
    def page() -> None:
        st.title(widgets.PRODUCT)
        st.error(message, icon=":material/database:")

    # Registered under every URL so a deep link shows the message, not "page not found".
    pages = [
        st.Page(
            page,
            title=widgets.PRODUCT,
            url_path=spec.url_path,
            default=spec.default,
            visibility="visible" if spec.default else "hidden",
        )
        for spec in navigation.PAGES
    ]
    st.navigation(pages, position="hidden").run()


def main() -> None:
    # Also set in .streamlit/config.toml; repeated here for a server started from another
    # directory (which does not read that file): the table toolbar's export is not safe.
    st.set_option("client.disableDataExport", True)
    st.set_page_config(
        page_title=widgets.PRODUCT,
        page_icon=str(ICON),
        layout="wide",
        initial_sidebar_state="expanded",
    )
    if LOGO.exists():
        st.logo(str(LOGO), size="large", icon_image=str(ICON))

    problem = services.store_problem()
    if problem is not None:
        _store_problem_page(problem)
        return

    sso.sync()  # single sign-on: sign in from st.user; its groups are re-checked every run
    user = state.current_user()
    if user is not None and not sso.is_sso_session():
        # Re-read the account every run: a disabled account or changed labels apply at once.
        fresh = services.refresh_user(user.username)
        if fresh is None or fresh.disabled:
            state.sign_out("Your account is no longer active. Please contact an administrator.")
            user = None
        elif fresh != user:
            state.set_user(fresh)
            user = fresh

    if user is None:
        st.navigation(navigation.signed_out_pages(), position="hidden").run()
        return

    services.touch_session(user.username)
    page = st.navigation(navigation.signed_in_pages(user.role), position="sidebar", expanded=True)
    with st.sidebar:
        widgets.demo_badge()
        widgets.data_through_caption()
        if services.backlog_problem():
            st.warning(
                "Some totals may be out of date: refreshing them after the last data load "
                "failed. An administrator can repair it with `labelradar doctor --repair`.",
                icon=":material/sync_problem:",
            )
    scope = state.current_scope()
    flt = filters.sidebar_filters(scope)
    demo_tour.sidebar(scope, flt)
    st.sidebar.divider()
    auth.sidebar_account()
    page.run()


main()
