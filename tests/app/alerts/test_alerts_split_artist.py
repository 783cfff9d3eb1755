"""Alerts for an artist whose tracks sit on two labels (SYNTHETIC tiny demo store with the
busiest artist's tracks split, see tests/support/split_artist.py): one unit per artist and
label, whose numbers come from that label's tracks only, checked against sums computed
directly from the store's facts; the feed, statuses, CLI and page keep the units apart."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from app.cli import main as cli_main
from app.widgets import plot_text
from data.backup import copy_store
from data.queries import alerts as queries
from data.scope import Scope
from data.store import open_store
from data.synth import DEMO_PASSWORDS
from data.workflow import alerts as alert_status
from tests.support.split_artist import SplitStore, build_split_store

MAIN = Path(__file__).resolve().parents[3] / "app" / "main.py"
ALERTS = "../pages/alerts.py"
BEFORE, RAPID = 28, 6  # attribution windows: days before the onset, days after a spike's


@pytest.fixture(scope="module")
def split(tmp_path_factory: pytest.TempPathFactory) -> SplitStore:
    return build_split_store(
        tmp_path_factory, tmp_path_factory.mktemp("split_alerts") / "split.duckdb"
    )


def _scope(*labels: str, role: str = "manager") -> Scope:
    return Scope("tester", role, frozenset(labels))


def _detection_sum(cur, isrcs: tuple[str, ...]) -> pd.Series:
    """Per day, the tracks' streams with an identified listener's same-day replays counted
    once (the detection series), summed straight from the facts."""
    marks = ", ".join("?" * len(isrcs))
    df = cur.execute(
        f"WITH tot AS (SELECT isrc, date, sum(streams) AS s FROM trend_facts "
        f"WHERE isrc IN ({marks}) GROUP BY ALL), "
        f"rep AS (SELECT isrc, date, sum(streams) - count(DISTINCT listener_id) AS r "
        f"FROM trend_facts WHERE isrc IN ({marks}) AND listener_id IS NOT NULL GROUP BY ALL) "
        f"SELECT date, sum(s - coalesce(r, 0))::DOUBLE AS v FROM tot "
        f"LEFT JOIN rep USING (isrc, date) GROUP BY date ORDER BY date",
        [*isrcs, *isrcs],
    ).df()
    return pd.Series(df.v.to_numpy(), index=pd.to_datetime(df.date))


def _excess(cur, isrcs: tuple[str, ...], alert: pd.Series, end: dt.date) -> float:
    """The change window's streams over the pre-change daily average, from the facts."""
    onset = pd.Timestamp(alert.event_date).date()
    if alert.kind in ("spike", "drop", "release"):
        hi = min(onset + dt.timedelta(days=RAPID), end)
    else:
        hi = pd.Timestamp(alert.detected_on).date()
    lo = onset - dt.timedelta(days=BEFORE)
    marks = ", ".join("?" * len(isrcs))
    before, days, during = cur.execute(
        f"SELECT sum(streams) FILTER (WHERE date < ?), count(DISTINCT date) FILTER "
        f"(WHERE date < ?), sum(streams) FILTER (WHERE date >= ?) FROM trend_facts "
        f"WHERE isrc IN ({marks}) AND date BETWEEN ? AND ?",
        [onset, onset, onset, *isrcs, lo, hi],
    ).fetchone()
    return float(during) - float(before) / max(days, 1) * ((hi - onset).days + 1)


def test_each_label_has_its_own_artist_series(split: SplitStore) -> None:
    """The home unit's daily series is the sum of the home tracks only, the away unit's of
    the away tracks only; each label's scope reads its own."""
    with open_store(split.path, read_only=True) as store:
        cur = store.cursor()
        units = cur.execute(
            "SELECT label FROM alert_filter_state WHERE subject = 'artist' AND subject_id = ? "
            "ORDER BY label",
            [split.artist_id],
        ).fetchall()
        assert sorted(r[0] for r in units) == sorted([split.home, split.away])
        for label, tracks in ((split.home, split.home_tracks), (split.away, split.away_tracks)):
            band = queries.alert_band_artist(store, _scope(label), split.artist_id)
            assert set(band.label) == {label}
            hist = band[~band.is_forecast]
            got = pd.Series(hist.observed.to_numpy(), index=pd.to_datetime(hist.date))
            want = _detection_sum(cur, tracks).reindex(got.index)
            np.testing.assert_allclose(got.to_numpy(), want.to_numpy(), rtol=1e-12)
            assert (band.is_forecast.sum(), len(hist)) == (28, len(got.dropna()))
        # the two units are different numbers: neither is the artist's whole total
        both = _detection_sum(cur, split.home_tracks + split.away_tracks)
        home = _detection_sum(cur, split.home_tracks).reindex(both.index).fillna(0)
        assert (both - home).min() >= 0 and (both - home).sum() > 1000


