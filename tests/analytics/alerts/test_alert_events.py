"""Grouping alerts into events, on hand-made alert frames (SYNTHETIC, known answers)."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from analytics.alerts.event_text import why
from analytics.alerts.events import EVENT_COLUMNS, GroupConfig, event_id, group_events

D = dt.date(2025, 3, 10)


def _day(n: int) -> dt.date:
    return D + dt.timedelta(days=n)


def _catalog(artists: int = 20, tracks_each: int = 3) -> pd.DataFrame:
    rows = []
    for a in range(artists):
        for t in range(tracks_each):
            rows.append(
                {
                    "isrc": f"T{a:02d}{t}",
                    "artist_id": f"A{a:02d}",
                    "artist_name": f"Artist {a}",
                    "label": "L1" if a < 10 else "L2",
                    "release_date": dt.date(2024, 1, 1),
                }
            )
    return pd.DataFrame(rows)


def _alert(isrc, artist, kind, day, observed=200.0, expected=100.0, label=None, cause="x"):
    a = int(artist[1:])
    return {
        "alert_key": f"{isrc or artist}|{kind}|{day}",
        "subject": "track" if isrc else "artist",
        "isrc": isrc,
        "artist_id": artist,
        "label": label or ("L1" if a < 10 else "L2"),
        "kind": kind,
        "event_date": _day(day),
        "probability": 0.999,
        "observed": observed,
        "expected": expected,
        "cause": cause,
    }


def _group(rows, catalog=None, config=None):
    return group_events(pd.DataFrame(rows), catalog if catalog is not None else _catalog(), config)


def test_artist_alert_and_its_tracks_on_one_day_are_one_event():
    rows = [
        _alert(None, "A01", "spike", 0, 1310, 1000, cause="artist cause"),
        _alert("T010", "A01", "spike", 0, 300, 100, cause="track cause"),
        _alert("T011", "A01", "drop", 0, 50, 100),  # same day, other kind: same event
        _alert("T012", "A01", "spike", 1),  # same kind one day later: same event
    ]
    events, members = _group(rows)
    assert len(events) == 1
    e = events.iloc[0]
    assert (e.scope, e.subject, e.artist_id, e.label) == ("artist", "Artist 1", "A01", "L1")
    assert e.kind == "spike"  # named by the artist-level alert
    assert e.date == _day(0) and e.alerts == 4
    assert e.tracks == ["T010", "T011", "T012"]
    assert abs(e.effect - (301 / 101 - 1)) < 1e-12  # the largest move: the +198 % track
    assert e.cause == "track cause"
    assert e.why.startswith("The artist total and 3 tracks jumped together (largest move +198%)")
    assert sorted(members.alert_key) == sorted(r["alert_key"] for r in rows)


def test_other_kinds_two_days_apart_and_other_artists_stay_apart():
    rows = [
        _alert("T010", "A01", "spike", 0),
        _alert("T011", "A01", "drop", 1),  # other kind, next day: apart
        _alert("T012", "A01", "spike", 3),  # same kind, 3 days later: apart
        _alert("T020", "A02", "spike", 0),  # other artist
    ]
    # (stories off: with them, A01's later moves, no larger than its first, join it)
    events, _ = _group(rows, config=GroupConfig(story_days=0))
    assert len(events) == 4
    assert set(events.alerts) == {1}
    assert events.iloc[0].why == "One track jumped (largest move +99%): x."


def test_a_catalogue_wide_move_is_one_row_with_no_artist():
    # 6 of 20 artists up on the same day (threshold: max(5, 2% of 20) = 5), one down.
    rows = [_alert(f"T{a:02d}0", f"A{a:02d}", "spike", 2) for a in range(6)]
    rows.append(_alert(None, "A03", "growth", 2, 150, 100))
    rows.append(_alert("T070", "A07", "drop", 2, 10, 100))
    events, members = _group(rows)
    wide = events[events.scope == "catalogue"]
    assert len(wide) == 1 and len(events) == 2
    w = wide.iloc[0]
    assert w.subject == "Catalogue" and pd.isna(w.artist_id) and pd.isna(w.label)
    assert w.alerts == 7 and w.artists == 6 and w.kind == "spike"
    assert w.event_id == event_id("catalogue", "up", _day(2).isoformat())
    assert len(w.tracks) == 6
    assert w.why.startswith("6 artists (6 tracks) jumped on the same day")
    # the lone drop is its own artist event
    assert events[events.scope == "artist"].iloc[0].artist_id == "A07"
    assert members.event_id.nunique() == 2 and len(members) == 8


def test_below_the_catalogue_threshold_artists_stay_apart():
    rows = [_alert(f"T{a:02d}0", f"A{a:02d}", "spike", 2) for a in range(4)]
    events, _ = _group(rows)
    assert list(events.scope) == ["artist"] * 4
    # a larger catalogue raises the bar: 6 artists of 400 is not catalogue-wide at 2 %
    rows = [_alert(f"T{a:02d}0", f"A{a:02d}", "spike", 2) for a in range(6)]
    events, _ = _group(rows, _catalog(artists=400))
    assert "catalogue" not in set(events.scope)
    events, _ = _group(rows, _catalog(artists=400), GroupConfig(catalogue_min_share=0.01))
    assert list(events.scope) == ["catalogue"]


def test_the_catalogue_share_counts_the_days_artists_with_streams():
    # 6 artists of a 400-artist catalogue move on day 2, but only 100 have streams that day
    # (a chart lists a fifth of its year's artists on a day): max(5, 2 % of 100) = 5
    rows = [_alert(f"T{a:02d}0", f"A{a:02d}", "spike", 2) for a in range(6)]
    active = pd.Series([100.0, 300.0], index=pd.to_datetime([_day(2), _day(3)]))
    events, _ = group_events(pd.DataFrame(rows), _catalog(artists=400), active_artists=active)
    assert list(events.scope) == ["catalogue"]
    # on day 3, 300 artists with streams: 2 % is 6, and 5 moving is not catalogue-wide
    rows = [_alert(f"T{a:02d}0", f"A{a:02d}", "spike", 3) for a in range(5)]
    events, _ = group_events(pd.DataFrame(rows), _catalog(artists=400), active_artists=active)
    assert list(events.scope) == ["artist"] * 5
    # a day the series does not hold falls back on the whole catalogue (400: 8 needed)
    rows = [_alert(f"T{a:02d}0", f"A{a:02d}", "spike", 4) for a in range(7)]
    events, _ = group_events(pd.DataFrame(rows), _catalog(artists=400), active_artists=active)
    assert "catalogue" not in set(events.scope)


def test_tracks_released_together_are_one_release_event():
    catalog = _catalog()
    catalog.loc[catalog.artist_id == "A04", "release_date"] = _day(-3)
    rows = [_alert(f"T04{t}", "A04", "spike", 0) for t in range(3)]
    events, _ = _group(rows, catalog)
    assert len(events) == 1
    e = events.iloc[0]
    assert e.scope == "release" and e.subject == f"Artist 4: release of {_day(-3)}"
    assert e.why.startswith("3 tracks of the release of")
    # the release's first week is one story: release-day jumps, tracks settling 4 days on
    rows = [_alert(f"T04{t}", "A04", "spike", 0) for t in range(2)]
    rows += [_alert("T042", "A04", "decline", 4), _alert("T040", "A04", "drop", 9)]
    events, _ = _group(rows, catalog, GroupConfig(story_days=0))
    assert sorted(events.alerts) == [1, 3]  # day 9 is 12 days after the release: apart
    assert events.set_index("alerts").loc[3].scope == "release"
    # ... unless stories are on: a fall no larger than the release-day jump, 9 days after
    # it, is the release's story
    events, _ = _group(rows, catalog)
    assert list(events.alerts) == [4] and events.iloc[0].scope == "release"
    # an unknown kind is grouped generically (direction from observed vs expected)
    rows = [_alert("T050", "A05", "release", 0), _alert("T051", "A05", "rebound", 0)]
    events, _ = _group(rows, catalog)
    assert len(events) == 1 and events.iloc[0].scope == "release"


def test_ids_are_stable_and_do_not_depend_on_row_order():
    rows = [
        _alert(None, "A01", "spike", 0),
        _alert("T010", "A01", "spike", 0),
        _alert("T020", "A02", "drop", 5),
    ]
    first, _ = _group(rows)
    again, _ = _group(list(reversed(rows)))
    assert list(first.event_id) == list(again.event_id)
    assert first.event_id.is_unique
    assert first.iloc[0].date == _day(5)  # newest first
    assert first.iloc[1].event_id == event_id("artist", "A01", "L1", "spike", _day(0).isoformat())


def test_an_artist_on_two_labels_has_one_event_per_label():
    rows = [
        _alert(None, "A01", "spike", 0, label="L1"),
        _alert(None, "A01", "spike", 0, label="L2"),
    ]
    events, _ = _group(rows)
    assert sorted(events.label) == ["L1", "L2"]


def test_no_alerts_no_events():
    events, members = group_events(
        pd.DataFrame(columns=list(_alert("T", "A01", "x", 0))), _catalog()
    )
    assert events.empty and list(events.columns) == EVENT_COLUMNS and members.empty


def test_an_artists_moves_one_way_within_two_days_are_one_event():
    # a release week: the artist total jumps on day 0, a track rises from day 2
    rows = [_alert(None, "A01", "spike", 0, 1500, 1000), _alert("T010", "A01", "growth", 2)]
    rows.append(_alert("T011", "A01", "drop", 1, 50, 100))  # the other way: apart
    rows.append(_alert("T012", "A01", "growth", 5))  # three days after the last rise: apart
    events, _ = _group(rows, config=GroupConfig(story_days=0))
    assert sorted(events.alerts) == [1, 1, 2]
    pair = events[events.alerts == 2].iloc[0]
    assert pair.kind == "spike" and pair.date == _day(0) and pair.tracks == ["T010"]
    events, _ = _group(rows, config=GroupConfig(direction_gap_days=1, story_days=0))
    assert sorted(events.alerts) == [1, 1, 1, 1]
    # with stories, the later moves (none larger than the +50 % jump) are its story
    events, _ = _group(rows)
    assert list(events.alerts) == [4] and events.iloc[0].date == _day(0)


def test_a_days_new_entries_of_several_artists_are_one_event():
    catalog = _catalog()
    rows = [_alert(f"T{a:02d}0", f"A{a:02d}", "release", 0, 500, 0) for a in (1, 2, 3, 12)]
    rows.append(_alert(None, "A12", "release", 0, 500, 0))  # the artist entering with it
    # A01 also has a drop that day: its release is part of its own story, not an entry
    rows.append(_alert("T011", "A01", "drop", 0, 10, 100))
    rows.append(_alert("T050", "A05", "release", 3, 500, 0))  # alone on its day
    # two new tracks of one artist the same day: an album, among the day's entries
    rows += [_alert(f"T06{t}", "A06", "release", 0, 500, 0) for t in range(2)]
    # an artist total entering with no track alert of its own: no entering track to count
    rows.append(_alert(None, "A13", "release", 0, 500, 0))
    events, members = _group(rows, catalog)
    assert len(events) == 3
    e = events[events.scope == "entries"].iloc[0]
    assert (e.subject, e.kind, e.date) == ("New entries", "release", _day(0))
    assert (e.alerts, e.artists) == (7, 5)
    assert pd.isna(e.artist_id) and pd.isna(e.label)
    assert e.tracks == ["T020", "T030", "T060", "T061", "T120"]
    assert e.event_id == event_id("entries", _day(0).isoformat())
    # the album is named, not hidden among the singles
    assert e.why.startswith(
        "5 tracks by 4 artists came out or entered the chart on this day, 2 of them by "
        "Artist 6: the day's new entries, listed in the event."
    )
    own = events[events.artist_id == "A01"].iloc[0]
    assert own.scope == "release" and own.tracks == ["T010", "T011"]
    # one artist's release on a day of its own is named after the release
    assert events.iloc[0].scope == "release" and events.iloc[0].artist_id == "A05"
    assert len(members) == len(rows)
    events, _ = _group(rows, catalog, GroupConfig(entries_min_artists=6))
    assert "entries" not in set(events.scope)


def test_an_entered_tracks_first_week_is_part_of_its_entry():
    catalog = _catalog()
    rows = [_alert(f"T{a:02d}0", f"A{a:02d}", "release", 0, 500, 0) for a in (2, 3)]
    rows.append(_alert(None, "A02", "release", 0, 500, 0))  # its total entered with it
    rows.append(_alert("T020", "A02", "growth", 3))  # climbing after entering
    rows.append(_alert(None, "A02", "spike", 5, 300, 100))  # its total, in the week
    rows.append(_alert("T030", "A03", "drop", 8, 50, 100))  # 8 days on: news of its own
    rows.append(_alert("T041", "A04", "spike", 2, 300, 100))  # an older track: its own row
    events, members = _group(rows, catalog)
    e = events[events.scope == "entries"].iloc[0]
    assert (e.date, e.alerts, e.tracks) == (_day(0), 5, ["T020", "T030"])
    assert e.why.endswith("listed in the event, with 2 alerts of their first week.")
    rest = events[events.scope != "entries"].sort_values("date")
    assert [(r.date, r.tracks) for r in rest.itertuples()] == [
        (_day(2), ["T041"]),
        (_day(8), ["T030"]),
    ]
    assert len(members) == len(rows)


def test_an_artists_follow_up_moves_are_one_story():
    """A01: +198 % on day 0, the fall back (-45 %) on day 2 and its continuation (-40 %) on
    day 10 are one story dated day 0; a move 16 days after it opens a new one. A02: a
    -30 % drop, then a +300 % jump 5 days later: larger than the story's first move, news
    in its own right (its own row and day). A03: a release 3 days after a spike always
    opens its own story. A04: another artist's move the same day stays apart."""
    rows = [
        _alert("T010", "A01", "spike", 0, 300, 100),
        _alert("T011", "A01", "drop", 2, 110, 200),
        _alert(None, "A01", "drop", 10, 600, 1000),
        _alert("T012", "A01", "spike", 16, 300, 100),
        _alert("T020", "A02", "drop", 0, 70, 100),
        _alert("T021", "A02", "spike", 5, 400, 100),
        _alert("T030", "A03", "spike", 0, 200, 100),
        _alert("T031", "A03", "release", 3, 500, 0),
        _alert("T040", "A04", "drop", 2, 10, 100),
    ]
    events, members = _group(rows)
    by = {(e.artist_id, e.date): e for e in events.itertuples()}
    story = by[("A01", _day(0))]
    assert (story.alerts, story.kind, story.tracks) == (3, "spike", ["T010", "T011"])
    assert by[("A01", _day(16))].alerts == 1
    assert by[("A02", _day(0))].alerts == 1 and by[("A02", _day(5))].kind == "spike"
    assert by[("A03", _day(0))].alerts == 1 and by[("A03", _day(3))].scope == "release"
    assert by[("A04", _day(2))].alerts == 1
    assert len(events) == 7 and len(members) == len(rows)
    assert members.event_id.value_counts()[story.event_id] == 3
    # a shorter story window: the continuation 10 days later is apart
    events, _ = _group(rows, config=GroupConfig(story_days=7))
    assert len(events) == 8
    events, _ = _group(rows, config=GroupConfig(story_days=0))
    assert len(events) == 9


