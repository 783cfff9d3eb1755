"""Rollups answer exactly what the facts answer, stay so after incremental refreshes and
catalog changes, and never show another label's rows.

The reference answers are the Catalog queries as they were before the rollups: the same SQL
over `agg_daily` (and `trend_facts` for listeners and worldwide rows) joined to the catalog.
"""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path

import pandas as pd
import pytest

from data import aggregates, rollup_months, rollups
from data.queries import Filters, where
from data.queries import catalog as q
from data.scope import Scope
from data.store import open_store
from data.vocab import ACTIVE_SOURCES, WORLDWIDE, sql_list
from tests.data.conftest import TODAY, catalog_row, trend_row

D = dt.date
_ACTIVE = sql_list(ACTIVE_SOURCES)
_CONTEXT = f"CASE WHEN a.source IN {_ACTIVE} THEN 'active' ELSE 'passive' END"


# -- reference: the facts' answers ------------------------------------------------------------
def _ref(store, sql: str, scope: Scope, flt: Filters | None, alias: str = "a", extra=()):
    cond, params = where(scope, flt, fact_alias=alias)
    return store.cursor().execute(sql.format(cond=cond), [*params, *extra]).df()


def ref_totals(store, scope, flt):
    return _ref(
        store,
        "SELECT coalesce(sum(a.streams), 0)::BIGINT AS streams, coalesce(sum(a.streams) "
        f"FILTER (WHERE a.source IN {_ACTIVE}), 0)::BIGINT AS active_streams, "
        "count(DISTINCT a.isrc) AS tracks, count(DISTINCT c.artist_id) AS artists, "
        "count(DISTINCT a.country) AS countries, count(DISTINCT a.date) AS days "
        "FROM agg_daily a JOIN catalog c ON c.isrc = a.isrc WHERE {cond}",
        scope,
        flt,
    )


def ref_listeners(store, scope, flt):
    return _ref(
        store,
        "SELECT count(DISTINCT t.listener_id) AS listeners FROM trend_facts t "
        "JOIN catalog c ON c.isrc = t.isrc "
        "WHERE t.listener_id IS NOT NULL AND {cond}",
        scope,
        flt,
        alias="t",
    )


def ref_daily(store, scope, flt, split, isrc):
    series = {"dsp": "a.dsp", "context": _CONTEXT, "source": "a.source::VARCHAR"}[split]
    extra = " AND c.isrc = ?" if isrc else ""
    return _ref(
        store,
        f"SELECT a.date, {series} AS series, sum(a.streams)::BIGINT AS streams FROM agg_daily a "
        f"JOIN catalog c ON c.isrc = a.isrc WHERE {{cond}}{extra} GROUP BY ALL "
        "ORDER BY a.date, series",
        scope,
        flt,
        extra=[isrc] if isrc else [],
    )


def ref_by_country(store, scope, flt, isrc):
    extra = " AND c.isrc = ?" if isrc else ""
    return _ref(
        store,
        "SELECT a.country, sum(a.streams)::BIGINT AS streams, coalesce(sum(a.streams) FILTER "
        f"(WHERE a.source IN {_ACTIVE}), 0)::BIGINT AS active_streams, count(DISTINCT a.isrc) "
        f"AS tracks FROM agg_daily a JOIN catalog c ON c.isrc = a.isrc WHERE {{cond}}{extra} "
        "GROUP BY a.country ORDER BY streams DESC, a.country",
        scope,
        flt,
        extra=[isrc] if isrc else [],
    )


def ref_top(store, scope, flt):
    return _ref(
        store,
        "SELECT c.isrc, any_value(c.track_title) AS track_title, any_value(c.artist_name) AS "
        "artist_name, any_value(c.label) AS label, sum(a.streams)::BIGINT AS streams, "
        f"coalesce(sum(a.streams) FILTER (WHERE a.source IN {_ACTIVE}), 0)::BIGINT AS "
        "active_streams, count(DISTINCT a.country) AS countries FROM agg_daily a "
        "JOIN catalog c ON c.isrc = a.isrc WHERE {cond} GROUP BY c.isrc "
        "ORDER BY streams DESC, c.isrc LIMIT 100",
        scope,
        flt,
    )