def test_artist_alerts_explain_their_labels_tracks_only(split: SplitStore) -> None:
    """Every artist alert of the split artist names one unit's label, is keyed by it, and
    its excess is the one computed from that label's tracks (never both labels')."""
    with open_store(split.path, read_only=True) as store:
        cur = store.cursor()
        end = cur.execute("SELECT max(date) FROM agg_daily").fetchone()[0]
        alerts = cur.execute(
            "SELECT * FROM alerts WHERE subject = 'artist' AND artist_id = ?", [split.artist_id]
        ).df()
        assert set(alerts.label) == {split.home, split.away}
        tracks = {split.home: split.home_tracks, split.away: split.away_tracks}
        all_tracks = split.home_tracks + split.away_tracks
        mixed = 0
        for a in alerts.itertuples():
            assert a.alert_key.startswith(f"{split.artist_id}|{a.label}|{a.kind}|")
            named = {p["value"] for p in json.loads(a.attribution) if p["dimension"] == "isrc"}
            assert named and named <= set(tracks[a.label]), a.alert_key
            row = pd.Series(a._asdict())
            assert a.excess == pytest.approx(_excess(cur, tracks[a.label], row, end), rel=1e-9)
            mixed += a.excess != pytest.approx(_excess(cur, all_tracks, row, end), rel=1e-6)
        assert mixed == len(alerts)


def test_feed_scopes_artist_alerts_by_their_label(split: SplitStore) -> None:
    with open_store(split.path, read_only=True) as store:
        saved = store.cursor().execute("SELECT alert_key, label FROM alerts").df()
        unit_keys = {lab: set(saved.alert_key[saved.label == lab]) for lab in saved.label}
        for label, other in ((split.home, split.away_tracks), (split.away, split.home_tracks)):
            feed = queries.alerts_feed(store, _scope(label))
            assert set(feed.label) == {label}
            assert not set(feed.isrc.dropna()) & set(other)
            mine = feed[(feed.subject == "artist") & (feed.artist_id == split.artist_id)]
            assert set(mine.alert_key) == {
                k for k in unit_keys[label] if k.startswith(f"{split.artist_id}|")
            }
        both = queries.alerts_feed(store, _scope(split.home, split.away, role="viewer"))
        assert both.alert_key.is_unique and len(both) == len(saved)
        artist = both[(both.subject == "artist") & (both.artist_id == split.artist_id)]
        assert artist.groupby("label").size().to_dict() == (
            saved[saved.alert_key.str.startswith(f"{split.artist_id}|")]
            .groupby("label")
            .size()
            .to_dict()
        )


def test_a_status_belongs_to_the_units_label(split: SplitStore, tmp_path: Path) -> None:
    path = tmp_path / "status.duckdb"
    copy_store(split.path, path)
    with open_store(path) as store:
        keys = store.cursor().execute(
            "SELECT label, min(alert_key) FROM alerts WHERE subject = 'artist' "
            "AND artist_id = ? GROUP BY label",
            [split.artist_id],
        )
        key_of = dict(keys.fetchall())
        home_key = key_of[split.home]
        with pytest.raises(alert_status.StatusError, match="no such alert"):
            alert_status.set_status(store, _scope(split.away), home_key, "acknowledged")
        alert_status.set_status(store, _scope(split.home), home_key, "acknowledged")
        done = queries.alerts_feed(store, _scope(split.home), status="acknowledged")
        assert list(done.alert_key) == [home_key]
        away = queries.alerts_feed(store, _scope(split.away), status="acknowledged")
        assert away.empty


