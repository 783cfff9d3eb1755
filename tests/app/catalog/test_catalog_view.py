"""Known answers for the Catalog's queries, KPI arithmetic and services (mini store).

Reference values are computed in plain Python from the fixture's own fact rows.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from pathlib import Path

import pandas as pd
import pytest

from analytics.catalog import kpis
from data.backup import copy_store
from data.queries import Filters
from data.queries import catalog as catalog_queries
from data.scope import Scope
from data.store import open_store
from data.vocab import ACTIVE_SOURCES
from tests.conftest import TRACKS, _fact_rows

LABEL_OF = {isrc: label for isrc, _t, _a, _n, label in TRACKS}
ARTIST_OF = {isrc: artist for isrc, _t, artist, _n, _l in TRACKS}
ADMIN = Scope("admin", "admin", frozenset({"Label A", "Label B"}))
VIEWER_A = Scope("viewer_a", "viewer", frozenset({"Label A"}))


def reference(
    labels=("Label A", "Label B"), artists=(), countries=(), lo=None, hi=None, isrc=None
) -> list[tuple]:
    rows = []
    for _load, day, dsp, r_isrc, country, source, listener, streams in _fact_rows():
        if LABEL_OF[r_isrc] not in labels or (artists and ARTIST_OF[r_isrc] not in artists):
            continue
        if (countries and country not in countries) or (isrc and r_isrc != isrc):
            continue
        if (lo and day < lo) or (hi and day > hi):
            continue
        rows.append((day, dsp, r_isrc, country, source, listener, streams))
    return rows


@pytest.fixture(scope="module")
def store(mini_db: Path, tmp_path_factory: pytest.TempPathFactory):
    # A copy of its own: a test file run earlier in this process (an AppTest page on the
    # mini store) may still hold the shared file open read-only, and DuckDB then refuses a
    # read-write open of it ("Unique file handle conflict", seen in CI on 59f602c).
    own = tmp_path_factory.mktemp("catalog_view") / "mini.duckdb"
    copy_store(mini_db, own)
    return open_store(own)


# -- analytics.kpis ------------------------------------------------------------------------
def test_previous_period_has_equal_length_and_ends_the_day_before() -> None:
    assert kpis.previous_period(dt.date(2025, 3, 1), dt.date(2025, 3, 10)) == (
        dt.date(2025, 2, 19),
        dt.date(2025, 2, 28),
    )
    assert kpis.previous_period(dt.date(2025, 1, 1), dt.date(2025, 1, 1)) == (
        dt.date(2024, 12, 31),
        dt.date(2024, 12, 31),
    )
    with pytest.raises(ValueError):
        kpis.previous_period(dt.date(2025, 1, 2), dt.date(2025, 1, 1))


def test_pct_change_and_share() -> None:
    assert kpis.pct_change(150, 100) == pytest.approx(0.5)
    assert kpis.pct_change(50, 100) == pytest.approx(-0.5)
    assert kpis.pct_change(10, 0) is None and kpis.pct_change(None, 5) is None
    assert kpis.pct_change(float("nan"), 5) is None
    assert kpis.share(1, 4) == 0.25 and kpis.share(1, 0) is None
    assert kpis.format_pct(0.125) == "+12.5 %" and kpis.format_pct(None) is None
    change = kpis.compare(120, 100)
    assert change.comparable and change.pct == pytest.approx(0.2)


def test_default_window_is_the_last_90_days_clamped() -> None:
    lo, hi = dt.date(2025, 1, 1), dt.date(2025, 12, 31)
    assert kpis.default_window(lo, hi) == (dt.date(2025, 10, 3), hi)
    assert kpis.default_window(lo, dt.date(2025, 2, 1)) == (lo, dt.date(2025, 2, 1))
    assert kpis.default_window(None, None) is None


# -- data.queries (the Catalog's additions) ------------------------------------------------
def test_stream_totals_match_the_fact_rows(store) -> None:
    got = catalog_queries.stream_totals(store, ADMIN).iloc[0]
    ref = reference()
    assert got["streams"] == sum(r[-1] for r in ref)
    assert got["active_streams"] == sum(r[-1] for r in ref if r[4] in ACTIVE_SOURCES)
    assert got["tracks"] == 5 and got["countries"] == 3 and got["days"] == 60


def test_filters_restrict_every_dimension(store) -> None:
    lo, hi = dt.date(2025, 2, 1), dt.date(2025, 2, 10)
    flt = Filters(
        labels=("Label A",), artist_ids=("AR1",), date_from=lo, date_to=hi, countries=("US", "DE")
    )
    got = catalog_queries.stream_totals(store, ADMIN, flt).iloc[0]
    ref = reference(labels=("Label A",), artists=("AR1",), countries=("US", "DE"), lo=lo, hi=hi)
    assert got["streams"] == sum(r[-1] for r in ref) > 0
    assert got["days"] == 10


def test_listener_totals_count_known_ids(store) -> None:
    got = catalog_queries.listener_totals(store, VIEWER_A).iloc[0]
    ref = reference(labels=("Label A",))
    assert got["listeners"] == len({r[5] for r in ref if r[5]})


def test_streams_daily_splits_sum_to_the_total(store) -> None:
    total = sum(r[-1] for r in reference())
    for split, series in (
        ("dsp", {"spotify", "apple"}),
        ("context", {"active", "passive"}),
        ("source", {"search", "editorial_playlist"}),
    ):
        df = catalog_queries.streams_daily(store, ADMIN, None, split=split)
        assert set(df["series"]) == series
        assert df["streams"].sum() == total
    df = catalog_queries.streams_daily(store, ADMIN, None, split="context")
    active = df.loc[df["series"] == "active", "streams"].sum()
    assert active == sum(r[-1] for r in reference() if r[4] in ACTIVE_SOURCES)
    with pytest.raises(ValueError):
        catalog_queries.streams_daily(store, ADMIN, None, split="nonsense")


def test_streams_by_country_and_top_tracks(store) -> None:
    by_country = catalog_queries.streams_by_country(store, VIEWER_A)
    ref = defaultdict(int)
    for r in reference(labels=("Label A",)):
        ref[r[3]] += r[-1]
    assert dict(zip(by_country["country"], by_country["streams"], strict=True)) == ref
    assert list(by_country["streams"]) == sorted(by_country["streams"], reverse=True)

    top = catalog_queries.top_tracks(store, ADMIN, limit=3)
    per_track = defaultdict(int)
    for r in reference():
        per_track[r[2]] += r[-1]
    expected = sorted(per_track, key=lambda i: (-per_track[i], i))[:3]
    assert list(top["isrc"]) == expected

    one = catalog_queries.streams_by_country(store, ADMIN, None, isrc="QZA000000003")
    assert set(one["country"]) == {"US", "BR"}


def test_a_viewer_never_gets_another_labels_rows(store) -> None:
    b_track = "QZB000000001"
    assert catalog_queries.streams_by_country(store, VIEWER_A, None, isrc=b_track).empty
    assert catalog_queries.streams_daily(store, VIEWER_A, None, isrc=b_track).empty
    assert set(catalog_queries.top_tracks(store, VIEWER_A)["label"]) == {"Label A"}
    for flt in (Filters(labels=("Label B",)), Filters(artist_ids=("BR1",))):
        assert catalog_queries.stream_totals(store, VIEWER_A, flt).iloc[0]["streams"] == 0
        assert catalog_queries.top_tracks(store, VIEWER_A, flt).empty
    assert set(catalog_queries.countries(store, VIEWER_A)["country"]) == {"US", "BR", "DE"}


# -- app.catalog.view and app.services -----------------------------------------------------------------------
def test_catalog_kpis_compare_equal_periods(mini_db: Path, monkeypatch) -> None:
    from app.catalog import view as catalog_view

    monkeypatch.setenv("LABELRADAR_DB", str(mini_db))
    lo, hi = dt.date(2025, 2, 11), dt.date(2025, 2, 20)
    k = catalog_view.catalog_kpis(ADMIN, Filters(date_from=lo, date_to=hi))
    assert (k.previous_from, k.previous_to) == (dt.date(2025, 2, 1), dt.date(2025, 2, 10))
    now = sum(r[-1] for r in reference(lo=lo, hi=hi))
    before = sum(r[-1] for r in reference(lo=k.previous_from, hi=k.previous_to))
    assert k.streams.current == now and k.streams.previous == before
    assert k.streams.pct == pytest.approx((now - before) / before)
    assert k.tracks.current == 5 and k.tracks.pct == 0
    ids_now = {r[5] for r in reference(lo=lo, hi=hi) if r[5]}
    ids_before = {r[5] for r in reference(lo=k.previous_from, hi=k.previous_to) if r[5]}
    assert (k.listeners.current, k.listeners.previous) == (len(ids_now), len(ids_before)) == (7, 7)
    # AR2 has no German rows, so no listener id either: unknown ('–'), not zero listeners.
    none = Filters(artist_ids=("AR2",), countries=("DE",), date_from=lo, date_to=hi)
    k = catalog_view.catalog_kpis(ADMIN, none)
    assert k.listeners.current is None and k.listeners.previous is None
    assert k.streams.current == 0


def test_cached_queries_are_keyed_by_labels_and_shared(mini_db: Path, monkeypatch) -> None:
    from app import services

    monkeypatch.setenv("LABELRADAR_DB", str(mini_db))
    services.clear_caches()
    admin = services.query(catalog_queries.top_tracks, ADMIN, Filters())
    viewer = services.query(catalog_queries.top_tracks, VIEWER_A, Filters())
    assert set(admin["label"]) == {"Label A", "Label B"}
    assert set(viewer["label"]) == {"Label A"}

    # Another user with the same labels is answered from the same cache entry: the store
    # is not even opened for them.
    def no_store(path: str):
        raise AssertionError("the twin's query ran instead of hitting the shared cache")

    monkeypatch.setattr(services, "get_store", no_store)
    twin = Scope(username="someone_else", role="manager", labels=VIEWER_A.labels)
    pd.testing.assert_frame_equal(
        viewer, services.query(catalog_queries.top_tracks, twin, Filters())
    )
    with pytest.raises(TypeError, match="not a registered scoped query"):
        services.query(lambda store, scope: None, ADMIN)


def test_csv_download_keeps_text_and_defuses_formulas() -> None:
    from app import widgets

    df = pd.DataFrame({"track": ["Zoë & <b>", "=HYPERLINK(1)", "-5 dB"], "streams": [1, -2, 3]})
    text = widgets.csv_bytes(df).decode("utf-8-sig").splitlines()
    assert text == ["track,streams", "Zoë & <b>,1", "'=HYPERLINK(1),-2", "'-5 dB,3"]


@pytest.mark.parametrize(
    ("value", "written"),
    [
        (" =cmd|' /C calc'!A0", "' =cmd|' /C calc'!A0"),
        ("  +1+1", "'  +1+1"),
        ("\t@SUM(A1)", "'\t@SUM(A1)"),
        ("\tplain", "'\tplain"),
        ("\rplain", "'\rplain"),
        ("plain = fine", "plain = fine"),
        (" plain", " plain"),
        ("a-b", "a-b"),
    ],
)
def test_csv_download_defuses_formulas_after_leading_whitespace(value, written) -> None:
    from app import widgets

    df = pd.DataFrame({"track": [value]})
    # split on \n only: the CR case is a CR inside the cell
    assert widgets.csv_bytes(df).decode("utf-8-sig").split("\n") == ["track", written, ""]
