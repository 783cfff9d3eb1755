"""Every rule of spec/trend-report.md has a failing case that names line, column and rule."""

from __future__ import annotations

import datetime as dt

import pytest

from data import ingest
from data.ingest import validation as v

# (kind, column, bad value, expected rule text). The bad value goes into the third data row
# (line 4) of an otherwise valid file.
CASES = [
    # catalog
    ("catalog", "isrc", "", v.RULE_REQUIRED),
    ("catalog", "isrc", "qzabc2600009", "must be an ISRC"),
    ("catalog", "isrc", "QZABC260000", "must be an ISRC"),
    ("catalog", "isrc", "QZ-BC2600009", "must be an ISRC"),
    ("catalog", "track_title", "", v.RULE_REQUIRED),
    ("catalog", "track_title", "   ", v.RULE_REQUIRED),
    ("catalog", "track_title", "x" * 301, "at most 300 characters"),
    ("catalog", "artist_id", "", v.RULE_REQUIRED),
    ("catalog", "artist_id", "artist 1", "letters, digits"),
    ("catalog", "artist_id", "a" * 65, "letters, digits"),
    ("catalog", "artist_name", "", v.RULE_REQUIRED),
    ("catalog", "artist_name", "n" * 301, "at most 300 characters"),
    ("catalog", "label", "", v.RULE_REQUIRED),
    ("catalog", "release_date", "", v.RULE_REQUIRED),
    ("catalog", "release_date", "2020-1-01", v.RULE_DATE),
    ("catalog", "release_date", "2021-02-29", v.RULE_DATE),
    ("catalog", "release_date", "01/02/2020", v.RULE_DATE),
    ("catalog", "release_date", "2020-01-01T00:00", v.RULE_DATE),
    # trend report
    ("trend", "date", "", v.RULE_REQUIRED),
    ("trend", "date", "2026/01/01", v.RULE_DATE),
    ("trend", "date", "2026-13-01", v.RULE_DATE),
    ("trend", "date", "2026-04-31", v.RULE_DATE),
    ("trend", "date", "0000-01-01", v.RULE_DATE),
    ("trend", "date", "2026-07-01", v.RULE_FUTURE),
    ("trend", "dsp", "", v.RULE_REQUIRED),
    ("trend", "dsp", "Spotify", "lower-case slug"),
    ("trend", "dsp", "s", "lower-case slug"),
    ("trend", "dsp", "apple-music", "lower-case slug"),
    ("trend", "isrc", "", v.RULE_REQUIRED),
    ("trend", "isrc", "QZABC26000O1", "must be an ISRC"),
    ("trend", "isrc", "QZABC2699999", v.RULE_CATALOG),
    ("trend", "country", "", v.RULE_REQUIRED),
    ("trend", "country", "us", v.RULE_COUNTRY),
    ("trend", "country", "XX", v.RULE_COUNTRY),
    ("trend", "country", "USA", v.RULE_COUNTRY),
    ("trend", "country", "UK", v.RULE_COUNTRY),
    ("trend", "age_band", "", v.RULE_REQUIRED),
    ("trend", "age_band", "18-25", "must be one of: 13-17, 18-24"),
    ("trend", "gender", "man", "must be one of: female, male, nonbinary, unknown"),
    ("trend", "subscription", "Premium", "must be one of: premium, free, trial, unknown"),
    ("trend", "device", "phone", "must be one of: mobile, desktop"),
    ("trend", "os", "ios ", "must be one of: ios, android"),
    ("trend", "source", "playlist", "must be one of: search, collection"),
    ("trend", "playlist_id", "pl7", "may only be set when source is a playlist"),
    ("trend", "streams", "", v.RULE_REQUIRED),
    ("trend", "streams", "0", "must be an integer >= 1"),
    ("trend", "streams", "-3", "must be an integer >= 1"),
    ("trend", "streams", "1.5", "must be an integer >= 1"),
    ("trend", "streams", "ten", "must be an integer >= 1"),
    ("trend", "streams", "99999999999999999999", "must be an integer >= 1"),
    ("trend", "streams", "999999999999999999", "must be at most 1,000,000,000"),
    ("trend", "date", "1900-01-01", "must not be before 2000-01-01"),
    ("trend", "region", "New\x00York", v.RULE_NUL),
    ("trend", "streams", "1000000001", "must be at most 1,000,000,000"),
    # campaigns
    ("campaigns", "campaign_id", "", v.RULE_REQUIRED),
    ("campaigns", "isrc", "QZABC2699999", v.RULE_CATALOG),
    ("campaigns", "isrc", "bad", "must be an ISRC"),
    ("campaigns", "country", "Germany", v.RULE_COUNTRY),
    ("campaigns", "platform", "facebook", "must be one of: meta, google, tiktok"),
    ("campaigns", "platform", "", v.RULE_REQUIRED),
    ("campaigns", "start_date", "2026-02-30", v.RULE_DATE),
    ("campaigns", "end_date", "", v.RULE_REQUIRED),
    ("campaigns", "end_date", "2025-12-31", "must not be before start_date"),
    ("campaigns", "spend_usd", "", v.RULE_REQUIRED),
    ("campaigns", "spend_usd", "-1", "decimal number >= 0"),
    ("campaigns", "spend_usd", "12,50", "decimal number >= 0"),
    ("campaigns", "spend_usd", "$12", "decimal number >= 0"),
    ("campaigns", "impressions", "-5", "must be an integer >= 0"),
    ("campaigns", "clicks", "2.5", "must be an integer >= 0"),
    ("campaigns", "clicks", "100001", "must not be greater than impressions"),
    ("campaigns", "reach", "many", "must be an integer >= 0"),
]


