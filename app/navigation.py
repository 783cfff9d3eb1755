"""The app's pages and who may open them. Add new screens to PAGES."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from app import auth

ROOT = Path(__file__).resolve().parents[1]
PAGES_DIR = ROOT / "pages"
ALL_ROLES = ("admin", "manager", "viewer")


@dataclass(frozen=True)
class PageSpec:
    file: str  # under pages/
    title: str
    url_path: str
    icon: str
    section: str = "Analytics"
    roles: tuple[str, ...] = ALL_ROLES
    default: bool = False


PAGES: tuple[PageSpec, ...] = (
    PageSpec("catalog.py", "Catalog", "catalog", ":material/library_music:", default=True),
    PageSpec("fans.py", "Fan types", "fans", ":material/groups:"),
    PageSpec("similar.py", "Similar artists", "similar", ":material/hub:"),
    PageSpec("alerts.py", "Alerts", "alerts", ":material/notifications:"),
    PageSpec(
        "budget.py", "Territory budgets", "budget", ":material/payments:", section="Marketing"
    ),
    PageSpec(
        "admin_users.py",
        "Users",
        "users",
        ":material/manage_accounts:",
        section="Admin",
        roles=("admin",),
    ),
)


def _page(spec: PageSpec) -> st.Page:
    return st.Page(
        PAGES_DIR / spec.file,
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
