"""The artist forecast's line on its tracks out today, by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from app.forecast.view import Fan, tracks_out_of, tracks_out_text

EMPTY = pd.DataFrame(columns=["date", "p10", "p50", "p90"])


def _fan(own: float, tracks_out: tuple[int, float] | None) -> Fan:
    return Fan(EMPTY, EMPTY, (own * 0.8, own, own * 1.2), tracks_out)


@pytest.mark.parametrize(
    "own,out,says",
    [
        (11_300.0, (14, 10_000.0), "(14) are expected to stream 10,000 over the same days"),
        (11_300.0, (14, 10_000.0), "The artist forecast is 13% higher: it models"),
        (9_000.0, (2, 10_000.0), "The artist forecast is 10% lower; it models"),
        (10_020.0, (3, 10_000.0), "agrees."),
    ],
)
def test_the_line_names_the_sum_and_the_gap(own, out, says) -> None:
    text = tracks_out_text(_fan(own, out))
    assert text is not None and says in text
    assert "tracks still to come" in text


def test_no_line_for_a_track_and_a_plain_one_for_an_artist_without_forecast_tracks() -> None:
    assert tracks_out_text(_fan(500.0, None)) is None
    text = tracks_out_text(_fan(500.0, (0, 0.0)))
    assert text is not None and "None of its tracks has a forecast" in text


def test_tracks_out_of_reads_an_empty_sum_as_zero() -> None:
    none = pd.DataFrame({"tracks": [0], "total_p50": [float("nan")]})
    assert tracks_out_of(none) == (0, 0.0)
    some = pd.DataFrame({"tracks": [3], "total_p50": [1234.5]})
    assert tracks_out_of(some) == (3, 1234.5)


def test_the_quarter_line_writes_its_figures_with_separators() -> None:
    from app.forecast.view import quarter_text

    row = pd.Series(
        {"tracks": 1077, "total_p10": 16.7e6, "total_p50": 18156077.4, "total_p90": 19.7e6}
    )
    text = quarter_text(row)
    assert text.startswith("Expected streams, next 90 days: 18,156,077 (80 % interval 16,700,000")
    assert "median forecast of the 1,077 tracks" in text
