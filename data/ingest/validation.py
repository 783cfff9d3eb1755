"""The input rules of spec/trend-report.md, in one place, as data.

Each input kind (catalog, trend report, campaigns) is a `FileSpec`: one `ColumnSpec` per
column plus the `CrossRule`s that relate two columns. `compile_spec` turns a spec and the
columns a file actually has (their SQL identifiers and DuckDB types) into SQL: for every
column an ordered list of `Check`s, each a predicate that is TRUE when the value breaks the
rule. The first failing check of a cell is the problem reported for it, so a malformed ISRC
is reported as malformed, not also as missing from the catalog.

Everything here is SQL text built from constants of this module and from identifiers the
caller quoted; values from files never appear in it (they are only ever column references).
Typed Parquet columns are checked by type (a DATE column needs no date check, an integer
column only its range); text (every CSV column, and Parquet columns of any other type, cast
to text) is checked by pattern, TRY_CAST and, for dates, the canonical YYYY-MM-DD form.

Two flags keep the row-level test (`CompiledSpec.bad_sql`) cheap on large files without
weakening it: a check is `implied` when another check of the column catches every value it
does (it still names the problem), and `cast_enforced` when the INSERT's cast to the stored
type fails on every such value (a strict load aborts on that failure just the same).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

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
)

# Real ISO 3166-1 alpha-2 codes only (no user-assigned codes such as XK or ZZ).
COUNTRY_CODES: tuple[str, ...] = tuple(sorted(c.alpha_2 for c in pycountry.countries))

ISRC_PATTERN = "^[A-Z]{2}[A-Z0-9]{3}[0-9]{7}$"
ARTIST_ID_PATTERN = "^[A-Za-z0-9_.-]{1,64}$"
DSP_PATTERN = "^[a-z0-9_]{2,32}$"
INTEGER_PATTERN = "^[0-9]{1,18}$"
DECIMAL_PATTERN = "^[0-9]{1,16}([.][0-9]+)?$"
MAX_TEXT = 300

# Parquet types checked natively (no text round trip); anything else is cast to text.
_NATIVE_INTEGERS = frozenset(
    {"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "UTINYINT", "USMALLINT", "UINTEGER"}
)


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
    lower: bool = False  # lower-cased on load
    in_catalog: bool = False  # must name a catalog ISRC
    unique: bool = False  # unique within the file
    not_future: bool = False  # dates: not after `today`


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


def _sql_list(values: tuple[str, ...]) -> str:
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
        ColumnSpec("date", "date", not_future=True),
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
        ColumnSpec("streams", "integer", minimum=1),
    ),
    cross_rules=(
        CrossRule(
            "playlist_id",
            "may only be set when source is a playlist (" + ", ".join(PLAYLIST_SOURCES) + ")",
            # on text: an invalid source is no playlist either
            "{playlist_id} IS NOT NULL AND {source.text} NOT IN ("
            + _sql_list(PLAYLIST_SOURCES)
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

# Stored SQL types of non-enum kinds.
_STORED = {"date": "DATE", "integer": "BIGINT", "decimal": "DECIMAL(18, 2)"}

# -- rule texts (the words a user sees after "value '...': ") -----------------------------
RULE_REQUIRED = "required: must not be empty"
RULE_DATE = "must be a real calendar date written YYYY-MM-DD"
RULE_FUTURE = "must not be in the future"
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


def rule_decimal(col: ColumnSpec) -> str:
    return f"must be a decimal number >= {col.minimum} (digits, optional '.' and decimals)"


def rule_enum(col: ColumnSpec) -> str:
    return "must be one of: " + ", ".join(col.values)


@dataclass(frozen=True)
class Check:
    rule: str
    sql: str  # TRUE when the value breaks the rule, given the column's earlier checks passed
    # Another check of the column catches every value this one does: it names the problem
    # precisely but the row-level "is anything wrong" test can skip it.
    implied: bool = False
    # The CAST to the stored type (or its NOT NULL) fails on every value this check catches,
    # so a strict load, which any failure aborts, can leave the check to the INSERT.
    cast_enforced: bool = False


@dataclass(frozen=True)
class CompiledColumn:
    spec: ColumnSpec
    present: bool
    text: str  # the value as text: for messages and the rejects file
    value: str  # the value as stored (valid rows only)
    safe: str  # the value typed, or NULL where invalid: for cross-column rules
    checks: tuple[Check, ...] = ()

    @property
    def rules(self) -> tuple[str, ...]:
        return tuple(c.rule for c in self.checks)

    def code_sql(self) -> str | None:
        """CASE giving the 1-based number of the first failing check, NULL if none fails."""
        if not self.checks:
            return None
        whens = " ".join(f"WHEN {c.sql} THEN {i}" for i, c in enumerate(self.checks, 1))
        return f"CASE {whens} END"


@dataclass(frozen=True)
class CompiledSpec:
    spec: FileSpec
    columns: tuple[CompiledColumn, ...]
    windows: tuple[tuple[str, str], ...] = field(default=())  # (alias, window expression)

    def column(self, name: str) -> CompiledColumn:
        return next(c for c in self.columns if c.spec.name == name)

    @property
    def checked(self) -> tuple[CompiledColumn, ...]:
        return tuple(c for c in self.columns if c.checks)

    def bad_sql(self, *, strict: bool = False) -> str:
        """TRUE when any rule of the row breaks. With `strict`, only what the INSERT's casts
        would not catch anyway (the caller aborts on any error)."""
        parts = [
            f"({chk.sql})"
            for c in self.checked
            for chk in c.checks
            if not chk.implied and not (strict and chk.cast_enforced)
        ]
        return " OR ".join(parts) if parts else "false"


class _Placeholder(str):
    """`{name}` in a cross rule: the safe typed value; `{name.text}`: the text."""

    def __new__(cls, column: CompiledColumn) -> _Placeholder:
        obj = super().__new__(cls, f"({column.safe})")
        obj.text = f"({column.text})"
        return obj


def compile_spec(
    spec: FileSpec, sources: dict[str, tuple[str, str]], *, today: dt.date
) -> CompiledSpec:
    """Compile `spec` against a file's columns.

    `sources` maps a spec column name to (SQL identifier, DuckDB type) for the columns the
    file has; absent optional columns become NULL. The caller has already reported absent
    required columns.
    """
    today_sql = f"DATE '{today.isoformat()}'"
    compiled: list[CompiledColumn] = []
    windows: list[tuple[str, str]] = []
    for col in spec.columns:
        if col.name not in sources:
            stored = _STORED.get(col.kind, col.enum_type or "VARCHAR")
            null = f"NULL::{stored}"
            compiled.append(CompiledColumn(col, False, "NULL::VARCHAR", null, null))
            continue
        ident, dtype = sources[col.name]
        dtype = dtype.upper()
        is_text = dtype == "VARCHAR"
        text = ident if is_text else f"CAST({ident} AS VARCHAR)"
        # what casts see: an empty optional value is NULL
        given = text if col.required or not is_text else f"nullif({text}, '')"
        missing = f"{ident} IS NULL OR {ident} = ''" if is_text else f"{ident} IS NULL"
        checks: list[Check] = []
        if col.kind == "text":
            if col.required:
                blank = "" if col.pattern else f" OR trim({text}) = ''"
                checks.append(Check(RULE_REQUIRED, missing + blank))
            if col.pattern:
                regex = sql_string(col.pattern)
                checks.append(Check(rule_pattern(col), f"NOT regexp_full_match({text}, {regex})"))
            if col.max_length:
                checks.append(Check(rule_max_length(col), f"length({text}) > {col.max_length}"))
            value = f"nullif({text}, '')"
            if col.lower:
                value = f"lower({value})"
            safe = value
        elif col.kind == "date":
            if dtype == "DATE":
                value = safe = ident
                if col.required:
                    checks.append(Check(RULE_REQUIRED, missing))
            else:
                safe = f"TRY_CAST({given} AS DATE)"
                value = f"CAST({given} AS DATE)"
                if col.required:
                    checks.append(Check(RULE_REQUIRED, missing))
                # Strictly YYYY-MM-DD and a real date: the text is the canonical form of the
                # date it parses to (cheaper than a regex, and rejects 2026-1-5, 2026-02-30).
                checks.append(
                    Check(
                        RULE_DATE,
                        f"length({text}) <> 10 OR CAST({safe} AS VARCHAR) IS DISTINCT FROM {text}",
                    )
                )
            if col.not_future:
                checks.append(Check(RULE_FUTURE, f"{safe} > {today_sql}"))
        elif col.kind == "integer":
            if col.required:
                checks.append(Check(RULE_REQUIRED, missing))
            if dtype in _NATIVE_INTEGERS:
                value = safe = f"CAST({ident} AS BIGINT)"
                checks.append(Check(rule_integer(col), f"{ident} < {col.minimum}"))
            else:
                safe = f"TRY_CAST({given} AS BIGINT)"
                value = f"CAST({given} AS BIGINT)"
                checks.append(
                    Check(
                        rule_integer(col),
                        f"NOT regexp_full_match({text}, {sql_string(INTEGER_PATTERN)}) "
                        f"OR {safe} IS NULL OR {safe} < {col.minimum}",
                    )
                )
        elif col.kind == "decimal":
            if col.required:
                checks.append(Check(RULE_REQUIRED, missing))
            if dtype in _NATIVE_INTEGERS or dtype.startswith("DECIMAL"):
                value = safe = f"CAST({ident} AS DECIMAL(18, 2))"
                checks.append(
                    Check(
                        rule_decimal(col),
                        f"{ident} < {col.minimum} OR {ident} >= 10000000000000000",
                    )
                )
            else:
                safe = f"TRY_CAST({given} AS DECIMAL(18, 2))"
                value = f"CAST({given} AS DECIMAL(18, 2))"
                checks.append(
                    Check(
                        rule_decimal(col),
                        f"NOT regexp_full_match({text}, {sql_string(DECIMAL_PATTERN)}) "
                        f"OR {safe} IS NULL OR {safe} < {col.minimum}",
                    )
                )
        elif col.kind == "enum":
            if col.required:  # NULL breaks the stored column's NOT NULL, '' the cast
                checks.append(Check(RULE_REQUIRED, missing, cast_enforced=True))
            safe = f"TRY_CAST({given} AS {col.enum_type})"
            value = f"CAST({given} AS {col.enum_type})"
            checks.append(Check(rule_enum(col), f"{safe} IS NULL", cast_enforced=True))
        elif col.kind == "country":
            if col.required:
                checks.append(Check(RULE_REQUIRED, missing))
            codes = f"ENUM({_sql_list(COUNTRY_CODES)})"
            checks.append(Check(RULE_COUNTRY, f"TRY_CAST({text} AS {codes}) IS NULL"))
            value = f"nullif({text}, '')"
            safe = f"CASE WHEN TRY_CAST({text} AS {codes}) IS NOT NULL THEN {text} END"
        else:  # pragma: no cover - a spec typo
            raise ValueError(f"unknown column kind {col.kind!r}")
        if not col.required:
            # optional: an empty value is NULL and breaks no rule
            checks = [replace(c, sql=f"NOT ({missing}) AND ({c.sql})") for c in checks]
        if checks and safe != ident:
            # NULL wherever the column's own rules fail (-5 is a BIGINT, not a valid count).
            own = " OR ".join(f"coalesce(({c.sql}), false)" for c in checks)
            safe = f"CASE WHEN NOT ({own}) THEN {safe} END"
        if col.unique:
            alias = sql_ident(f"_n_{col.name}")
            windows.append((alias, f"count(*) OVER (PARTITION BY {text})"))
            checks.append(Check(RULE_UNIQUE, f"{alias} > 1"))
        if col.in_catalog:
            # Catalog ISRCs passed the format rule when the catalog was loaded, so any value
            # with a bad format is also missing from the catalog: the (costly) regex only
            # names the problem and need not run on rows that are fine.
            checks = [
                replace(c, implied=True) if c.rule == rule_pattern(col) else c for c in checks
            ]
            checks.append(Check(RULE_CATALOG, f"{text} NOT IN (SELECT isrc FROM catalog)"))
        compiled.append(CompiledColumn(col, True, text, value, safe, tuple(checks)))

    # Cross-column rules become further checks of the column they are reported against.
    by_name = {c.spec.name: c for c in compiled}
    for rule in spec.cross_rules:
        if not all(by_name[n].present for n in rule.needs):
            continue
        predicate = rule.predicate.format(**{n: _Placeholder(by_name[n]) for n in rule.needs})
        target = by_name[rule.column]
        by_name[rule.column] = CompiledColumn(
            target.spec,
            True,
            target.text,
            target.value,
            target.safe,
            target.checks + (Check(rule.rule, predicate),),
        )
    return CompiledSpec(spec, tuple(by_name[c.name] for c in spec.columns), tuple(windows))
