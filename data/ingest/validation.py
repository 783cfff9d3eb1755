"""The input rules of spec/trend-report.md (data/ingest/specs.py) compiled to SQL.

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

from data.ingest.specs import (  # noqa: F401  (re-exported: the rules and vocabularies)
    AGE_BANDS,
    CAMPAIGNS,
    CATALOG,
    COUNTRY_CODES,
    DECIMAL_PATTERN,
    DEVICES,
    GENDERS,
    INTEGER_PATTERN,
    OSES,
    PLATFORMS,
    PLAYLIST_SOURCES,
    RULE_CATALOG,
    RULE_COUNTRY,
    RULE_DATE,
    RULE_FUTURE,
    RULE_NUL,
    RULE_REQUIRED,
    RULE_UNIQUE,
    SOURCES,
    SPECS,
    SUBSCRIPTIONS,
    TERRITORY_CODES,
    TREND,
    ColumnSpec,
    CrossRule,
    FileSpec,
    rule_decimal,
    rule_enum,
    rule_integer,
    rule_max_length,
    rule_maximum,
    rule_not_before,
    rule_pattern,
    sql_ident,
    sql_list,
    sql_string,
)

# Parquet types checked natively (no text round trip); anything else is cast to text.
_NATIVE_INTEGERS = frozenset(
    {"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "UTINYINT", "USMALLINT", "UINTEGER"}
)

# Stored SQL types of non-enum kinds.
_STORED = {"date": "DATE", "integer": "BIGINT", "decimal": "DECIMAL(18, 2)"}


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


@dataclass(frozen=True)
class _Source:
    """How one present column reads: its identifier, DuckDB type and the derived forms."""

    ident: str
    dtype: str
    text: str  # the value as text
    given: str  # what casts see: an empty optional value is NULL
    missing: str  # the value is absent
    today_sql: str


def _text_rules(col: ColumnSpec, src: _Source) -> tuple[str, str, list[Check]]:
    checks: list[Check] = []
    if col.required:
        blank = "" if col.pattern else f" OR trim({src.text}) = ''"
        checks.append(Check(RULE_REQUIRED, src.missing + blank))
    if col.pattern:
        regex = sql_string(col.pattern)
        checks.append(Check(rule_pattern(col), f"NOT regexp_full_match({src.text}, {regex})"))
    else:
        # A pattern already refuses it; free text must too (it ends C strings early).
        checks.append(Check(RULE_NUL, f"strpos({src.text}, chr(0)) > 0"))
    if col.max_length:
        checks.append(Check(rule_max_length(col), f"length({src.text}) > {col.max_length}"))
    value = f"nullif({src.text}, '')"
    if col.lower:
        value = f"lower({value})"
    return value, value, checks


def _date_rules(col: ColumnSpec, src: _Source) -> tuple[str, str, list[Check]]:
    checks: list[Check] = []
    if col.required:
        checks.append(Check(RULE_REQUIRED, src.missing))
    if src.dtype == "DATE":
        value = safe = src.ident
    else:
        safe = f"TRY_CAST({src.given} AS DATE)"
        value = f"CAST({src.given} AS DATE)"
        # Strictly YYYY-MM-DD and a real date: the text is the canonical form of the date it
        # parses to (cheaper than a regex, and rejects 2026-1-5, 2026-02-30).
        checks.append(
            Check(
                RULE_DATE,
                f"length({src.text}) <> 10 OR CAST({safe} AS VARCHAR) IS DISTINCT FROM {src.text}",
            )
        )
    if col.not_future:
        checks.append(Check(RULE_FUTURE, f"{safe} > {src.today_sql}"))
    if col.not_before is not None:
        earliest = f"DATE '{col.not_before.isoformat()}'"
        checks.append(Check(rule_not_before(col), f"{safe} < {earliest}"))
    return value, safe, checks


def _integer_rules(col: ColumnSpec, src: _Source) -> tuple[str, str, list[Check]]:
    checks: list[Check] = [Check(RULE_REQUIRED, src.missing)] if col.required else []
    if src.dtype in _NATIVE_INTEGERS:
        value = safe = f"CAST({src.ident} AS BIGINT)"
        checks.append(Check(rule_integer(col), f"{src.ident} < {col.minimum}"))
    else:
        safe = f"TRY_CAST({src.given} AS BIGINT)"
        value = f"CAST({src.given} AS BIGINT)"
        checks.append(
            Check(
                rule_integer(col),
                f"NOT regexp_full_match({src.text}, {sql_string(INTEGER_PATTERN)}) "
                f"OR {safe} IS NULL OR {safe} < {col.minimum}",
            )
        )
    if col.maximum is not None:
        checks.append(Check(rule_maximum(col), f"{safe} > {col.maximum}"))
    return value, safe, checks


def _decimal_rules(col: ColumnSpec, src: _Source) -> tuple[str, str, list[Check]]:
    checks: list[Check] = [Check(RULE_REQUIRED, src.missing)] if col.required else []
    if src.dtype in _NATIVE_INTEGERS or src.dtype.startswith("DECIMAL"):
        value = safe = f"CAST({src.ident} AS DECIMAL(18, 2))"
        checks.append(
            Check(
                rule_decimal(col),
                f"{src.ident} < {col.minimum} OR {src.ident} >= 10000000000000000",
            )
        )
    else:
        safe = f"TRY_CAST({src.given} AS DECIMAL(18, 2))"
        value = f"CAST({src.given} AS DECIMAL(18, 2))"
        checks.append(
            Check(
                rule_decimal(col),
                f"NOT regexp_full_match({src.text}, {sql_string(DECIMAL_PATTERN)}) "
                f"OR {safe} IS NULL OR {safe} < {col.minimum}",
            )
        )
    return value, safe, checks


def _enum_rules(col: ColumnSpec, src: _Source) -> tuple[str, str, list[Check]]:
    checks: list[Check] = []
    if col.required:  # NULL breaks the stored column's NOT NULL, '' the cast
        checks.append(Check(RULE_REQUIRED, src.missing, cast_enforced=True))
    safe = f"TRY_CAST({src.given} AS {col.enum_type})"
    checks.append(Check(rule_enum(col), f"{safe} IS NULL", cast_enforced=True))
    return f"CAST({src.given} AS {col.enum_type})", safe, checks


def _country_rules(col: ColumnSpec, src: _Source) -> tuple[str, str, list[Check]]:
    checks: list[Check] = [Check(RULE_REQUIRED, src.missing)] if col.required else []
    codes = f"ENUM({sql_list(TERRITORY_CODES)})"
    checks.append(Check(RULE_COUNTRY, f"TRY_CAST({src.text} AS {codes}) IS NULL"))
    safe = f"CASE WHEN TRY_CAST({src.text} AS {codes}) IS NOT NULL THEN {src.text} END"
    return f"nullif({src.text}, '')", safe, checks


_KIND_RULES = {
    "text": _text_rules,
    "date": _date_rules,
    "integer": _integer_rules,
    "decimal": _decimal_rules,
    "enum": _enum_rules,
    "country": _country_rules,
}


def _compile_column(
    col: ColumnSpec, ident: str, dtype: str, today_sql: str, windows: list[tuple[str, str]]
) -> CompiledColumn:
    """One present column: its value, its rule-safe value and its checks."""
    is_text = dtype == "VARCHAR"
    text = ident if is_text else f"CAST({ident} AS VARCHAR)"
    src = _Source(
        ident=ident,
        dtype=dtype,
        text=text,
        given=text if col.required or not is_text else f"nullif({text}, '')",
        missing=f"{ident} IS NULL OR {ident} = ''" if is_text else f"{ident} IS NULL",
        today_sql=today_sql,
    )
    if col.kind not in _KIND_RULES:  # pragma: no cover - a spec typo
        raise ValueError(f"unknown column kind {col.kind!r}")
    value, safe, checks = _KIND_RULES[col.kind](col, src)
    if not col.required:
        # optional: an empty value is NULL and breaks no rule
        checks = [replace(c, sql=f"NOT ({src.missing}) AND ({c.sql})") for c in checks]
    if checks and safe != ident:
        # NULL wherever the column's own rules fail (-5 is a BIGINT, not a valid count).
        own = " OR ".join(f"coalesce(({c.sql}), false)" for c in checks)
        safe = f"CASE WHEN NOT ({own}) THEN {safe} END"
    if col.unique:
        alias = sql_ident(f"_n_{col.name}")
        windows.append((alias, f"count(*) OVER (PARTITION BY {text})"))
        checks.append(Check(RULE_UNIQUE, f"{alias} > 1"))
    if col.in_catalog:
        # Catalog ISRCs passed the format rule when the catalog was loaded, so any value with
        # a bad format is also missing from the catalog: the (costly) regex only names the
        # problem and need not run on rows that are fine.
        checks = [replace(c, implied=True) if c.rule == rule_pattern(col) else c for c in checks]
        checks.append(Check(RULE_CATALOG, f"{text} NOT IN (SELECT isrc FROM catalog)"))
    return CompiledColumn(col, True, text, value, safe, tuple(checks))


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
        compiled.append(_compile_column(col, ident, dtype.upper(), today_sql, windows))

    # Cross-column rules become further checks of the column they are reported against.
    by_name = {c.spec.name: c for c in compiled}
    for rule in spec.cross_rules:
        if not all(by_name[n].present for n in rule.needs):
            continue
        predicate = rule.predicate.format(**{n: _Placeholder(by_name[n]) for n in rule.needs})
        target = by_name[rule.column]
        by_name[rule.column] = replace(
            target, checks=target.checks + (Check(rule.rule, predicate),)
        )
    return CompiledSpec(spec, tuple(by_name[c.name] for c in spec.columns), tuple(windows))
