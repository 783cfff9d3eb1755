"""Fan types of an artist whose tracks sit on two labels: one unit per (artist, label), each
from that label's tracks only (SYNTHETIC split store of tests/support/split_artist.py).

Known answers come straight from the store's facts: the listeners with ids on the unit's
own tracks, and each listener's total streams of them."""

from __future__ import annotations

import base64
import json

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from app.cli import main
from data.queries import Filters
from data.queries import fans as queries
from data.results import runs
from data.scope import Scope
from data.store import open_store
from data.synth import DEMO_PASSWORDS
from tests.app.test_app import MAIN, no_exception, sign_in
from tests.support.split_artist import SplitStore, build_split_store

FANS = "../pages/fans.py"


@pytest.fixture(scope="module")
def split(tmp_path_factory: pytest.TempPathFactory) -> SplitStore:
    return build_split_store(
        tmp_path_factory, tmp_path_factory.mktemp("fans_split") / "split.duckdb"
    )


def _totals(split: SplitStore, tracks: tuple[str, ...]) -> pd.DataFrame:
    """listener_id, streams: each listener's total over the whole history (the job's default
    window) of the given tracks, listener-level rows only."""
    with open_store(split.path, read_only=True) as store:
        run = runs.latest(store, "fans")
        assert run is not None and run.params["window_days"] is None
        return (
            store.cursor()
            .execute(
                f"SELECT listener_id, sum(streams)::BIGINT AS streams FROM trend_facts "
                f"WHERE listener_id IS NOT NULL AND isrc IN ({', '.join('?' * len(tracks))}) "
                f"GROUP BY listener_id HAVING sum(streams) > 0 ORDER BY listener_id",
                list(tracks),
            )
            .df()
        )


def _array(value: dict | list) -> np.ndarray:
    """A plotly figure array as JSON carries it (a typed buffer for numpy data)."""
    if isinstance(value, dict):
        flat = np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"])
        return flat.reshape([int(x) for x in str(value["shape"]).split(",")])
    return np.asarray(value)


def _unit(split: SplitStore, table: str, label: str) -> pd.DataFrame:
    with open_store(split.path, read_only=True) as store:
        return (
            store.cursor()
            .execute(
                f"SELECT * FROM {table} WHERE artist_id = ? AND label = ?",
                [split.artist_id, label],
            )
            .df()
        )


@pytest.mark.parametrize("side", ["home", "away"])
def test_each_labels_unit_counts_only_its_own_tracks(split: SplitStore, side: str) -> None:
    label = getattr(split, side)
    tracks = split.home_tracks if side == "home" else split.away_tracks
    truth = _totals(split, tracks)
    assert len(truth) > 100  # a real audience on each side

    mix = _unit(split, "fan_mix", label)
    assert set(mix["listeners"]) == {len(truth)}
    assert mix["share"].sum() == pytest.approx(1.0, abs=1e-9)

    # every listener of the unit's tracks, with its total of those tracks and nothing else
    asg = _unit(split, "fan_assignments", label).sort_values("listener_id")
    assert list(asg["listener_id"]) == list(truth["listener_id"])
    assert list(asg["streams"]) == list(truth["streams"])

    # expected listeners over the fan types add up to the unit's listeners in every dimension
    bd = _unit(split, "fan_breakdowns", label)
    for dim in ("age_band", "gender", "country"):
        assert bd[bd["dim"] == dim]["listeners"].sum() == pytest.approx(len(truth))

    targets = _unit(split, "fan_targets", label)
    diehard = float(mix.loc[mix["profile"] == mix["profile"].iloc[-1], "share"].iloc[0])
    assert len(targets) > 0 and targets["artist_diehard_share"].eq(diehard).all()
    assert targets["listeners"].max() <= len(truth)


def test_the_two_units_are_separate_and_no_unit_spans_both_labels(split: SplitStore) -> None:
    home, away = _totals(split, split.home_tracks), _totals(split, split.away_tracks)
    both = _totals(split, split.home_tracks + split.away_tracks)
    assert len(both) > max(len(home), len(away))  # the listeners do not simply coincide
    with open_store(split.path, read_only=True) as store:
        units = (
            store.cursor()
            .execute(
                "SELECT label, max(listeners) AS n FROM fan_mix WHERE artist_id = ? "
                "GROUP BY label ORDER BY label",
                [split.artist_id],
            )
            .df()
        )
    assert dict(zip(units["label"], units["n"], strict=True)) == {
        split.home: len(home),
        split.away: len(away),
    }