def test_one_track_moving_in_several_countries_the_same_day_is_one_event():
    """Per-country alerts of one track (the same ISRC, alert keys differing by country)
    and its artist total on one day: one event, the track listed once."""
    rows = [_alert("T010", "A01", "spike", 0, 300, 100) for _ in range(3)]
    for k, country in enumerate(("GB", "DE", "SE")):
        rows[k]["alert_key"] += f"|{country}"
    rows.append(_alert(None, "A01", "spike", 0, 1400, 1000))
    events, members = _group(rows)
    assert len(events) == 1
    e = events.iloc[0]
    assert (e.alerts, e.tracks, e.date) == (4, ["T010"], _day(0))
    assert len(members) == 4


def test_a_launch_day_is_not_joined_to_the_days_before_it():
    """A01's tracks released on day 0 jump on days 0 and 2 (the release's week); on day 3 a
    new track comes out (a `release` alert) with the artist total and an older track of
    the day-0 release jumping. Day 3 is news of its own: its row is dated day 3 and holds
    its three alerts, though a same-way run (2 days) and the day-0 release's first week
    would reach it. Without the launch day the run joins them (one row dated day 0)."""
    catalog = _catalog()
    catalog.loc[catalog.isrc.isin(["T010", "T011"]), "release_date"] = _day(0)
    catalog.loc[catalog.isrc == "T012", "release_date"] = _day(3)
    rows = [
        _alert("T010", "A01", "spike", 0),
        _alert("T011", "A01", "spike", 2),
        _alert("T012", "A01", "release", 3, 900, 0),
        _alert(None, "A01", "spike", 3, 3000, 1000),
        _alert("T010", "A01", "spike", 3, 250, 100),
    ]
    events, members = _group(rows, catalog)
    assert sorted((e.date, e.alerts) for e in events.itertuples()) == [(_day(0), 2), (_day(3), 3)]
    launch = events[events.date == _day(3)].iloc[0]
    assert launch.scope == "release" and launch.tracks == ["T010", "T012"]
    rows[2]["kind"] = "spike"  # no launch that day: the run reaches it
    events, _ = _group(rows, catalog)
    assert list(events.alerts) == [5] and events.iloc[0].date == _day(0)


