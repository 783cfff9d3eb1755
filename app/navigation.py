"""The app's pages and who may open them, from the feature registry (app/features.py)."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from app import auth
from app.features import FEATURES, Feature

ROOT = Path(__file__).resolve().parents[1]
PAGES_DIR = ROOT / "pages"
# Every feature has a page; the default one (Today) comes first in the navigation, while the
# registry keeps job order (Today ranks what the other jobs persisted, so it runs last).
PAGES: tuple[Feature, ...] = tuple(sorted(FEATURES, key=lambda f: not f.default))


def _page(spec: Feature) -> st.Page:
    return st.Page(
        PAGES_DIR / spec.page_file,
        title=spec.title,
        icon=spec.icon,
        url_path=spec.url_path,
        default=spec.default,
    )


def page(url_path: str) -> st.Page:
    """The page registered under `url_path` (for st.page_link / st.switch_page)."""
    return _page(next(spec for spec in PAGES if spec.url_path == url_path))


def home_page() -> st.Page:
    """The default page (for links back from notices)."""
    return _page(next(spec for spec in PAGES if spec.default))


def signed_out_pages() -> list[st.Page]:
    """The sign-in form under every page's URL: a deep link shows sign-in, and after
    signing in the same URL resolves to the real page (page hashes follow url_path)."""
    return [
        st.Page(
            auth.sign_in_page,
            title="Sign in",
            icon=":material/login:",
            url_path=spec.url_path,
            default=spec.default,
            visibility="visible" if spec.default else "hidden",
        )
        for spec in PAGES
    ]


def signed_in_pages(role: str) -> dict[str, list[st.Page]]:
    """The pages for `role` by section; pages of other roles answer with a notice."""
    sections: dict[str, list[st.Page]] = {}
    hidden: list[st.Page] = []
    for spec in PAGES:
        if role in spec.roles:
            sections.setdefault(spec.section, []).append(_page(spec))
        else:  # keeps the URL known, so a shared link explains instead of "page not found"
            hidden.append(
                st.Page(
                    auth.no_access_page,
                    title=spec.title,
                    url_path=spec.url_path,
                    visibility="hidden",
                )
            )
    # Hidden pages go in the first section, so no empty section header is shown.
    first = next(iter(sections))
    sections[first].extend(hidden)
    return sections
