"""The Fan types page's view model: wording from the model run, the artist choice and the
thresholds in words."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from app.fans import view
from data.results.runs import ModelRun


def _run(window_days: int | None) -> ModelRun:
    return ModelRun(
        run_id=1,
        job="fans",
        computed_at=dt.datetime(2026, 3, 2, 10, 30),
        data_through=dt.date(2026, 2, 28),
        seconds=1.0,
        params={"window_days": window_days},
        summary={},
    )


def test_description_names_the_modelled_window() -> None:
    assert "over the 30 days to 28 Feb 2026 (" in view.description(_run(30))
    assert "over the whole history (" in view.description(_run(None))
    assert "over the whole history (" in view.description(None)


def test_artist_choice_labels_and_comparable_artists() -> None:
    artists = pd.DataFrame(
        {
            "artist_id": ["A", "B", "C"],
            "artist_name": ["Alpha", "Beta", "Gamma"],
            "label": ["L", "L", "L"],
            "listeners": [1200, 0, 7],
        }
    )
    choice = view.ArtistChoice.of(artists)
    assert choice.ids == ["A", "B", "C"]
    assert choice.label("A") == "1,200 listeners with ids · Alpha"
    assert choice.others("A") == ["C"]  # B has no listener ids: nothing to compare
    assert choice.others("C") == ["A"]


def test_thresholds_in_words_say_when_profiles_never_cross() -> None:
    profiles = pd.DataFrame(
        {"name": ["passive", "casual", "diehard"], "mean_streams": [3.0, 25.0, 140.0]}
    )
    thresholds = pd.DataFrame(
        {
            "lower_name": ["passive", "casual"],
            "upper_name": ["casual", "diehard"],
            "streams": [9.4, np.nan],
        }
    )
    first, second = view.thresholds_text(thresholds, profiles)
    assert first.startswith("A listener with more than **9** streams")
    assert "(profile mean 25)" in first and "(mean 3)" in first
    assert second.startswith("The diehard and casual profiles never cross")