def test_the_move_shown_is_a_spike_or_drop_the_events_way():
    # a release alone: its first day against a forecast of about nothing (+12,300 %) is no
    # move
    catalog = _catalog()
    catalog.loc[catalog.artist_id == "A04", "release_date"] = _day(0)
    rows = [_alert(f"T04{t}", "A04", "release", 0, 12400.0, 100.0) for t in range(2)]
    e = _group(rows, catalog)[0].iloc[0]
    assert e.kind == "release" and pd.isna(e.effect)
    assert e.why == f"2 tracks of the release of {_day(0)} came out together: x."
    # a decline: its day sits on the filter's trend, observed above expected by noise
    e = _group([_alert("T050", "A05", "decline", 0, 101.0, 100.0)])[0].iloc[0]
    assert pd.isna(e.effect) and e.why == "One track started a sustained fall: x."
    # a drop story with a smaller spike back in it: the drop's move, not the spike's
    rows = [
        _alert("T060", "A06", "drop", 0, 70.0, 100.0),
        _alert("T060", "A06", "spike", 3, 121.0, 100.0),
    ]
    events, _ = _group(rows)
    assert len(events) == 1
    e = events.iloc[0]
    assert e.kind == "drop" and abs(e.effect - (71 / 101 - 1)) < 1e-12
    assert e.why.startswith("One track fell (largest move -30%)")
    # a growth event with a spike in it shows the spike: the largest move its way
    rows = [_alert(None, "A07", "growth", 0, 101.0, 100.0), _alert("T070", "A07", "spike", 0)]
    e = _group(rows)[0].iloc[0]
    assert e.kind == "growth" and abs(e.effect - (201 / 101 - 1)) < 1e-12
    assert why("artist", "growth", 2, 1, 1, float("nan"), None, True) == (
        "The artist total and 1 track started a sustained rise together."
    )
    # a release of one track: nothing to be "together" with, unless its artist moved too
    assert why("release", "release", 1, 1, 1, None, "c", False, "2026-08-25") == (
        "1 track of the release of 2026-08-25 came out: c."
    )
    assert why("release", "release", 2, 1, 1, None, None, True, "2026-08-25") == (
        "1 track of the release of 2026-08-25 came out, and the artist total with it."
    )


def test_a_new_entries_sentence_names_each_release_of_several_tracks():
    from analytics.alerts.event_text import entry_summary

    # day 0: A has 3 entering tracks, B 2, C 2, D 2, E 2, F 1; then one later alert
    names = ["A"] * 3 + ["B"] * 2 + ["C"] * 2 + ["D"] * 2 + ["E"] * 2 + ["F", "A"]
    isrcs = [f"T{i}" for i in range(12)] + ["T0"]
    days = [_day(0)] * 12 + [_day(2)]
    summary = entry_summary(pd.Series(names), pd.Series(isrcs), pd.Series(days))
    assert summary.releases == (("A", 3), ("B", 2), ("C", 2), ("D", 2), ("E", 2))
    assert summary.later == 1
    text = why("entries", "release", 13, 12, 6, None, None, entry=summary)
    assert text == (
        "12 tracks by 6 artists came out or entered the chart on this day, 3 of them by A, "
        "2 by B, 2 by C and 2 more releases: the day's new entries, listed in the event, "
        "with 1 alert of their first week."
    )
