"""A page's own choices (selected artist or track, tab, radio and select choices) mirrored
in the URL's query parameters, so a link reproduces the view.

Each wrapper draws a keyed widget whose options the page has already scoped to the user:
- before the widget, a URL value the session has not seen yet (a link was opened) selects
  its option when it is one of the options; an unknown value, or one the user may not see
  (another label's artist is never among the options), is ignored: the widget keeps its
  value and the URL is corrected, never an error and never a leak;
- after the widget, the choice is written back to the URL.

A value the session has already seen is not re-applied, so the user's own change of the
widget wins over the URL it came from. The sidebar filters have their own sync
(app/filters.py); parameter names here must not reuse theirs.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import streamlit as st

T = TypeVar("T")
K_SEEN = "url_state_seen"  # param -> the URL value last read or written by this session


def _text(value: Any) -> str:
    return str(value)


def sync_in(param: str, key: str, options: Sequence[Any], default: Any = None) -> None:
    """Put the URL's choice (when new and allowed) or a valid value in st.session_state[key]."""
    seen: dict[str, str | None] = st.session_state.setdefault(K_SEEN, {})
    raw = st.query_params.get(param)
    by_text = {_text(o): o for o in options}
    if raw is not None and raw != seen.get(param) and raw in by_text:
        st.session_state[key] = by_text[raw]
    seen[param] = raw
    current = st.session_state.get(key)
    if not options:
        return
    if current is None or _text(current) not in by_text:
        st.session_state[key] = default if default in options else options[0]


def sync_out(param: str, value: Any) -> None:
    """Write the widget's choice to the URL (removing the parameter when nothing is chosen)."""
    seen: dict[str, str | None] = st.session_state.setdefault(K_SEEN, {})
    text = None if value is None else _text(value)
    if text is None:
        if param in st.query_params:
            del st.query_params[param]
    elif st.query_params.get(param) != text:
        st.query_params[param] = text
    seen[param] = text


def selectbox(
    label: str,
    options: Sequence[T],
    *,
    param: str,
    key: str,
    default: T | None = None,
    format_func: Callable[[Any], str] = str,
    container: Any = None,
    **kwargs: Any,
) -> T | None:
    """st.selectbox whose choice lives in the URL parameter `param`."""
    sync_in(param, key, options, default)
    value = (container or st).selectbox(
        label, list(options), key=key, format_func=format_func, **kwargs
    )
    sync_out(param, value)
    return value


def radio(
    label: str,
    options: Sequence[T],
    *,
    param: str,
    key: str,
    default: T | None = None,
    format_func: Callable[[Any], str] = str,
    **kwargs: Any,
) -> T | None:
    """st.radio whose choice lives in the URL parameter `param`."""
    sync_in(param, key, options, default)
    value = st.radio(label, list(options), key=key, format_func=format_func, **kwargs)
    sync_out(param, value)
    return value


def segmented_control(
    label: str,
    options: Sequence[T],
    *,
    param: str,
    key: str,
    default: T | None = None,
    **kwargs: Any,
) -> T | None:
    """A single-choice, always-set st.segmented_control whose choice lives in the URL."""
    sync_in(param, key, options, default)
    value = st.segmented_control(label, list(options), key=key, required=True, **kwargs)
    sync_out(param, value)
    return value


def tabs(labels: Sequence[str], *, param: str, key: str) -> Sequence[Any]:
    """st.tabs whose open tab lives in the URL (tabs with a key rerun when switched)."""
    sync_in(param, key, labels, labels[0])
    containers = st.tabs(list(labels), key=key, on_change="rerun")
    sync_out(param, st.session_state.get(key))
    return containers


def multiselect(
    label: str,
    options: Sequence[T],
    *,
    param: str,
    key: str,
    format_func: Callable[[Any], str] = str,
    **kwargs: Any,
) -> list[T]:
    """st.multiselect whose choices live in the URL as a repeated parameter; unknown or
    out-of-scope values in a link are dropped (and `max_selections` still holds)."""
    seen: dict[str, Any] = st.session_state.setdefault(K_SEEN, {})
    raw = tuple(st.query_params.get_all(param))
    by_text = {_text(o): o for o in options}
    if raw and raw != seen.get(param):
        wanted = [by_text[v] for v in dict.fromkeys(raw) if v in by_text]
        st.session_state[key] = wanted[: kwargs.get("max_selections") or len(wanted)]
    current = st.session_state.get(key) or []
    st.session_state[key] = [v for v in current if _text(v) in by_text]
    values = st.multiselect(label, list(options), key=key, format_func=format_func, **kwargs)
    texts = [_text(v) for v in values]
    if list(st.query_params.get_all(param)) != texts:
        if texts:
            st.query_params[param] = texts
        elif param in st.query_params:
            del st.query_params[param]
    seen[param] = tuple(texts)
    return values
