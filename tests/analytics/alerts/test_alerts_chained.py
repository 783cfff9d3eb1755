"""Chain-linked artist totals over censored (chart) tracks: hand-worked cases."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analytics.alerts.chained import chain_linked, to_streams
from analytics.alerts.series import Series, artist_series

NA = np.nan


def test_complete_tracks_give_the_plain_sum() -> None:
    x = np.array([[10.0, 12.0, 9.0], [5.0, 6.0, 7.0]])
    assert np.allclose(chain_linked(x), [15.0, 18.0, 16.0])


def test_a_track_leaving_or_reentering_does_not_move_the_total() -> None:
    # track B is listed on day 0, off the chart on days 1-2, back on day 3; A is flat at 100
    x = np.array([[100.0, 100.0, 100.0, 100.0, 100.0], [80.0, NA, NA, 80.0, NA]])
    assert np.allclose(chain_linked(x), [180.0] * 5)


def test_a_new_track_adds_its_first_day_then_links() -> None:
    # B comes out on day 1 (its first listed day: new listening, +80), then leaves on day 3
    x = np.array([[100.0, 100.0, 100.0, 100.0], [NA, 80.0, 40.0, NA]])
    # day 1 = 100 * 180/100; day 2 = 180 * 140/180 = 140; day 3: B's exit is censoring
    assert np.allclose(chain_linked(x), [100.0, 180.0, 140.0, 140.0])


def test_common_tracks_ratio_is_cumulated_and_gaps_link_over() -> None:
    # A doubles from day 0 to day 1 (B listed from day 0); day 2 missing: day 3 links to 1
    x = np.array([[50.0, 100.0, NA, 100.0], [10.0, 20.0, NA, 40.0]])
    # day 1 = 60 * 120/60 = 120; day 3 = 120 * (100+40)/(100+20) = 140
    assert np.allclose(chain_linked(x), [60.0, 120.0, NA, 140.0], equal_nan=True)


def test_no_common_track_falls_back_to_the_plain_ratio() -> None:
    x = np.array([[10.0, NA], [NA, 30.0]])
    assert np.allclose(chain_linked(x), [10.0, 30.0])


def test_artist_series_chains_only_censored_units() -> None:
    counts = np.array([[100.0, 100.0, 100.0], [50.0, NA, 50.0], [10.0, 10.0, 10.0], [5.0, NA, 5.0]])
    tracks = Series(
        np.array(["c1", "c2", "d1", "d2"]), pd.date_range("2017-01-01", periods=3), counts, counts
    )
    catalog = pd.DataFrame(
        {
            "isrc": ["c1", "c2", "d1", "d2"],
            "artist_id": ["chart", "chart", "delivered", "delivered"],
            "label": ["L", "L", "L", "L"],
            "censored": [True, True, False, False],
        }
    )
    a = artist_series(tracks, catalog)
    assert list(a.ids) == ["chart", "delivered"]
    assert np.allclose(a.counts[0], [150.0, 150.0, 150.0])  # the gap is censoring
    assert np.allclose(a.counts[1], [15.0, 10.0, 15.0])  # a complete delivery: plain sum


def test_index_numbers_are_shown_in_listed_streams() -> None:
    # the index reads 200 where 100 streams were listed (scale 0.5): shown as 100, the
    # relative move kept; a later (forecast) day takes the last known scale; a plain unit
    # (scale 1) and an unknown unit stay as they are
    dates = pd.date_range("2017-01-01", periods=3)
    scale = np.array([[1.0, 0.5, NA], [1.0, 1.0, 1.0]])
    rows = pd.DataFrame(
        {
            "subject_id": ["a", "a", "b", "zz"],
            "label": ["L", "L", "L", "L"],
            "date": pd.to_datetime(["2017-01-02", "2017-01-09", "2017-01-02", "2017-01-02"]),
            "observed": [200.0, NA, 50.0, 7.0],
            "expected": [100.0, 80.0, 40.0, 7.0],
        }
    )
    out = to_streams(rows, np.array(["a", "b"]), ["L", "L"], dates, scale)
    assert np.allclose(out.observed, [100.0, NA, 50.0, 7.0], equal_nan=True)
    assert np.allclose(out.expected, [50.0, 40.0, 40.0, 7.0])


def test_a_tracks_countries_chain_without_entries_or_turnover() -> None:
    from analytics.alerts.chained import chain_linked_parts

    # every country every day: the plain sum
    assert np.allclose(chain_linked_parts(np.array([[10.0, 12.0], [5.0, 6.0]])), [15.0, 18.0])
    # country B lists the track on day 1 only: censoring, not new listening (A is flat)
    x = np.array([[100.0, 100.0, 100.0], [NA, 50.0, NA]])
    assert np.allclose(chain_linked_parts(x), [100.0, 100.0, 100.0])
    # A doubles while B is listed: the move of the countries listed on both days counts
    x = np.array([[100.0, 200.0, 200.0], [40.0, 40.0, NA]])
    assert np.allclose(chain_linked_parts(x), [140.0, 140.0 * 240 / 140, 140.0 * 240 / 140])
    # day 1 shares no country with day 0: nothing to compare, it stays missing, and day 2
    # links to day 0 (A: 100 -> 110)
    x = np.array([[100.0, NA, 110.0], [NA, 30.0, NA]])
    assert np.allclose(chain_linked_parts(x), [100.0, NA, 110.0], equal_nan=True)


def test_chain_countries_keeps_listed_streams_in_its_scale() -> None:
    from analytics.alerts.series import chain_countries, listed

    dates = pd.date_range("2017-01-01", periods=3)
    counts = np.array([[150.0, 100.0, 150.0], [7.0, 8.0, 9.0]])
    tracks = Series(np.array(["t1", "t2"]), dates, counts, counts.copy(), np.array(["L", "L"]))
    rows = pd.DataFrame(
        {
            "isrc": ["t1"] * 5 + ["t2"] * 3,
            "country": ["gb", "gb", "gb", "se", "se", "gb", "gb", "gb"],
            "date": [*dates, dates[0], dates[2], *dates],
            "streams": [100.0, 100.0, 100.0, 50.0, 50.0, 7.0, 8.0, 9.0],
        }
    )
    out = chain_countries(tracks, rows)
    assert np.allclose(out.counts[0], [150.0, 150.0, 150.0])  # Sweden's days are censoring
    assert np.allclose(out.counts[1], counts[1])  # one country: as delivered
    assert np.allclose(listed(out), counts)  # the scale turns the index back
    assert chain_countries(tracks, rows[rows.isrc == "t2"]) is tracks  # nothing to chain


def test_a_country_listing_the_track_now_and_then_raises_no_spike() -> None:
    """SYNTHETIC: a track flat at 20k a day in one country, and listed on a second
    country's chart on a random 15 % of days (12k there, below its cutoff the rest of the
    time). Summed, each listed day reads as a +60 % jump; chained over the countries the
    track is flat, and nothing is flagged."""
    from analytics.alerts.chained import chain_linked_parts
    from analytics.alerts.detect import detect
    from analytics.alerts.kalman import Hyper

    hp = Hyper(irregular=1e-3, level=1e-4, trend=5e-6, seasonal=1e-6)
    for seed in range(3):
        rng = np.random.default_rng(seed)
        a = 20_000 * np.exp(rng.normal(0, 0.03, 300))
        b = np.where(rng.random(300) < 0.15, 12_000 * np.exp(rng.normal(0, 0.03, 300)), NA)
        x = np.vstack([a, b])
        summed = detect(np.nansum(x, axis=0)[None, :], hp).alerts
        assert (summed.kind == "spike").sum() >= 10  # the failure the chain removes
        assert detect(chain_linked_parts(x)[None, :], hp).alerts.empty