# Other values a case needs in its row.
CONTEXT = {
    ("trend", "playlist_id"): {"source": "search"},
    ("trend", "source"): {"playlist_id": ""},  # else the playlist rule fires too
}


def _file(files, kind: str, bad: dict[str, str]):
    row = {"catalog": files.catalog_row, "trend": files.trend_row, "campaigns": files.campaign_row}
    # Catalog rows 6..8 do not collide with the loaded catalog's ISRCs 1..5.
    first = 6 if kind == "catalog" else 1
    rows = [row[kind](first), row[kind](first + 1), row[kind](first + 2, **bad)]
    return files.csv(f"{kind}.csv", rows)


def _load(store, kind: str, path, **kw):
    if kind == "catalog":
        return ingest.load_catalog(store, path, **kw)
    if kind == "trend":
        return ingest.load_trend_report(store, path, today=dt.date(2026, 6, 30), **kw)
    return ingest.load_campaigns(store, path, **kw)


@pytest.mark.parametrize(
    ("kind", "column", "value", "rule"),
    CASES,
    ids=[f"{k}-{c}-{val[:12]!r}" for k, c, val, _ in CASES],
)
def test_rule_rejects_with_line_column_value_and_rule(loaded, files, kind, column, value, rule):
    path = _file(files, kind, {**CONTEXT.get((kind, column), {}), column: value})
    with pytest.raises(ingest.IngestError) as caught:
        _load(loaded, kind, path)
    err = caught.value
    assert err.file == path
    assert err.total == 1, str(err)
    (problem,) = err.problems
    assert (problem.line, problem.row, problem.column) == (4, 2, column)
    assert problem.value == ingest.clip(value)
    assert rule in problem.rule
    assert f"line 4, column {column}, value " in str(err)
    assert str(path) in str(err)


def test_every_column_rule_has_a_case():
    """Each column of each spec, and each cross rule, appears in CASES."""
    covered = {(k, c) for k, c, _, _ in CASES}
    for spec in v.SPECS.values():
        for col in spec.columns:
            rules = col.required or col.pattern or col.kind != "text"
            if rules:
                assert (spec.kind, col.name) in covered, (spec.kind, col.name)
        for rule in spec.cross_rules:
            assert any(rule.rule in r or r in rule.rule for k, _c, _v, r in CASES if k == spec.kind)


def test_duplicate_isrc_in_catalog_file(store, files):
    rows = [files.catalog_row(1), files.catalog_row(2), files.catalog_row(1, track_title="B")]
    with pytest.raises(ingest.IngestError) as caught:
        ingest.load_catalog(store, files.csv("catalog.csv", rows))
    err = caught.value
    assert err.total == 2  # both occurrences
    assert [(p.line, p.column, p.rule) for p in err.problems] == [
        (2, "isrc", v.RULE_UNIQUE),
        (4, "isrc", v.RULE_UNIQUE),
    ]


def test_duplicate_campaign_id(loaded, files):
    rows = [files.campaign_row(1), files.campaign_row(2), files.campaign_row(1)]
    with pytest.raises(ingest.IngestError) as caught:
        ingest.load_campaigns(loaded, files.csv("campaigns.csv", rows))
    assert {(p.line, p.column, p.rule) for p in caught.value.problems} == {
        (2, "campaign_id", v.RULE_UNIQUE),
        (4, "campaign_id", v.RULE_UNIQUE),
    }


