"""The budget job's consumption read: the channel tensor (DSP x device x OS x source x week)
contracted in SQL to active and passive streams per track and audience group."""

from __future__ import annotations

import datetime as dt

from data.results import budget as bdata

END = dt.date(2026, 6, 1)


def test_group_consumption_sums_active_and_passive_channels(store) -> None:
    cur = store.cursor()
    rows = [
        # one listening context per row: radio and chart are passive, collection and search
        # active; devices and weeks inside the window only add up
        (END, "a", "mobile", "radio", 436),
        (END, "a", "mobile", "collection", 200),
        (END - dt.timedelta(weeks=3), "a", "desktop", "collection", 74),
        (END, "a", "mobile", "chart", 185),
        (END, "b", "mobile", "search", 10),
        # before the 12-week window: not counted
        (END - dt.timedelta(weeks=12), "a", "mobile", "collection", 1000),
    ]
    cur.executemany(
        "INSERT INTO agg_group_week VALUES (?, 'spotify', ?, 'BR', '25-34', 'female', "
        "'premium', ?, 'android', ?, ?)",
        [list(r) for r in rows],
    )
    got = bdata.group_consumption(cur).set_index("isrc")
    assert got.loc["a", ["a", "p"]].tolist() == [274.0, 621.0]
    assert got.loc["b", ["a", "p"]].tolist() == [10.0, 0.0]
    assert got.loc["a", bdata.GROUP_COLS].tolist() == ["BR", "25-34", "female", "premium"]
    assert len(got) == 2  # one row per track and group
