"""Shared widgets: page header with the demo badge, the model-run header, tables with CSV
download, KPI cards."""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from typing import Any

import pandas as pd
import streamlit as st

from analytics.catalog import kpis
from app import services, wording
from app.safe_text import plot as plot_text  # noqa: F401  (figures import it from here)
from data import spreadsheet
from data.results.runs import ModelRun

PRODUCT = "Label Radar"
DEMO_BADGE = "Demo data (synthetic)"
REAL_BADGE = "Real public chart data"


def data_through_caption() -> None:
    """Which published version of the data the app shows now (it moves forward at the first
    rerun after a load or refresh publishes a new one)."""
    through, version = services.data_through()
    if through is None:
        return
    st.caption(
        f"Data through {through:%d %b %Y}" + (f" · version {version}" if version else ""),
        help="Loads and refreshes publish a new version; every page switches to it at its "
        "next rerun, without a restart.",
    )


def demo_badge() -> None:
    """A clear badge when the store holds generated demo data."""
    if services.is_demo():
        st.badge(
            DEMO_BADGE,
            icon=":material/science:",
            color="orange",
            help="This store was built by the synthetic generator: no real streams.",
        )
    elif services.is_real_charts():
        st.badge(
            REAL_BADGE,
            icon=":material/public:",
            color="blue",
            help="Imported from public daily Spotify charts: real streams, top 200 only.",
        )


def page_header(title: str, caption: str | None = None) -> None:
    st.title(title)
    demo_badge()
    if caption:
        st.caption(caption)


def model_run_header(feature: str, what: str) -> ModelRun | None:
    """The one "model computed ..." line of a feature page, from the feature's latest
    `model_runs` row. When the job never ran on this store it says how to run it and
    returns None (the page then stops)."""
    run = services.model_run(feature)
    if run is None:
        no_data(
            f"The {what} has not been computed on this store yet. An operator can run "
            f"`labelradar refresh` (or `labelradar refresh --only {feature}`)."
        )
        return None
    through = f" from data through {run.data_through:%d %b %Y}" if run.data_through else ""
    st.caption(
        f"{what[:1].upper()}{what[1:]} computed {run.computed_at:%d %b %Y %H:%M} UTC{through}",
        help="Models are fitted by the batch job `labelradar refresh`, never on page load.",
    )
    return run


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "table"


def csv_bytes(df: pd.DataFrame) -> bytes:
    """UTF-8 CSV with a BOM so spreadsheet programs read accents and emoji correctly.

    Text cells that a spreadsheet would run as a formula (=, +, -, @ first, also after
    leading spaces; or a tab or CR first) get a leading apostrophe: titles come from DSP
    files and must not execute on a manager's machine (data/spreadsheet.py).
    """
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(spreadsheet.defuse)
    return out.to_csv(index=False).encode("utf-8-sig")


def _file_name(name: str) -> str:
    """A download name of letters, digits, dots, dashes and underscores only: names carry
    ids from data files, and a browser or spreadsheet program must not read more into
    them."""
    if not name.endswith(".csv"):
        return f"{_slug(name)}.csv"
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", name[: -len(".csv")]).strip("-.")
    return f"{stem or 'table'}.csv"


def csv_download(
    df: pd.DataFrame, file_name: str, *, key: str, label: str = "Download CSV"
) -> None:
    """The one CSV download button every table uses (the table toolbar's own download is
    switched off in .streamlit/config.toml: it exports formulas as they are)."""
    name = _file_name(file_name)
    st.download_button(
        label,
        data=functools.partial(csv_bytes, df),  # built only when clicked
        file_name=name,
        mime="text/csv",
        key=key,
        icon=":material/download:",
        on_click="ignore",
        type="tertiary",
    )


# A missing figure in a table (no interval from too few campaigns, no move for a release):
# a dash, as the KPI cards and map tooltips show it, not Streamlit's default "None".
MISSING = "–"


def table(
    df: pd.DataFrame,
    *,
    key: str,
    file_name: str,
    column_config: Mapping[str, Any] | None = None,
    csv_df: pd.DataFrame | None = None,
    height: int | str = "auto",
) -> None:
    """A read-only table (text shown verbatim) with its CSV download underneath.

    `csv_df` lets the download carry raw values (e.g. unrounded) where the table shows
    formatted ones; by default the download is exactly the table. Columns are named from
    the vocabulary (app/wording.py) unless `column_config` names them; the CSV keeps the
    technical column names, which spreadsheets and scripts key on.
    """
    st.dataframe(
        df,
        hide_index=True,
        column_config=wording.column_config(df.columns, column_config),
        height=height,
        placeholder=MISSING,
        key=f"{key}_table",
    )
    csv_download(csv_df if csv_df is not None else df, file_name, key=f"{key}_csv")


def no_data(message: str | None = None) -> None:
    st.info(
        message
        or "No streams match these filters. Try a wider date range, or clear the artist "
        "and country filters in the sidebar.",
        icon=":material/filter_alt_off:",
    )


def fmt_int(value: float | None) -> str:
    return "–" if value is None else f"{value:,.0f}"


def kpi_card(
    label: str,
    change: kpis.Change,
    *,
    value_text: str | None = None,
    delta_text: str | None = None,
    help: str | None = None,
    compared_with: str | None = None,
) -> None:
    """One KPI card: the value and its change against the previous period."""
    delta = delta_text if delta_text is not None else kpis.format_pct(change.pct)
    st.metric(
        label,
        value_text if value_text is not None else fmt_int(change.current),
        delta=delta,
        help=help,
        border=True,
        delta_description=compared_with if delta else None,
    )
