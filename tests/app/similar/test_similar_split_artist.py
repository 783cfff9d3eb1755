"""Similar artists for an artist whose tracks sit on two labels (the SYNTHETIC split store of
tests/support/split_artist.py): each label's unit is learned from its own tracks only.

Known answers come straight from the store's facts (agg_daily, trend_facts' listener rows and
the catalog), never from the model's own tables.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from app.cli import main
from app.similar import view
from data.queries import similar as queries
from data.scope import Scope
from data.store import Store, open_store
from data.synth import DEMO_PASSWORDS
from tests.support.split_artist import SplitStore, build_split_store

MAIN = Path(__file__).resolve().parents[3] / "app" / "main.py"
SIMILAR = "../pages/similar.py"


@pytest.fixture(scope="module")
def split(tmp_path_factory: pytest.TempPathFactory) -> SplitStore:
    return build_split_store(
        tmp_path_factory, tmp_path_factory.mktemp("split_similar") / "split.duckdb"
    )


@pytest.fixture(scope="module")
def store(split: SplitStore):
    # read-write, as the app opens it: DuckDB keeps one configuration per file and process
    s = open_store(split.path)
    yield s
    s.close()


def _in(tracks: tuple[str, ...]) -> str:
    return ", ".join(f"'{t}'" for t in tracks)


def _country_streams(store: Store, tracks: tuple[str, ...]) -> pd.Series:
    """Streams by country of these tracks, from the daily aggregate."""
    return (
        store.cursor()
        .execute(
            f"SELECT country, sum(streams)::DOUBLE AS s FROM agg_daily "
            f"WHERE isrc IN ({_in(tracks)}) GROUP BY country"
        )
        .df()
        .set_index("country")["s"]
        .sort_index()
    )


def _listeners(store: Store, tracks: tuple[str, ...]) -> set[str]:
    rows = (
        store.cursor()
        .execute(
            "SELECT DISTINCT listener_id FROM trend_facts WHERE listener_id IS NOT NULL "
            f"AND country <> 'XW' AND isrc IN ({_in(tracks)})"
        )
        .fetchall()
    )
    return {r[0] for r in rows}


def _everyone(split: SplitStore) -> Scope:
    return Scope("vera", "viewer", frozenset({split.home, split.away}))


def test_each_label_is_a_unit_of_its_own_tracks(split: SplitStore, store: Store) -> None:
    cur = store.cursor()
    units = (
        cur.execute(
            "SELECT label, listeners, streams FROM similar_artists WHERE artist_id = ? "
            "ORDER BY label",
            [split.artist_id],
        )
        .df()
        .set_index("label")
    )
    assert set(units.index) == {split.home, split.away}
    for label, tracks in ((split.home, split.home_tracks), (split.away, split.away_tracks)):
        assert units.loc[label, "listeners"] == len(_listeners(store, tracks))
        assert units.loc[label, "streams"] == _country_streams(store, tracks).sum()
    # one unit per (artist, label) with listener-level rows: the split artist adds one
    expected_units = cur.execute(
        "SELECT count(DISTINCT (c.artist_id, c.label)) FROM trend_facts l "
        "JOIN catalog c USING (isrc) WHERE l.listener_id IS NOT NULL AND l.country <> 'XW'"
    ).fetchone()[0]
    artists = cur.execute("SELECT count(DISTINCT artist_id) FROM catalog").fetchone()[0]
    assert cur.execute("SELECT count(*) FROM similar_artists").fetchone()[0] == expected_units
    assert expected_units == artists + 1


def test_potential_actuals_are_the_units_own_tracks(split: SplitStore, store: Store) -> None:
    cur = store.cursor()
    whole = _country_streams(store, split.home_tracks + split.away_tracks)
    for label, tracks in ((split.home, split.home_tracks), (split.away, split.away_tracks)):
        pot = (
            cur.execute(
                "SELECT country, actual, expected FROM similar_potential "
                "WHERE artist_id = ? AND label = ?",
                [split.artist_id, label],
            )
            .df()
            .set_index("country")
            .sort_index()
        )
        own = _country_streams(store, tracks)
        assert set(own.index) <= set(pot.index)
        pd.testing.assert_series_equal(
            pot["actual"], own.reindex(pot.index, fill_value=0.0), check_names=False
        )
        assert (pot["actual"] < whole.loc[pot.index]).all()  # not the whole artist's streams
        # expected streams share out the unit's own total, not the artist's
        assert pot["expected"].sum() == pytest.approx(own.sum(), rel=1e-9)


def test_the_two_units_are_neighbours_sharing_their_common_listeners(
    split: SplitStore, store: Store
) -> None:
    cur = store.cursor()
    n_units = cur.execute("SELECT count(*) FROM similar_artists").fetchone()[0]
    home_nb = cur.execute(
        "SELECT neighbor_id, neighbor_label, shared_listeners, shared_share_a, shared_share_b "
        "FROM similar_neighbors WHERE artist_id = ? AND label = ? ORDER BY rank",
        [split.artist_id, split.home],
    ).df()
    assert len(home_nb) == n_units - 1  # every other unit, the away one included
    away = home_nb[
        (home_nb.neighbor_id == split.artist_id) & (home_nb.neighbor_label == split.away)
    ]
    assert len(away) == 1
    home_l, away_l = _listeners(store, split.home_tracks), _listeners(store, split.away_tracks)
    both = len(home_l & away_l)
    assert away.shared_listeners.iloc[0] == both > 0
    assert away.shared_share_a.iloc[0] == pytest.approx(both / len(home_l))
    assert away.shared_share_b.iloc[0] == pytest.approx(both / len(away_l))


def test_scoped_reads_return_the_units_of_the_scope(split: SplitStore, store: Store) -> None:
    home = Scope("nora", "manager", frozenset({split.home}))
    me = queries.similar_artist_model(store, home, split.artist_id)
    assert me.label.tolist() == [split.home]
    assert me.streams.iloc[0] == _country_streams(store, split.home_tracks).sum()
    assert queries.similar_artist_model(store, home, split.artist_id, split.away).empty
    assert queries.similar_potential(store, home, split.artist_id, split.away).empty
    pot = queries.similar_potential(store, home, split.artist_id).set_index("country")
    own = _country_streams(store, split.home_tracks).reindex(pot.index, fill_value=0.0)
    assert pot["actual"].tolist() == own.tolist()
    nb = queries.similar_neighbors(store, home, split.artist_id, limit=100)
    assert set(nb.label) == {split.home} and nb["rank"].tolist() == list(range(1, len(nb) + 1))
    options = queries.similar_artist_options(store, home)
    assert options[options.artist_id == split.artist_id].label.tolist() == [split.home]

    both = _everyone(split)
    assert sorted(queries.similar_artist_model(store, both, split.artist_id).label) == sorted(
        [split.home, split.away]
    )
    away = queries.similar_artist_model(store, both, split.artist_id, split.away)
    assert away.streams.tolist() == [_country_streams(store, split.away_tracks).sum()]
    options = queries.similar_artist_options(store, both)
    assert sorted(options[options.artist_id == split.artist_id].label) == sorted(
        [split.home, split.away]
    )
    # the away unit's hand-off track is the most streamed of its own tracks
    top = queries.similar_top_track(store, both, split.artist_id, split.away)
    streams = {t: _country_streams(store, (t,)).sum() for t in split.away_tracks}
    assert top.isrc.tolist() == [max(streams, key=streams.get)]
    # the neighbour list of the away unit names the home unit, with its own label
    nb = queries.similar_neighbors(store, both, split.artist_id, split.away, limit=100)
    mine = nb[nb.neighbor_id == split.artist_id]
    assert mine.label.tolist() == [split.home]


def test_cli_asks_for_a_label_and_answers_per_unit(split: SplitStore, store: Store, capsys):
    db = str(split.path)
    for command in ("similar", "potential"):
        assert main([command, "--artist", split.artist_id, "--db", db]) == 1
        err = capsys.readouterr().err.strip()
        assert "\n" not in err and "--label" in err
        assert split.home in err and split.away in err
    assert main(["similar", "--artist", split.artist_id, "--label", "Nope", "--db", db]) == 1
    assert "not modelled on label 'Nope'" in capsys.readouterr().err

    args = ["potential", "--artist", split.artist_id, "--label", split.away, "--json"]
    assert main([*args, "--db", db]) == 0
    out = json.loads(capsys.readouterr().out)
    assert list(out)[:2] == ["artist_id", "label"] and out["label"] == split.away
    actual = {c["country"]: c["actual"] for c in out["countries"]}
    assert actual == _country_streams(store, split.away_tracks).to_dict()

    args = ["similar", "--artist", split.artist_id, "--label", split.home, "--top", "50"]
    assert main([*args, "--json", "--db", db]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["label"] == split.home
    same = [n for n in out["neighbors"] if n["artist_id"] == split.artist_id]
    assert [n["label"] for n in same] == [split.away]
    assert all("label" not in n for n in out["neighbors"] if n["artist_id"] != split.artist_id)


def _sign_in(db: Path, monkeypatch: pytest.MonkeyPatch, username: str) -> AppTest:
    monkeypatch.setenv("LABELRADAR_DB", str(db))
    at = AppTest.from_file(str(MAIN), default_timeout=90)
    at.run()
    fields = {ti.label: ti for ti in at.text_input}
    fields["Username"].input(username)
    fields["Password"].input(DEMO_PASSWORDS[username])
    next(b for b in at.button if b.label == "Sign in").click()
    at.run()
    at.switch_page(SIMILAR).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_page_lists_and_shows_each_unit_for_a_viewer_of_both_labels(
    split: SplitStore, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    labels = {
        r[0] for r in store.state.read("SELECT label FROM user_labels WHERE username = 'vera'")
    }
    assert labels == {split.home, split.away}
    name = (
        store.cursor()
        .execute(
            "SELECT any_value(artist_name) FROM catalog WHERE artist_id = ?", [split.artist_id]
        )
        .fetchone()[0]
    )
    at = _sign_in(split.path, monkeypatch, "vera")
    options = at.selectbox(key="similar_artist").options
    # the picker's values are choice keys shown through the view's wording
    choices = view.artist_choices(queries.similar_artist_options(store, _everyone(split)))
    for label, tracks in ((split.home, split.home_tracks), (split.away, split.away_tracks)):
        entry = f"{name} · {label}"
        assert options.count(entry) == 1, options
        key = next(k for k, text in choices.items() if text == entry)
        at.selectbox(key="similar_artist").select(key).run()
        assert not at.exception, [e.value for e in at.exception]
        heading = f"All listed similar artists of {name} · {label}"
        assert any(heading in m.value for m in at.markdown)
        listeners = next(m for m in at.metric if m.label == "Listeners in the model")
        assert listeners.value == f"{len(_listeners(store, tracks)):,}"
        targets = next(df.value for df in at.dataframe if "gap" in df.value.columns)
        assert targets.actual.sum() == _country_streams(store, tracks).sum()
        link = at.get("page_link")[0].proto
        top = {t: _country_streams(store, (t,)).sum() for t in tracks}
        assert link.query_string.startswith(f"track={max(top, key=top.get)}")
