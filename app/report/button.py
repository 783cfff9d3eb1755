"""The "Download report" button of the artist and track views."""

from __future__ import annotations

import functools
import re

import streamlit as st

from app import services
from app.report.content import build
from app.report.html import to_html
from data.scope import Scope


def _page(scope: Scope, artist_id: str | None, isrc: str | None) -> bytes:
    return to_html(build(services.store(), scope, artist_id=artist_id, isrc=isrc)).encode("utf-8")


def download_button(
    scope: Scope, *, key: str, artist_id: str | None = None, isrc: str | None = None
) -> None:
    """A button that downloads the self-contained HTML report, built only when clicked."""
    ident = re.sub(r"[^A-Za-z0-9_-]+", "-", isrc or artist_id or "report").strip("-")
    what = "track" if isrc else "artist"
    st.download_button(
        f"Download {what} report (HTML)",
        data=functools.partial(_page, scope, artist_id, isrc),
        file_name=f"label-radar-{what}-{ident or 'report'}.html",
        mime="text/html",
        key=key,
        icon=":material/summarize:",
        on_click="ignore",
        help="One web page with the key charts and figures, to mail to someone without an "
        "account. It holds only what you may see.",
    )