@pytest.mark.parametrize("source", v.PLAYLIST_SOURCES)
def test_playlist_id_allowed_for_playlist_sources(loaded, files, source):
    path = files.csv("t.csv", [files.trend_row(1, source=source, playlist_id="pl9")])
    assert ingest.load_trend_report(loaded, path, today=files.TODAY).rows_loaded == 1


@pytest.mark.parametrize("source", [s for s in v.SOURCES if s not in v.PLAYLIST_SOURCES])
def test_playlist_id_refused_for_other_sources(loaded, files, source):
    rows = [files.trend_row(1, source=source, playlist_id=""), files.trend_row(2, source=source)]
    with pytest.raises(ingest.IngestError) as caught:
        ingest.load_trend_report(loaded, files.csv("t.csv", rows), today=files.TODAY)
    (problem,) = caught.value.problems
    assert (problem.line, problem.column, problem.value) == (3, "playlist_id", "pl1")
    assert "only be set when source is a playlist" in problem.rule


def test_first_failing_rule_only_per_cell(loaded, files):
    """A malformed ISRC is reported as malformed, not also as missing from the catalog."""
    path = files.csv("t.csv", [files.trend_row(1, isrc="bad", streams="0")])
    with pytest.raises(ingest.IngestError) as caught:
        ingest.load_trend_report(loaded, path, today=files.TODAY)
    assert [(p.column, p.rule.split(" ")[2]) for p in caught.value.problems] == [
        ("isrc", "an"),
        ("streams", "an"),
    ]


def test_today_decides_the_future(loaded, files):
    path = files.csv("t.csv", [files.trend_row(1, date="2026-07-01")])
    with pytest.raises(ingest.IngestError):
        ingest.load_trend_report(loaded, path, today=dt.date(2026, 6, 30))
    result = ingest.load_trend_report(loaded, path, today=dt.date(2026, 7, 1))
    assert result.rows_loaded == 1


def test_genre_is_lower_cased_and_empty_optional_text_is_null(loaded, files):
    path = files.csv(
        "c.csv", [files.catalog_row(9, genre="Hip-Hop"), files.catalog_row(10, genre="")]
    )
    ingest.load_catalog(loaded, path)
    rows = loaded.cursor().execute(
        "SELECT isrc, genre FROM catalog WHERE isrc IN ('QZABC2600009', 'QZABC2600010') ORDER BY 1"
    )
    assert rows.fetchall() == [("QZABC2600009", "hip-hop"), ("QZABC2600010", None)]


def test_vocabularies_match_the_schema(store):
    cur = store.cursor()
    for values, enum in (
        (v.AGE_BANDS, "age_band_t"),
        (v.GENDERS, "gender_t"),
        (v.SUBSCRIPTIONS, "subscription_t"),
        (v.DEVICES, "device_t"),
        (v.OSES, "os_t"),
        (v.SOURCES, "source_t"),
        (v.PLATFORMS, "platform_t"),
    ):
        assert tuple(cur.execute(f"SELECT enum_range(NULL::{enum})").fetchone()[0]) == values


def test_country_codes_are_real_iso_alpha2():
    codes = set(v.COUNTRY_CODES)
    assert {"US", "GB", "DE", "BR", "JP", "SE"} <= codes
    assert not {"UK", "XX", "EU", "ZZ", "us"} & codes
    assert len(codes) == 249 and all(len(c) == 2 and c.isupper() for c in codes)


def test_typed_parquet_columns_are_checked_by_type():
    """A DATE or integer Parquet column needs no regex; a text one does."""
    today = dt.date(2026, 6, 30)
    typed = {"date": ('"date"', "DATE"), "streams": ('"streams"', "BIGINT")}
    text = {"date": ('"date"', "VARCHAR"), "streams": ('"streams"', "VARCHAR")}
    for sources, has_regex in ((typed, False), (text, True)):
        compiled = v.compile_spec(v.TREND, sources, today=today)
        sql = " ".join(c.sql for col in compiled.checked for c in col.checks)
        assert ("regexp_full_match" in sql) is has_regex


def test_absent_optional_columns_are_null_and_unchecked():
    sources = {n: (f'"{n}"', "VARCHAR") for n in v.TREND.required}
    compiled = v.compile_spec(v.TREND, sources, today=dt.date(2026, 6, 30))
    region = compiled.column("region")
    assert not region.present and region.value == "NULL::VARCHAR" and not region.checks
    # the playlist rule needs playlist_id, which is absent
    assert not compiled.column("playlist_id").checks
