"""The Audiences charts' words (hand-made adopters)."""

from __future__ import annotations

import pandas as pd

from app.recommend import view


def test_a_cut_chart_says_what_it_leaves_out() -> None:
    adopters = pd.DataFrame({"country": ["DE"] * 5 + ["US"] * 3 + ["FR", "NL"]})
    table = view.counts(adopters, "country")
    assert table["adopters"].tolist() == [5, 3, 1, 1]
    cut = view.count_figure(table, "country", top=2)
    assert list(cut.data[0].y) == [5, 3]
    assert cut.layout.title.text == "Likely adopters by country (top 2; 2 more with 2 adopters)"
    whole = view.count_figure(table, "country", top=12)
    assert whole.layout.title.text == "Likely adopters by country"