def test_cli_names_the_label_where_the_artist_is_ambiguous(
    split: SplitStore, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "cli.duckdb"
    copy_store(split.path, path)
    assert cli_main(["detect", "--json", "--db", str(path)]) == 0
    out = capsys.readouterr()
    notes = [line for line in out.err.splitlines() if "--label" in line]
    assert len(notes) == 1 and split.artist_id in notes[0]
    assert split.home in notes[0] and split.away in notes[0]
    alerts = json.loads(out.out)["alerts"]
    mine = [a for a in alerts if a["artist_id"] == split.artist_id and a["isrc"] is None]
    assert {a["label"] for a in mine} == {split.home, split.away}
    assert all("label" not in a for a in alerts if a["artist_id"] != split.artist_id)

    assert cli_main(["detect", "--json", "--label", split.home, "--db", str(path)]) == 0
    out = capsys.readouterr()
    assert "--label" not in out.err
    home = json.loads(out.out)["alerts"]
    assert {a["artist_id"] for a in home if a["isrc"] is None} <= {
        a["artist_id"] for a in alerts if a["isrc"] is None
    }
    assert not {a["isrc"] for a in home} & set(split.away_tracks)
    assert len([a for a in home if a["artist_id"] == split.artist_id and a["isrc"] is None]) == (
        len([a for a in mine if a["label"] == split.home])
    )

    assert cli_main(["detect", "--label", "No Such Label", "--db", str(path)]) == 1
    assert "unknown label 'No Such Label'" in capsys.readouterr().err


def test_page_shows_each_unit_for_a_user_of_both_labels(
    split: SplitStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "page.duckdb"
    copy_store(split.path, path)
    with open_store(path, read_only=True) as store:
        cur = store.cursor()
        name = cur.execute(
            "SELECT any_value(artist_name) FROM catalog WHERE artist_id = ?", [split.artist_id]
        ).fetchone()[0]
        # the unit's latest alert in an event of its own (a day's new entries or a
        # catalogue-wide move is named after no artist)
        units = cur.execute(
            "SELECT a.label, arg_max(alert_key, a.event_date) FILTER (WHERE e.scope NOT IN "
            "('catalogue', 'entries')), count(*) FROM alerts a "
            "JOIN alert_event_members USING (alert_key) JOIN alert_events e USING (event_id) "
            "WHERE a.subject = 'artist' AND a.artist_id = ? GROUP BY a.label",
            [split.artist_id],
        ).fetchall()
        key_of = {label: key for label, key, _ in units}
        count_of = {label: n for label, _, n in units}
        event_of = {  # the grouped event each of those alerts is in
            label: cur.execute(
                "SELECT event_id FROM alert_event_members WHERE alert_key = ?", [key]
            ).fetchone()[0]
            for label, key in key_of.items()
        }
    monkeypatch.setenv("LABELRADAR_DB", str(path))
    at = AppTest.from_file(str(MAIN), default_timeout=90)
    at.run()
    fields = {ti.label: ti for ti in at.text_input}
    fields["Username"].input("vera")
    fields["Password"].input(DEMO_PASSWORDS["vera"])
    next(b for b in at.button if b.label == "Sign in").click()
    at.run()
    at.switch_page(ALERTS).run()
    assert not at.exception, [e.value for e in at.exception]
    for label in (split.home, split.away):
        unit = f"{name} · {label}"
        # the feed lists events: the unit's event is named with its label too
        event = at.selectbox(key="alerts_event")
        # (an artist event is "Name · Label", a release one "Name: release of DATE · Label")
        assert any(f" · {name}" in o and f" · {label} — " in o for o in event.options)
        event.set_value(event_of[label]).run()
        assert not at.exception, [e.value for e in at.exception]
        pick = at.selectbox(key="alerts_pick")
        titles = [o for o in pick.options if "all tracks" in o and o.endswith(unit)]
        # this unit's alert in the opened event, named with its label
        assert 1 <= len(titles) <= count_of[label]
        pick.set_value(key_of[label]).run()
        assert not at.exception, [e.value for e in at.exception]
        chart = json.loads(at.get("plotly_chart")[0].proto.spec)
        assert plot_text(unit) in chart["layout"]["title"]["text"]