def test_scoped_queries_read_the_unit_of_the_rows_own_label(split: SplitStore) -> None:
    home_n = len(_totals(split, split.home_tracks))
    away_n = len(_totals(split, split.away_tracks))
    home = Scope("home_manager", "manager", frozenset({split.home}))
    both = Scope("vera", "viewer", frozenset({split.home, split.away}))
    only = Filters(artist_ids=(split.artist_id,))
    with open_store(split.path, read_only=True) as store:
        mine = queries.fan_artists(store, home, only)
        assert list(zip(mine["label"], mine["listeners"], strict=True)) == [(split.home, home_n)]
        seen = queries.fan_artists(store, both, only)
        assert dict(zip(seen["label"], seen["listeners"], strict=True)) == {
            split.home: home_n,
            split.away: away_n,
        }
        # the other label's unit is not reachable by naming its label
        assert queries.fan_mix(store, home, split.artist_id, split.away).empty
        assert queries.fan_targets(store, home, split.artist_id, split.away).empty
        assert set(queries.fan_mix(store, home, split.artist_id)["listeners"]) == {home_n}
        away_mix = queries.fan_mix(store, both, split.artist_id, split.away)
        assert set(away_mix["label"]) == {split.away}
        assert set(away_mix["listeners"]) == {away_n}
        mixes = queries.fan_mixes(store, both, only)
        assert mixes.groupby("label")["listeners"].max().to_dict() == {
            split.home: home_n,
            split.away: away_n,
        }


def test_cli_asks_for_a_label_when_the_artist_is_split(split: SplitStore, capsys) -> None:
    db = str(split.path)
    assert main(["fans", "--db", db, "--artist", split.artist_id]) == 1
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "--label" in err
    assert split.home in err and split.away in err
    for label, tracks in ((split.home, split.home_tracks), (split.away, split.away_tracks)):
        argv = ["fans", "--db", db, "--artist", split.artist_id, "--label", label, "--json"]
        assert main(argv) == 0
        out = json.loads(capsys.readouterr().out)
        assert out["listeners"] == len(_totals(split, tracks))
    assert main(["fans", "--db", db, "--artist", split.artist_id, "--label", "Nobody"]) == 1
    assert "unknown artist" in capsys.readouterr().err


def test_page_offers_each_unit_to_a_user_of_both_labels(split: SplitStore, monkeypatch) -> None:
    monkeypatch.setenv("LABELRADAR_DB", str(split.path))
    at = AppTest.from_file(str(MAIN), default_timeout=60)
    sign_in(at, "vera", DEMO_PASSWORDS["vera"])
    at.switch_page(FANS).run()
    no_exception(at)
    with open_store(split.path, read_only=True) as store:
        name = (
            store.cursor()
            .execute(
                "SELECT any_value(artist_name) FROM catalog WHERE artist_id = ?", [split.artist_id]
            )
            .fetchone()[0]
        )
    for label, tracks in ((split.home, split.home_tracks), (split.away, split.away_tracks)):
        n = len(_totals(split, tracks))
        box = at.selectbox(key="fans_artist")
        assert f"{n:,} listeners with ids · {name} · {label}" in box.options
        box.set_value(f"{split.artist_id} · {label}").run()
        no_exception(at)
        # the mix chart shows this unit with its own listener count
        mix = json.loads(at.get("plotly_chart")[1].proto.spec)
        assert {tuple(t["y"]) for t in mix["data"]} == {(f"{name} · {label} ({split.artist_id})",)}
        assert all(_array(t["customdata"])[0, 2] == n for t in mix["data"])
        # the conversion targets are this unit's, best first
        expected = _unit(split, "fan_targets", label).sort_values("rank")
        shown = at.dataframe[0].value
        assert list(shown["conversion gap"]) == list(expected["gap"].round(1))
    # the other label's unit can be compared with the chosen one on the same chart
    ms = at.multiselect(key="fans_compare")
    home_key = f"{split.artist_id} · {split.home}"
    assert f"{name} · {split.home}" in ms.options
    ms.set_value([home_key]).run()
    no_exception(at)
    mix = json.loads(at.get("plotly_chart")[1].proto.spec)
    rows = {y for t in mix["data"] for y in t["y"]}
    assert rows == {f"{name} · {lab} ({split.artist_id})" for lab in (split.home, split.away)}