def ref_worldwide(store, scope, flt):
    df = _ref(
        store,
        "SELECT coalesce(sum(t.streams), 0)::BIGINT AS n FROM trend_facts t JOIN catalog c "
        f"ON c.isrc = t.isrc WHERE t.country = '{WORLDWIDE}' AND {{cond}}",
        scope,
        flt,
        alias="t",
    )
    return int(df["n"].iloc[0])


def _same(got: pd.DataFrame, want: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(
        got.reset_index(drop=True), want.reset_index(drop=True), check_dtype=False
    )


# -- every filter combination the pages use ----------------------------------------------------
def _combinations(store, scope: Scope, full: bool = True):
    cur = store.cursor()
    lo, hi = cur.execute("SELECT min(date), max(date) FROM agg_daily").fetchone()
    mid = lo + (hi - lo) / 2
    top_countries = [
        r[0]
        for r in cur.execute(
            "SELECT country FROM agg_daily GROUP BY 1 ORDER BY sum(streams) DESC, 1 LIMIT 2"
        ).fetchall()
    ]
    artists = sorted(r[0] for r in cur.execute("SELECT DISTINCT artist_id FROM catalog").fetchall())
    labels = sorted(scope.labels)
    # The sidebar: a date window (the Catalog always has one), 0, 1 or several countries and
    # artists, all or one label; plus no filter at all (the CLI's totals).
    yield Filters()
    # The generated store (many more rows) checks a sample of the same combinations.
    dates = [(lo, hi), (mid, hi)] if full else [(mid, hi)]
    countries = [(), tuple(top_countries[:1]), tuple(top_countries)]
    if not full:
        countries = countries[::2]
    artist_sets = [(), tuple(artists[:2])]
    label_sets = [(), (labels[-1],)] if len(labels) > 1 else [()]
    for (d0, d1), cs, ars, lbs in itertools.product(dates, countries, artist_sets, label_sets):
        yield Filters(labels=lbs, artist_ids=ars, date_from=d0, date_to=d1, countries=cs)


def _scopes(store):
    labels = sorted(
        r[0] for r in store.cursor().execute("SELECT DISTINCT label FROM catalog").fetchall()
    )
    return [
        Scope(username="admin", role="admin", labels=frozenset(labels)),
        Scope(username="viewer", role="viewer", labels=frozenset(labels[:1])),
    ]


@pytest.fixture(params=["mini", "demo_tiny"])
def any_store(request, mini_db: Path):
    path = mini_db if request.param == "mini" else request.getfixturevalue("demo_db")
    with open_store(path, read_only=True) as store:
        yield store


def _cut_windows(lo: dt.date, hi: dt.date) -> list[tuple[dt.date, dt.date]]:
    """Windows whose ends cut months every way `rollups.presence` tells apart: inside one
    month, a month's start to mid-month, mid-month to a month's end, across months, open."""
    first = (lo.replace(day=1) + dt.timedelta(days=32)).replace(day=1)  # lo's next month
    end = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    windows = [
        (first + dt.timedelta(days=4), first + dt.timedelta(days=17)),
        (first, first + dt.timedelta(days=12)),
        (first + dt.timedelta(days=9), end),
        (first + dt.timedelta(days=9), end + dt.timedelta(days=20)),
        (lo + dt.timedelta(days=1), hi - dt.timedelta(days=1)),
    ]
    return [(a, min(b, hi)) for a, b in windows if a <= hi]


def test_distinct_counts_equal_the_facts_when_a_window_cuts_months(any_store):
    """Tracks, artists, countries and listeners counted from the monthly rows' first and
    last days."""
    store = any_store
    lo, hi = store.cursor().execute("SELECT min(date), max(date) FROM agg_daily").fetchone()
    top_country = (
        store.cursor()
        .execute("SELECT country FROM agg_daily GROUP BY 1 ORDER BY sum(streams) DESC, 1 LIMIT 1")
        .fetchone()[0]
    )
    windows = _cut_windows(lo, hi) + [(None, hi), (lo + dt.timedelta(days=3), None)]
    for scope in _scopes(store):
        for (d0, d1), cs in itertools.product(windows, [(), (top_country,)]):
            flt = Filters(date_from=d0, date_to=d1, countries=cs)
            _same(q.stream_totals(store, scope, flt), ref_totals(store, scope, flt))
            _same(q.listener_totals(store, scope, flt), ref_listeners(store, scope, flt))
            _same(q.streams_by_country(store, scope, flt), ref_by_country(store, scope, flt, None))
            _same(q.top_tracks(store, scope, flt), ref_top(store, scope, flt))


def test_rollup_answers_equal_the_facts_for_every_page_filter(any_store):
    store = any_store
    checked = 0
    for scope in _scopes(store):
        for flt in _combinations(store, scope, full=store.get_meta("synthetic") != "true"):
            _same(q.stream_totals(store, scope, flt), ref_totals(store, scope, flt))
            _same(q.listener_totals(store, scope, flt), ref_listeners(store, scope, flt))
            _same(q.streams_by_country(store, scope, flt), ref_by_country(store, scope, flt, None))
            _same(q.top_tracks(store, scope, flt), ref_top(store, scope, flt))
            assert q.worldwide_streams(store, scope, flt) == ref_worldwide(store, scope, flt)
            for split in ("dsp", "context"):
                _same(
                    q.streams_daily(store, scope, flt, split=split),
                    ref_daily(store, scope, flt, split, None),
                )
            top = ref_top(store, scope, flt)
            if len(top) and not flt.artist_ids:  # the drill-down: one track of the top list
                isrc = top["isrc"].iloc[0]
                for split in ("source", "context", "dsp"):
                    _same(
                        q.streams_daily(store, scope, flt, split=split, isrc=isrc),
                        ref_daily(store, scope, flt, split, isrc),
                    )
                _same(
                    q.streams_by_country(store, scope, flt, isrc=isrc),
                    ref_by_country(store, scope, flt, isrc),
                )
            checked += 1
        want = (
            store.cursor()
            .execute(
                "SELECT min(a.date), max(a.date) FROM agg_daily a JOIN catalog c ON c.isrc = a.isrc "
                f"WHERE {where(scope, None)[0]}",
                where(scope, None)[1],
            )
            .fetchone()
        )
        assert q.data_range(store, scope) == want
        _same(
            q.countries(store, scope),
            _ref(
                store,
                "SELECT a.country, sum(a.streams)::BIGINT AS streams FROM agg_daily a "
                "JOIN catalog c ON c.isrc = a.isrc WHERE {cond} GROUP BY a.country "
                "ORDER BY streams DESC, a.country",
                scope,
                None,
            ),
        )
    full = store.get_meta("synthetic") != "true"
    assert checked == (
        (1 + 2 * 3 * 2 * 2) + (1 + 2 * 3 * 2) if full else (1 + 2 * 2 * 2) + (1 + 2 * 2)
    )


# -- incremental refresh -----------------------------------------------------------------------
_MIGRATIONS = Path(__file__).resolve().parents[2] / "data" / "migrations"
# The rollups' migrations, in order: 023 builds them, 027 adds the monthly first/last days,
# 028 the listeners' days of the month in place of the daily listener table, 031 the
# listeners' artist keys, 032 drops 028's identified-streams table.
MIGRATIONS = [
    _MIGRATIONS / "023_rollups.sql",
    _MIGRATIONS / "027_rollup_month_spans.sql",
    _MIGRATIONS / "028_listener_day_masks.sql",
    _MIGRATIONS / "031_listener_artist_keys.sql",
    _MIGRATIONS / "032_drop_identified_rollup.sql",
]
CATALOG = [
    ("QZA000000001", "One", "A1", "Artist One", "Label A"),
    ("QZB000000001", "Two", "B1", "Artist Two", "Label B"),
]


def _catalog(cur, rows=CATALOG):
    cur.executemany(
        "INSERT OR REPLACE INTO catalog (isrc, track_title, artist_id, artist_name, label, "
        "release_date, load_id) VALUES (?, ?, ?, ?, ?, DATE '2024-01-01', 1)",
        rows,
    )


def _fact(cur, day, dsp, isrc, streams, country="US", source="search", listener=None):
    cur.execute(
        "INSERT INTO trend_facts VALUES (1, ?, ?, ?, ?, NULL, '18-24', 'female', 'premium', "
        "'mobile', 'ios', ?, NULL, ?, ?)",
        [day, dsp, isrc, country, source, listener, streams],
    )


def _snapshot(cur) -> dict[str, list[tuple]]:
    tables = {
        t: sorted(cur.execute(f"SELECT * FROM {t}").fetchall(), key=repr) for t in rollups.TABLES
    }
    # Keys are numbered in the order ids arrive: compare the ids they stand for.
    for table, keys, key, ident in (
        (rollup_months.TRACKS, rollup_months.TRACK_KEYS, "tid", "isrc"),
        (rollup_months.TRACK_TOTALS, rollup_months.TRACK_KEYS, "tid", "isrc"),
    ):
        tables[table] = sorted(
            cur.execute(
                f"SELECT m.* EXCLUDE ({key}), k.{ident} FROM {table} m JOIN {keys} k USING ({key})"
            ).fetchall(),
            key=repr,
        )
    # The listener rows name their artist by key as well: (label, artist, month, country,
    # days, listener).
    tables[rollup_months.LISTENERS] = sorted(
        cur.execute(
            f"SELECT a.label, a.artist_id, m.date, m.country, m.days, k.listener_id "
            f"FROM {rollup_months.LISTENERS} m JOIN {rollup_months.LISTENER_KEYS} k USING (lid) "
            f"JOIN {rollup_months.ARTIST_KEYS} a USING (ak)"
        ).fetchall(),
        key=repr,
    )
    assert cur.execute(f"SELECT count(*) FROM {rollup_months.LISTENERS}").fetchone()[0] == len(
        tables[rollup_months.LISTENERS]
    )
    # A1 of Label A and B1 of Label B: one key each, in label order.
    assert cur.execute("SELECT label, artist_id, ak FROM artist_keys ORDER BY ak").fetchall() == [
        ("Label A", "A1", 1),
        ("Label B", "B1", 2),
    ]
    for keys, key, ids in (("track_keys", "tid", 3), ("listener_keys", "lid", 4)):
        counts = cur.execute(f"SELECT count(*), count(DISTINCT {key}) FROM {keys}").fetchone()
        assert counts == (ids, ids)  # QZA, QZB, QZC; L1, L2, L3, L9: one key each
    return tables


def _seed(cur) -> None:
    _catalog(cur)
    for day in (D(2026, 2, 1), D(2026, 2, 2), D(2026, 2, 3)):
        _fact(cur, day, "spotify", "QZA000000001", 5, listener="L1")
        _fact(cur, day, "spotify", "QZA000000001", 2, source="radio", listener="L2")
        _fact(cur, day, "deezer", "QZB000000001", 7, country="DE")
        _fact(cur, day, "spotify", "QZA000000001", 40, country=WORLDWIDE)
    # A track whose catalog row has not arrived yet.
    _fact(cur, D(2026, 2, 2), "spotify", "QZC000000001", 9, listener="L9")


def test_incremental_refresh_equals_rebuild_and_the_migration():
    with open_store(":memory:") as s:
        cur = s.cursor()
        _seed(cur)
        aggregates.refresh_all(cur)
        # A later deezer file touching one day refreshes only that day of the rollups.
        _fact(cur, D(2026, 2, 3), "deezer", "QZA000000001", 11, country="BR", listener="L3")
        # The same track, day, country and source as a spotify row: two agg_daily rows.
        _fact(cur, D(2026, 2, 3), "deezer", "QZA000000001", 3)
        _fact(cur, D(2026, 2, 4), "deezer", "QZB000000001", 4, source="radio")
        aggregates.refresh(cur, D(2026, 2, 3), D(2026, 2, 4), ["deezer"])
        partial = _snapshot(cur)
        # The same delivery queued (a multi-file ingest) and refreshed from the backlog.
        cur.execute("DELETE FROM roll_track_day WHERE date >= DATE '2026-02-03'")
        aggregates.queue(cur, 9, D(2026, 2, 3), D(2026, 2, 4), ["deezer"])
        aggregates.refresh_backlog(cur)
        assert _snapshot(cur) == partial
        rollups.rebuild(cur)
        assert _snapshot(cur) == partial
        # Migrations 023, 027, 028, 031 and 032 build the same tables on an existing store.
        for table in rollups.TABLES:
            cur.execute(f"DROP TABLE {table}")
        for table in (
            rollup_months.TRACKS,
            rollup_months.TRACK_TOTALS,
            rollup_months.LISTENERS,
            "track_keys",
            "listener_keys",
            "artist_keys",
        ):
            cur.execute(f"DROP TABLE {table}")
        for migration in MIGRATIONS:
            cur.execute(migration.read_text(encoding="utf-8"))
        assert _snapshot(cur) == partial
    # Hand-worked: Label A on 2 Feb, all countries but worldwide: 5 search + 2 radio.
    assert ("Label A", "A1", "QZA000000001", D(2026, 2, 2), "US", 7, 5, 1, 1) in partial[
        "roll_track_day"
    ]
    # 3 Feb adds deezer's 3 search streams: the active count is of agg_daily rows (2, not 1).
    assert ("Label A", "A1", "QZA000000001", D(2026, 2, 3), "US", 10, 8, 2, 1) in partial[
        "roll_track_day"
    ]
    assert ("Label A", "A1", "QZA000000001", D(2026, 2, 2), 40) in partial["roll_worldwide_day"]
    # L3's one Brazilian day in February (3 Feb: bit 2), and L1's three American ones.
    months = partial[rollup_months.LISTENERS]
    assert ("Label A", "A1", D(2026, 2, 1), "BR", 0b100, "L3") in months
    assert ("Label A", "A1", D(2026, 2, 1), "US", 0b111, "L1") in months
    # L9 only played the track the catalog does not know yet: no artist, no listener row.
    assert [m for m in months if m[-1] == "L9"] == []
    # February for Label A: the one deezer row of 3 Feb in Brazil; 1-3 Feb in the US (5 search
    # + 2 radio a day, and deezer's 3 search on 3 Feb). The key's id comes last (the snapshot
    # maps keys back to ids).
    months = partial[rollup_months.TRACKS]
    isrc, first, third = "QZA000000001", D(2026, 2, 1), D(2026, 2, 3)
    assert ("Label A", "A1", isrc, first, "BR", 11, 11, third, third, isrc) in months
    assert ("Label A", "A1", isrc, first, "US", 24, 18, first, third, isrc) in months
    totals = partial[rollup_months.TRACK_TOTALS]
    assert ("Label A", "A1", isrc, first, 35, 29, first, third, isrc) in totals


@pytest.mark.parametrize(
    ("lo", "hi", "listeners"),
    [
        # L1 streams on 1 and 30 March, L2 on 15 March, L3 on 2 April.
        (D(2026, 3, 10), D(2026, 3, 20), 1),  # between L1's days: only L2
        (D(2026, 3, 16), D(2026, 3, 29), 0),
        (D(2026, 3, 30), D(2026, 3, 31), 1),
        (D(2026, 3, 1), D(2026, 3, 1), 1),
        (D(2026, 3, 16), D(2026, 4, 1), 1),  # across months: L1's 30 March
        (D(2026, 3, 31), D(2026, 4, 2), 1),
        (D(2026, 2, 1), D(2026, 3, 14), 1),
        (None, D(2026, 3, 14), 1),
        (D(2026, 3, 2), None, 3),
        (None, None, 3),
    ],
)
def test_listeners_of_a_window_come_from_the_days_of_each_month(lo, hi, listeners):
    """Hand-worked: a listener counts when one of its days falls in the window, also when
    its days of that month lie on both sides of a window inside the month."""
    with open_store(":memory:") as s:
        cur = s.cursor()
        _catalog(cur)
        for day, who in ((1, "L1"), (30, "L1"), (15, "L2")):
            _fact(cur, D(2026, 3, day), "spotify", "QZA000000001", 3, listener=who)
        _fact(cur, D(2026, 4, 2), "spotify", "QZA000000001", 3, listener="L3")
        aggregates.refresh_all(cur)
        flt = Filters(date_from=lo, date_to=hi)
        got = q.listener_totals(s, _viewer("Label A"), flt)
        assert int(got["listeners"].iloc[0]) == listeners
        _same(got, ref_listeners(s, _viewer("Label A"), flt))


# -- scoping --------------------------------------------------------------------------------
def _viewer(label: str) -> Scope:
    return Scope(username="v", role="viewer", labels=frozenset({label}))


def test_no_rollup_shows_another_labels_rows_even_after_a_track_moves():
    with open_store(":memory:") as s:
        cur = s.cursor()
        _seed(cur)
        aggregates.refresh_all(cur)
        a, b = _viewer("Label A"), _viewer("Label B")
        both = Scope(
            username="x", role="admin", labels=frozenset({"Label A", "Label B", "Label C"})
        )
        assert int(q.stream_totals(s, a)["streams"].iloc[0]) == 3 * 7
        assert int(q.stream_totals(s, b)["streams"].iloc[0]) == 3 * 7
        assert q.worldwide_streams(s, b) == 0
        assert set(q.streams_daily(s, b, split="dsp")["series"]) == {"deezer"}
        # The track without a catalog row belongs to no label: nobody sees it.
        assert int(q.listener_totals(s, both)["listeners"].iloc[0]) == 2
        assert rollups.sync_catalog(cur) is False  # the catalog did not change: in step

        # Label A's track moves to Label B and the unknown track arrives on Label C.
        _catalog(
            cur,
            [
                ("QZA000000001", "One", "B1", "Artist Two", "Label B"),
                ("QZC000000001", "Three", "C1", "Artist Three", "Label C"),
            ],
        )
        assert rollups.sync_catalog(cur) is True
        assert int(q.stream_totals(s, a)["streams"].iloc[0]) == 0
        assert q.worldwide_streams(s, a) == 0
        assert q.top_tracks(s, a).empty
        assert q.streams_daily(s, a, split="context").empty
        assert q.countries(s, a).empty
        assert int(q.listener_totals(s, a)["listeners"].iloc[0]) == 0
        assert int(q.stream_totals(s, b)["streams"].iloc[0]) == 6 * 7
        assert q.worldwide_streams(s, b) == 3 * 40
        assert int(q.stream_totals(s, _viewer("Label C"))["streams"].iloc[0]) == 9
        assert int(q.listener_totals(s, both)["listeners"].iloc[0]) == 3


def test_a_catalog_load_keeps_the_rollups_in_step(loaded, files):
    """Through the real ingest: a track's streams, then a catalog file moving it."""
    from data import ingest

    store = loaded
    ingest.load_trend_report(
        store,
        files.csv("t.csv", [trend_row(1, streams="30"), trend_row(2, streams="4")]),
        today=TODAY,
    )
    a, b = _viewer("Label A"), _viewer("Label B")
    assert int(q.stream_totals(store, a)["streams"].iloc[0]) == 34
    ingest.load_catalog(store, files.csv("c.csv", [catalog_row(1, label="Label B")]))
    assert int(q.stream_totals(store, a)["streams"].iloc[0]) == 4
    assert int(q.stream_totals(store, b)["streams"].iloc[0]) == 30
    assert list(q.top_tracks(store, b)["isrc"]) == ["QZABC2600001"]


def test_other_pages_rollup_reads_equal_the_facts(any_store):
    """The Forecasts, Similar artists and Data health reads that moved to the rollups."""
    from data.queries import forecast, health, similar

    store = any_store
    cur = store.cursor()
    for scope in _scopes(store):
        cond, params = where(scope, None)
        isrcs = [r[0] for r in cur.execute("SELECT isrc FROM catalog ORDER BY isrc").fetchall()]
        artists = sorted({r[0] for r in cur.execute("SELECT artist_id FROM catalog").fetchall()})
        for isrc in isrcs[:3] + isrcs[-2:]:
            want = cur.execute(
                "SELECT a.date, sum(a.streams)::DOUBLE AS streams FROM agg_daily a "
                f"JOIN catalog c USING (isrc) WHERE a.isrc = ? AND {cond} "
                "AND a.date > (SELECT max(date) FROM agg_daily) - 30 GROUP BY a.date "
                "ORDER BY a.date",
                [isrc, *params],
            ).df()
            _same(forecast.forecast_track_history(store, scope, isrc, days=30), want)
        for artist in artists[:2] + artists[-1:]:
            a_cond, a_params = where(scope, Filters(artist_ids=(artist,)))
            want = cur.execute(
                "SELECT a.date, sum(a.streams)::DOUBLE AS streams FROM agg_daily a "
                f"JOIN catalog c USING (isrc) WHERE {a_cond} "
                "AND a.date > (SELECT max(date) FROM agg_daily) - 30 GROUP BY a.date "
                "ORDER BY a.date",
                a_params,
            ).df()
            _same(forecast.forecast_artist_history(store, scope, artist, days=30), want)
            want = cur.execute(
                "SELECT c.isrc, c.track_title, coalesce(sum(a.streams), 0) AS streams "
                f"FROM catalog c LEFT JOIN agg_daily a USING (isrc) WHERE {a_cond} "
                "GROUP BY c.isrc, c.track_title ORDER BY streams DESC, c.isrc LIMIT 1",
                a_params,
            ).df()
            _same(similar.similar_top_track(store, scope, artist), want)
        feeds, f_params = health._feeds(scope)
        want = cur.execute(
            f"SELECT DISTINCT a.dsp FROM agg_daily a JOIN catalog c USING (isrc) WHERE {cond}",
            params,
        ).fetchall()
        assert sorted(cur.execute(f"SELECT * FROM {feeds}", f_params).fetchall()) == sorted(want)


@pytest.mark.parametrize(
    ("lo", "hi", "pieces"),
    [
        (None, None, [("roll_track_month", None, None)]),
        (D(2026, 3, 5), D(2026, 3, 20), [("roll_track_day", D(2026, 3, 5), D(2026, 3, 20))]),
        # 3 Jan .. 10 Apr: February and March whole, the days of January and April apart.
        (
            D(2026, 1, 3),
            D(2026, 4, 10),
            [
                ("roll_track_month", D(2026, 2, 1), D(2026, 3, 1)),
                ("roll_track_day", D(2026, 1, 3), D(2026, 1, 31)),
                ("roll_track_day", D(2026, 4, 1), D(2026, 4, 10)),
            ],
        ),
        (D(2026, 2, 1), D(2026, 2, 28), [("roll_track_month", D(2026, 2, 1), D(2026, 2, 1))]),
        (D(2025, 12, 31), D(2026, 1, 30), [("roll_track_day", D(2025, 12, 31), D(2026, 1, 30))]),
    ],
)
def test_a_window_splits_into_whole_months_and_end_days(lo, hi, pieces):
    assert rollups.track_country_pieces(lo, hi) == pieces
