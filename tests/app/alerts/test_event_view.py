"""The grouped feed's plain words: event titles and the downloadable table (hand-made rows)."""

from __future__ import annotations

import pandas as pd

from app.alerts import event_view


def _events() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "date": pd.to_datetime(["2026-09-15", "2026-08-01"]),
            "kind": ["drop", "release"],
            "name": ["نور الليل", "New entries"],
            "alerts": [1, 3],
            "tracks": [["GBLR22300585"], ["A1", "A2", "A3"]],
            "effect": [-0.641, float("nan")],  # a release: no move (the feed's query)
            "why": ["One track fell.", "3 tracks by 3 artists came out."],
            "status": ["open", "open"],
            "event_id": ["ev_1", "ev_2"],
        }
    )


def test_a_right_to_left_name_keeps_the_count_after_it() -> None:
    ev = _events()
    # without the isolate, "— 1" would be drawn inside the Arabic name's order
    assert event_view.event_title(ev.iloc[0]) == (
        "15 Sep 2026 · drop · \u2068نور الليل\u2069 — 1 alert"
    )
    assert event_view.event_title(ev.iloc[1]) == "01 Aug 2026 · release · New entries — 3 alerts"


def test_the_table_keeps_a_missing_move_missing() -> None:
    table = event_view.events_table(_events())
    assert table["Largest move (%)"].iloc[0] == -64.1
    assert pd.isna(table["Largest move (%)"].iloc[1])  # shown "–"
    assert table["Tracks"].tolist() == [1, 3]
    assert table["Track ISRCs"].iloc[1] == "A1 A2 A3"


def test_attribution_names_the_dsp_as_people_write_it() -> None:
    import json

    from app.alerts.view import attribution_table

    parts = [
        {"dimension": "dsp", "value": "apple_music", "share": 0.8, "excess": 800.0},
        {"dimension": "source", "value": "apple_music_radio", "share": 0.2, "excess": 200.0},
        {"dimension": "playlist_id", "value": "spotify:editorial_x", "share": 1.0, "excess": 9.0},
    ]
    table = attribution_table(pd.Series({"attribution": json.dumps(parts)}))
    assert table[["Dimension", "Value"]].values.tolist() == [
        ["DSP", "Apple Music"],
        ["Source", "Apple music radio"],  # a source in words, not as a DSP's name
        ["Playlist", "spotify:editorial_x"],  # an id stays as it is
    ]


def test_new_entries_are_worded_from_the_users_own_alerts() -> None:
    # the saved sentence counts every label; the page words a new-entries row from the
    # user's alerts: their largest release (2 tracks of one artist) and first-week alerts
    events = pd.DataFrame(
        {
            "event_id": ["ev_e", "ev_a"],
            "scope": ["entries", "artist"],
            "kind": ["release", "spike"],
            "alerts": [4, 1],
            "tracks": [["A1", "A2", "B1"], ["C1"]],
            "artists": [2, 1],
            "effect": [float("nan"), 0.5],
            "cause": [None, None],
            "why": [None, "One track jumped (largest move +50%)."],
        }
    )
    alerts = pd.DataFrame(
        {
            "event_id": ["ev_e"] * 4 + ["ev_a"],
            "artist_name": ["Nora", "Nora", "Hugo", "Hugo", "Vera"],
            "isrc": ["A1", "A2", "B1", "B1", "C1"],
            "event_date": pd.to_datetime(["2026-08-01"] * 3 + ["2026-08-04", "2026-08-02"]),
        }
    )
    out = event_view.with_entries_worded(events, alerts)
    assert out.why.tolist() == [
        "3 tracks by 2 artists came out or entered the chart on this day, 2 of them by Nora: "
        "the day's new entries, listed in the event, with 1 alert of their first week.",
        "One track jumped (largest move +50%).",
    ]
