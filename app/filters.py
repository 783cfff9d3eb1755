"""The sidebar filters shared by every page, mirrored in the URL's query parameters.

- The values live in st.session_state (widget keys below), so they survive page switches.
- On the first signed-in run of a session they are read from st.query_params; values that
  are invalid or outside the user's scope are dropped with a small notice.
- On every run they are written back to st.query_params, so the URL shares the view.

Query parameters: label (repeated), artist (repeated artist id), from / to (YYYY-MM-DD),
country (repeated ISO alpha-2 code; a comma-separated list is accepted too).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pandas as pd
import streamlit as st

from analytics.catalog import kpis
from app import geo, services, state
from data.queries import Filters
from data.queries import catalog as catalog_queries
from data.scope import Scope

QP_LABEL, QP_ARTIST, QP_FROM, QP_TO, QP_COUNTRY = "label", "artist", "from", "to", "country"
QUERY_KEYS = (QP_LABEL, QP_ARTIST, QP_FROM, QP_TO, QP_COUNTRY)

K_LABELS = "flt_labels"
K_ARTISTS = "flt_artists"
K_DATES = "flt_dates"
K_COUNTRIES = "flt_countries"
K_OWNER = "flt_owner"  # the user the filter state was initialised for
K_NOTICES = "flt_notices"
K_LAST_RANGE = "flt_last_range"  # last complete date range (the picker passes through 1-tuples)

DEFAULT_DAYS = 90


def _clear_notices() -> None:
    st.session_state[K_NOTICES] = []


def _parse_date(text: str | None) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        return None


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _init_from_url(
    scope: Scope,
    label_options: Sequence[str],
    artist_ids: Sequence[str],
    country_options: Sequence[str],
    data_min: dt.date | None,
    data_max: dt.date | None,
) -> None:
    """Set the widget values from the URL (first signed-in run of a session).

    Notices never echo the URL's text: a crafted link cannot put its words on the page.
    """
    qp = st.query_params
    notices: list[str] = []

    wanted = qp.get_all(QP_LABEL)
    labels = [lab for lab in dict.fromkeys(wanted) if lab in label_options]
    if len(labels) < len(set(wanted)):
        bad = len(set(wanted)) - len(labels)
        notices.append(f"The link named {_plural(bad, 'label')} you cannot see; ignored.")

    wanted = qp.get_all(QP_ARTIST)
    artists = [a for a in dict.fromkeys(wanted) if a in set(artist_ids)]
    if len(artists) < len(set(wanted)):
        bad = len(set(wanted)) - len(artists)
        notices.append(f"The link named {_plural(bad, 'artist')} you cannot see; ignored.")

    wanted = [code.strip().upper() for raw in qp.get_all(QP_COUNTRY) for code in raw.split(",")]
    wanted = [code for code in dict.fromkeys(wanted) if code]
    countries = [code for code in wanted if code in set(country_options)]
    if len(countries) < len(wanted):
        bad = len(wanted) - len(countries)
        notices.append(
            f"The link named {_plural(bad, 'country')} without data for your labels; ignored."
        )

    dates = None
    window = kpis.default_window(data_min, data_max, DEFAULT_DAYS)
    if window is not None:
        raw_from, raw_to = qp.get(QP_FROM), qp.get(QP_TO)
        d_from, d_to = _parse_date(raw_from), _parse_date(raw_to)
        if (raw_from and d_from is None) or (raw_to and d_to is None):
            notices.append("The link's dates are not valid (expected YYYY-MM-DD); ignored.")
        d_from = d_from if d_from is not None else window[0]
        d_to = d_to if d_to is not None else window[1]
        clamped_from = min(max(d_from, data_min), data_max)
        clamped_to = min(max(d_to, data_min), data_max)
        if d_from > d_to:
            notices.append("The link's start date is after its end date; ignored.")
            dates = window
        elif (clamped_from, clamped_to) != (d_from, d_to):
            notices.append(
                f"The link's dates reach beyond the data ({data_min} to {data_max}); "
                "adjusted to fit."
            )
            dates = (clamped_from, clamped_to)
        else:
            dates = (d_from, d_to)

    st.session_state[K_LABELS] = labels
    st.session_state[K_ARTISTS] = artists
    st.session_state[K_COUNTRIES] = countries
    if dates is not None:
        st.session_state[K_DATES] = dates
        st.session_state[K_LAST_RANGE] = dates
    st.session_state[K_NOTICES] = notices
    st.session_state[K_OWNER] = scope.username


def _keep_valid(key: str, options: Sequence[str]) -> None:
    """Drop selected values that are no longer options (e.g. artists of an unselected label)."""
    allowed = set(options)
    current = st.session_state.get(key) or []
    kept = [v for v in current if v in allowed]
    if kept != current or key not in st.session_state:
        st.session_state[key] = kept


def _keep_dates_in(data_min: dt.date, data_max: dt.date) -> None:
    window = kpis.default_window(data_min, data_max, DEFAULT_DAYS)
    value = st.session_state.get(K_DATES)
    if not isinstance(value, tuple | list) or len(value) == 0:
        st.session_state[K_DATES] = window
        return
    fixed = tuple(min(max(d, data_min), data_max) for d in value)
    if fixed != tuple(value):
        st.session_state[K_DATES] = fixed


def reset() -> None:
    """Back to all labels, artists and countries over the default window."""
    for key in (K_LABELS, K_ARTISTS, K_COUNTRIES, K_DATES, K_LAST_RANGE):
        st.session_state.pop(key, None)
    _clear_notices()


def _artist_names(df: pd.DataFrame) -> dict[str, str]:
    names = dict(zip(df["artist_id"], df["artist_name"], strict=True))
    counts = df["artist_name"].value_counts()
    return {
        aid: (f"{name} ({aid})" if counts.get(name, 0) > 1 else name) for aid, name in names.items()
    }


def sidebar_filters(scope: Scope) -> Filters:
    """Draw the filters in the sidebar, sync them with the URL and return them."""
    label_options = list(services.query(catalog_queries.labels, scope)["label"])
    data_min, data_max = services.query(catalog_queries.data_range, scope)
    country_options = list(services.query(catalog_queries.countries, scope)["country"])
    all_artists = services.query(catalog_queries.artists, scope)

    if st.session_state.get(K_OWNER) != scope.username:
        _init_from_url(
            scope,
            label_options,
            list(all_artists["artist_id"]),
            country_options,
            data_min,
            data_max,
        )

    sb = st.sidebar
    sb.markdown("**Filters**")
    _keep_valid(K_LABELS, label_options)
    labels = sb.multiselect(
        "Label", label_options, key=K_LABELS, placeholder="All my labels", on_change=_clear_notices
    )
    artists_df = (
        services.query(catalog_queries.artists, scope, Filters(labels=tuple(labels)))
        if labels
        else all_artists
    )
    names = _artist_names(artists_df)
    _keep_valid(K_ARTISTS, list(names))
    artist_ids = sb.multiselect(
        "Artist",
        list(names),
        format_func=lambda aid: names.get(aid, aid),
        key=K_ARTISTS,
        placeholder="All artists",
        on_change=_clear_notices,
    )

    date_from = date_to = None
    if data_min is None or data_max is None:
        sb.caption("No streams have been loaded for your labels yet.")
    else:
        _keep_dates_in(data_min, data_max)
        picked = sb.date_input(
            "Dates",
            min_value=data_min,
            max_value=data_max,
            key=K_DATES,
            format="YYYY-MM-DD",
            on_change=_clear_notices,
            help=f"Data from {data_min} to {data_max}. Default: the last {DEFAULT_DAYS} days.",
        )
        if isinstance(picked, tuple | list) and len(picked) == 2:
            date_from, date_to = picked
            st.session_state[K_LAST_RANGE] = (date_from, date_to)
        else:  # the user is still picking the end date
            date_from, date_to = st.session_state.get(K_LAST_RANGE) or kpis.default_window(
                data_min, data_max, DEFAULT_DAYS
            )

    _keep_valid(K_COUNTRIES, country_options)
    countries = sb.multiselect(
        "Country",
        country_options,
        format_func=lambda code: f"{geo.country_name(code)} ({code})",
        key=K_COUNTRIES,
        placeholder="All countries",
        on_change=_clear_notices,
    )
    sb.button("Reset filters", on_click=reset, icon=":material/filter_alt_off:", type="tertiary")
    for notice in st.session_state.get(K_NOTICES) or []:
        sb.warning(notice, icon=":material/link_off:")

    filters = Filters(
        labels=tuple(labels),
        artist_ids=tuple(artist_ids),
        date_from=date_from,
        date_to=date_to,
        countries=tuple(countries),
    )
    state.set_filters(filters)
    write_query_params(filters)
    return filters


def to_query_params(filters: Filters) -> dict[str, list[str]]:
    return {
        QP_LABEL: list(filters.labels),
        QP_ARTIST: list(filters.artist_ids),
        QP_FROM: [filters.date_from.isoformat()] if filters.date_from else [],
        QP_TO: [filters.date_to.isoformat()] if filters.date_to else [],
        QP_COUNTRY: list(filters.countries),
    }


def write_query_params(filters: Filters) -> None:
    """Mirror the filters in the URL, touching only our keys (pages may add their own)."""
    qp = st.query_params
    for key, values in to_query_params(filters).items():
        if qp.get_all(key) == values:
            continue
        if values:
            qp[key] = values if len(values) > 1 else values[0]
        elif key in qp:
            del qp[key]
