"""The budget job's consumption read: the channel tensor (DSP x device x OS x source x week)
of the facts (read from them since migration 030 dropped agg_group_week), contracted to active and passive streams per track and
audience group."""

from __future__ import annotations

import datetime as dt

from data import aggregates
from data.results import budget as bdata

END = dt.date(2026, 6, 1)  # a Monday: the last week of the window starts here


def test_group_consumption_sums_active_and_passive_channels(store) -> None:
    cur = store.cursor()
    rows = [
        # one listening context per row: radio and chart are passive, collection and search
        # active; devices, DSPs, days of a week and weeks inside the window only add up
        (END, "spotify", "a", "mobile", "radio", 436),
        (END + dt.timedelta(days=6), "deezer", "a", "mobile", "collection", 200),
        (END - dt.timedelta(weeks=3), "spotify", "a", "desktop", "collection", 74),
        (END, "spotify", "a", "tv", "chart", 185),
        (END, "spotify", "b", "mobile", "search", 10),
        # before the 12-week window: not counted
        (END - dt.timedelta(weeks=12), "spotify", "a", "mobile", "collection", 1000),
    ]
    cur.executemany(
        "INSERT INTO trend_facts VALUES (1, ?, ?, ?, 'BR', NULL, '25-34', 'female', "
        "'premium', ?, 'android', ?, NULL, NULL, ?)",
        [list(r) for r in rows],
    )
    # a worldwide chart row repeats the countries' streams: never counted
    cur.execute(
        "INSERT INTO trend_facts VALUES (1, ?, 'spotify', 'a', 'XW', NULL, '25-34', 'female', "
        "'premium', 'mobile', 'android', 'chart', NULL, NULL, 999)",
        [END],
    )
    aggregates.refresh_all(cur)
    got = bdata.group_consumption(cur).set_index("isrc")
    assert got.loc["a", ["a", "p"]].tolist() == [274.0, 621.0]
    assert got.loc["b", ["a", "p"]].tolist() == [10.0, 0.0]
    assert got.loc["a", bdata.GROUP_COLS].tolist() == ["BR", "25-34", "female", "premium"]
    assert len(got) == 2  # one row per track and group
