"""Attribution, growth metrics and the opportunity rule on hand-worked cases."""

from __future__ import annotations

import pandas as pd
import pytest

from analytics.alerts.attribution import attribute as attribute_with
from analytics.alerts.attribution import classify
from analytics.alerts.attribution import growth_metrics as growth_with
from data.vocab import ACTIVE_SOURCES


def attribute(before, during, expected_total, kind):
    return attribute_with(before, during, expected_total, kind, active=ACTIVE_SOURCES)


def growth_metrics(rows, start, end):
    return growth_with(rows, start, end, active=ACTIVE_SOURCES)


def _rows(spec):
    return pd.DataFrame(spec, columns=["dsp", "source", "playlist_id", "streams"])


def test_playlist_add_is_named_with_its_share():
    # Before (per day over 2 days): spotify search 60, apple collection 40.
    before = _rows([("spotify", "search", None, 120), ("apple_music", "collection", None, 80)])
    # During (2 days): the same plus an editorial playlist on apple: 150 + a little search.
    during = _rows(
        [
            ("spotify", "search", None, 130),
            ("apple_music", "collection", None, 80),
            ("apple_music", "editorial_playlist", "apple_music:editorial:0007", 150),
        ]
    )
    att = attribute(before, during, expected_total=200.0, kind="spike")
    # excess = 360 - 200 = 160; the playlist explains 150/160, spotify search 10/160.
    assert att.excess == pytest.approx(160.0)
    shares = {(p["dimension"], p["value"]): p["share"] for p in att.parts}
    assert shares[("playlist_id", "apple_music:editorial:0007")] == pytest.approx(150 / 160, 1e-3)
    assert shares[("dsp", "apple_music")] == pytest.approx(150 / 160, 1e-3)
    assert shares[("context", "passive")] == pytest.approx(150 / 160, 1e-3)
    assert (att.cause_dimension, att.cause_value) == ("playlist_id", "apple_music:editorial:0007")
    assert att.cause.startswith("editorial playlist add on Apple Music")
    assert "94% of the excess" in att.cause


def test_a_drop_is_attributed_to_what_fell():
    before = _rows([("spotify", "search", None, 100), ("spotify", "editorial_playlist", "p1", 100)])
    during = _rows([("spotify", "search", None, 100)])
    att = attribute(before, during, expected_total=200.0, kind="drop")
    assert att.excess == pytest.approx(-100.0)
    assert (att.cause_dimension, att.cause_value) == ("playlist_id", "p1")
    assert "removal" in att.cause and "100% of the excess" in att.cause


def test_search_surge_without_a_playlist_names_the_source():
    before = _rows([("spotify", "search", None, 50), ("spotify", "radio", None, 50)])
    during = _rows([("spotify", "search", None, 250), ("spotify", "radio", None, 50)])
    att = attribute(before, during, expected_total=100.0, kind="spike")
    assert (att.cause_dimension, att.cause_value) == ("source", "search")
    assert att.cause == "search streams spike on Spotify: 100% of the excess"


def _listeners():
    d = pd.Timestamp("2026-01-01")
    rows = []
    for i in range(40):
        lid = f"L{i}"
        first = "radio" if i < 20 else "search"
        rows.append((lid, d, first))
        if i < 10:  # half of the passive starters come back actively
            rows.append((lid, d + pd.Timedelta(days=40), "collection"))
        if 20 <= i < 25:  # a quarter of the search starters return from their collection
            rows.append((lid, d + pd.Timedelta(days=45), "collection"))
    return pd.DataFrame(rows, columns=["listener_id", "date", "source"])


def test_growth_metrics_hand_worked():
    g = growth_metrics(_listeners(), pd.Timestamp("2026-01-01"), pd.Timestamp("2026-03-01"))
    assert g.available and g.listeners == 40
    assert g.passive_to_active == pytest.approx(10 / 20)
    assert g.search_conversion == pytest.approx(5 / 20)
    assert g.drop_off == pytest.approx(1 - 15 / 40)  # 15 of 40 seen again in the 2nd half


def test_too_few_listeners_is_unavailable_and_not_an_opportunity():
    g = growth_metrics(
        _listeners().head(10), pd.Timestamp("2026-01-01"), pd.Timestamp("2026-03-01")
    )
    assert not g.available and "needs 20" in g.note
    opp = classify("spike", g, {"passive_to_active": 0.1})
    assert not opp.opportunity and opp.goal is None and "unavailable" in opp.reason


def test_goals():
    g = growth_metrics(_listeners(), pd.Timestamp("2026-01-01"), pd.Timestamp("2026-03-01"))
    bench = {"passive_to_active": 0.3, "search_conversion": 0.2, "drop_off": 0.7}
    assert classify("growth", g, bench).goal == "accelerate"  # 50% >= 30%
    assert classify("spike", g, bench | {"passive_to_active": 0.6}).goal == "expand"
    assert not classify(
        "spike", g, {"passive_to_active": 0.6, "search_conversion": 0.5}
    ).opportunity
    assert classify("decline", g, bench).goal == "sustain"  # drop-off 62.5% <= 70%
    assert not classify("drop", g, bench | {"drop_off": 0.5}).opportunity
