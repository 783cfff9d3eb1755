"""The input rules of spec/trend-report.md as data: one `FileSpec` per input kind.

Each kind (catalog, trend report, campaigns) is a `FileSpec`: one `ColumnSpec` per column plus
the `CrossRule`s that relate two columns, and the texts a user sees for each broken rule.
data/ingest/validation.py compiles them to SQL.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pycountry

# -- vocabularies (the ENUM types of data/migrations/001_initial.sql) ---------------------
from data.vocab import (  # noqa: E402  (re-exported: the rules' vocabularies)
    AGE_BANDS,
    DEVICES,
    GENDERS,
    OSES,
    PLATFORMS,
    PLAYLIST_SOURCES,
    SOURCES,
    SUBSCRIPTIONS,
    WORLDWIDE,
)

# Real ISO 3166-1 alpha-2 codes only (no user-assigned codes such as XK or ZZ).
COUNTRY_CODES: tuple[str, ...] = tuple(sorted(c.alpha_2 for c in pycountry.countries))
# What a trend report's `country` may hold: a country, or the reserved worldwide territory
# of public "global" charts (data/vocab.py WORLDWIDE), never summed with the countries.
TERRITORY_CODES: tuple[str, ...] = (*COUNTRY_CODES, WORLDWIDE)

ISRC_PATTERN = "^[A-Z]{2}[A-Z0-9]{3}[0-9]{7}$"
ARTIST_ID_PATTERN = "^[A-Za-z0-9_.-]{1,64}$"
DSP_PATTERN = "^[a-z0-9_]{2,32}$"
INTEGER_PATTERN = "^[0-9]{1,18}$"
DECIMAL_PATTERN = "^[0-9]{1,16}([.][0-9]+)?$"
MAX_TEXT = 300

# Upper bound of `streams` in one trend report row. A row counts one day of one track on
# one DSP in one country and one listener group; the most streamed tracks reach some tens
# of millions of streams a day worldwide across all DSPs together, so 10**9 is far above
# any real row while it keeps every sum of a store within BIGINT (see MAX_TREND_ROWS).
MAX_STREAMS = 10**9
# Upper bound of the rows of trend_facts. With MAX_STREAMS it bounds any sum of streams by
# 9 * 10**9 rows x 10**9 = 9.0e18 < 2**63 - 1 (about 9.22e18): no SUM of streams, of facts or
# of aggregates (which partition the facts), can overflow BIGINT. At a few dozen bytes a row
# such a store would be hundreds of gigabytes, beyond what this application serves.
MAX_TREND_ROWS = 9 * 10**9
# Earliest day of consumption a trend report may name. Streaming services and their trend
# reports began in the 2000s; a date before 2000 is a default or a typo (1900-01-01 is a
# common "no date" of spreadsheets) that would stretch every chart's time axis by a century.
MIN_TREND_DATE = dt.date(2000, 1, 1)


@dataclass(frozen=True)
class ColumnSpec:
    """One input column and its rules. `kind` decides the type checks and the stored type."""

    name: str
    kind: str  # text | date | integer | decimal | enum | country
    required: bool = True
    pattern: str | None = None  # full-match regular expression (text kinds)
    pattern_hint: str = ""  # what the pattern means, for people
    max_length: int | None = None
    values: tuple[str, ...] = ()  # enum vocabulary
    enum_type: str | None = None  # the schema's ENUM type for enum columns
    minimum: int | None = None  # integer / decimal lower bound
    maximum: int | None = None  # integer upper bound
    lower: bool = False  # lower-cased on load
    in_catalog: bool = False  # must name a catalog ISRC
    unique: bool = False  # unique within the file
    not_future: bool = False  # dates: not after `today`
    not_before: dt.date | None = None  # dates: the earliest allowed


@dataclass(frozen=True)
class CrossRule:
    """A rule between columns, reported against `column`.

    `predicate` is TRUE when a row breaks the rule; `{name}` stands for that column's value
    typed, or NULL where the value itself is invalid (then the column's own rule reports it),
    and `{name.text}` for the value as text (cheaper, where an invalid value may also count).
    """

    column: str
    rule: str
    predicate: str
    needs: tuple[str, ...]


@dataclass(frozen=True)
class FileSpec:
    kind: str  # catalog | trend | campaigns
    table: str
    columns: tuple[ColumnSpec, ...]
    cross_rules: tuple[CrossRule, ...] = ()
    key: str | None = None  # upsert key; None = append

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)


def sql_list(values: tuple[str, ...]) -> str:
    return ", ".join(sql_string(v) for v in values)


def sql_string(text: str) -> str:
    """A SQL string literal for a constant of this program (never for file data)."""
    return "'" + text.replace("'", "''") + "'"


def sql_ident(name: str) -> str:
    """A quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


CATALOG = FileSpec(
    kind="catalog",
    table="catalog",
    key="isrc",
    columns=(
        ColumnSpec(
            "isrc",
            "text",
            pattern=ISRC_PATTERN,
            pattern_hint="an ISRC: 2 letters, 3 letters or digits, 7 digits",
            unique=True,
        ),
        ColumnSpec("track_title", "text", max_length=MAX_TEXT),
        ColumnSpec(
            "artist_id",
            "text",
            pattern=ARTIST_ID_PATTERN,
            pattern_hint="1 to 64 letters, digits, '_', '.' or '-'",
        ),
        ColumnSpec("artist_name", "text", max_length=MAX_TEXT),
        ColumnSpec("label", "text"),
        ColumnSpec("genre", "text", required=False, lower=True),
        ColumnSpec("release_date", "date"),
    ),
)

TREND = FileSpec(
    kind="trend",
    table="trend_facts",
    columns=(
        ColumnSpec("date", "date", not_future=True, not_before=MIN_TREND_DATE),
        ColumnSpec(
            "dsp",
            "text",
            pattern=DSP_PATTERN,
            pattern_hint="a lower-case slug of 2 to 32 letters, digits or '_'",
        ),
        ColumnSpec(
            "isrc",
            "text",
            pattern=ISRC_PATTERN,
            pattern_hint="an ISRC: 2 letters, 3 letters or digits, 7 digits",
            in_catalog=True,
        ),
        ColumnSpec("country", "country"),
        ColumnSpec("region", "text", required=False),
        ColumnSpec("age_band", "enum", values=AGE_BANDS, enum_type="age_band_t"),
        ColumnSpec("gender", "enum", values=GENDERS, enum_type="gender_t"),
        ColumnSpec("subscription", "enum", values=SUBSCRIPTIONS, enum_type="subscription_t"),
        ColumnSpec("device", "enum", values=DEVICES, enum_type="device_t"),
        ColumnSpec("os", "enum", values=OSES, enum_type="os_t"),
        ColumnSpec("source", "enum", values=SOURCES, enum_type="source_t"),
        ColumnSpec("playlist_id", "text", required=False),
        ColumnSpec("listener_id", "text", required=False),
        ColumnSpec("streams", "integer", minimum=1, maximum=MAX_STREAMS),
    ),
    cross_rules=(
        CrossRule(
            "playlist_id",
            "may only be set when source is a playlist (" + ", ".join(PLAYLIST_SOURCES) + ")",
            # on text: an invalid source is no playlist either
            "{playlist_id} IS NOT NULL AND {source.text} NOT IN ("
            + sql_list(PLAYLIST_SOURCES)
            + ")",
            needs=("playlist_id", "source"),
        ),
    ),
)

CAMPAIGNS = FileSpec(
    kind="campaigns",
    table="campaigns",
    key="campaign_id",
    columns=(
        ColumnSpec("campaign_id", "text", unique=True),
        ColumnSpec(
            "isrc",
            "text",
            pattern=ISRC_PATTERN,
            pattern_hint="an ISRC: 2 letters, 3 letters or digits, 7 digits",
            in_catalog=True,
        ),
        ColumnSpec("country", "country"),
        ColumnSpec("platform", "enum", values=PLATFORMS, enum_type="platform_t"),
        ColumnSpec("start_date", "date"),
        ColumnSpec("end_date", "date"),
        ColumnSpec("spend_usd", "decimal", minimum=0),
        ColumnSpec("impressions", "integer", required=False, minimum=0),
        ColumnSpec("clicks", "integer", required=False, minimum=0),
        ColumnSpec("reach", "integer", required=False, minimum=0),
    ),
    cross_rules=(
        CrossRule(
            "end_date",
            "must not be before start_date",
            "{start_date} > {end_date}",
            needs=("start_date", "end_date"),
        ),
        CrossRule(
            "clicks",
            "must not be greater than impressions",
            "{clicks} > {impressions}",
            needs=("clicks", "impressions"),
        ),
    ),
)

SPECS: dict[str, FileSpec] = {s.kind: s for s in (CATALOG, TREND, CAMPAIGNS)}


# -- rule texts (the words a user sees after "value '...': ") -----------------------------
RULE_REQUIRED = "required: must not be empty"
RULE_DATE = "must be a real calendar date written YYYY-MM-DD"
RULE_FUTURE = "must not be in the future"
RULE_NUL = "must not contain a NUL character (a sign of a binary or wrongly encoded file)"


def rule_not_before(col: ColumnSpec) -> str:
    return (
        f"must not be before {col.not_before.isoformat()}: no trend report is older "
        "(docs/spec-bounds.md)"
    )


RULE_CATALOG = "is not in the catalog (load a catalog naming it first)"
RULE_UNIQUE = "must be unique in the file (this value occurs more than once)"
RULE_COUNTRY = "must be a real ISO 3166-1 alpha-2 country code in upper case (e.g. US, GB, DE)"


def rule_pattern(col: ColumnSpec) -> str:
    if col.pattern_hint:
        return f"must be {col.pattern_hint} ({col.pattern})"
    return f"must match {col.pattern}"


def rule_max_length(col: ColumnSpec) -> str:
    return f"must be at most {col.max_length} characters"


def rule_integer(col: ColumnSpec) -> str:
    return f"must be an integer >= {col.minimum}"


def rule_maximum(col: ColumnSpec) -> str:
    return (
        f"must be at most {col.maximum:,}: no real report has more in one row "
        "(the bound is explained in docs/spec-bounds.md)"
    )


def rule_decimal(col: ColumnSpec) -> str:
    return f"must be a decimal number >= {col.minimum} (digits, optional '.' and decimals)"


def rule_enum(col: ColumnSpec) -> str:
    return "must be one of: " + ", ".join(col.values)
