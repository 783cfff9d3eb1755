"""Every table goes through widgets.table: what a missing figure shows (AppTest)."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from app import widgets


def _page() -> None:
    import pandas as pd

    from app import widgets

    widgets.table(pd.DataFrame({"low": [1.0, None]}), key="t", file_name="t")


def test_a_missing_figure_shows_a_dash_not_none() -> None:
    at = AppTest.from_function(_page).run()
    assert not at.exception
    shown = at.dataframe[0]
    assert shown.proto.placeholder == widgets.MISSING == "–"
    assert shown.value["low"].isna().tolist() == [False, True]  # the data stays missing
