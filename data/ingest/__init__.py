"""Loading catalog, trend report and campaign files into the store (spec section 4).

How a load runs:

1. The file is hashed (sha256 of its bytes, streamed). A file whose content was already
   loaded as the same kind, and not since superseded, is a no-op (`LoadResult.duplicate`).
2. Its columns are read (the CSV header with the csv module, the Parquet schema with
   DuckDB) and checked against the spec: missing required columns are an error, unknown
   extra columns too unless `ignore_extra=True`.
3. One DuckDB transaction: the rows are read by DuckDB itself (read_csv with every column
   VARCHAR, or read_parquet), checked by the rules of data/validation.py compiled to SQL,
   and written, together with the `loads` row, the aggregates (trend reports) and the audit
   entry; COMMIT, or ROLLBACK on any exception (KeyboardInterrupt included).

   By default the check and the write are one pass: an INSERT ... SELECT whose filter
   raises an error at the first invalid row (or whose cast to an ENUM fails). Only then
   (the error path) does a second, diagnostic pass count the problems per column and fetch
   the first 20, and nothing is written. With `accept_valid=True` the invalid rows go first into a temporary table (and
   from there into `<input name>.rejects.csv` beside the input, with `_line` and `_reason`
   columns before the original ones), then the valid rows are inserted.

Where problems are: CSV problems carry the physical line (the header is line 1; a quoted
field spanning lines counts them all), Parquet problems the 0-based row. In the rejects
file `_line` is that same number: the CSV line, or for a Parquet input the 0-based row.

Trend reports may overlap earlier ones (a DSP can deliver a day or a country per file), so
an overlapping load is allowed. A corrected re-delivery is loaded with `replace=True`: the
earlier rows of the new file's DSPs in its [first date, last date] are deleted in the same
transaction, and earlier loads left without rows are marked superseded by the new one.

A malformed CSV (wrong field count, unclosed quote, not UTF-8, no header) is rejected whole
even with `accept_valid`: its rows cannot be told apart reliably.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import gzip
import hashlib
import io
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from data import aggregates, audit
from data.ingest.validation import (
    CAMPAIGNS,
    CATALOG,
    TREND,
    CompiledSpec,
    FileSpec,
    compile_spec,
    sql_ident,
    sql_string,
)
from data.store import Store

MAX_SHOWN = 20  # problems listed in an IngestError
MAX_VALUE = 80  # characters of an offending value shown
_ROW = "__lr_row"  # internal column names, unlikely to clash with a file's
_ERROR_MARK = "label-radar: invalid row"
_LINE_SCAN_LIMIT = 200_000  # beyond this many rows, try line = row + 2 before a csv scan

ProgressFn = Callable[[str, float], None]


# -- results and errors -------------------------------------------------------------------
@dataclass(frozen=True)
class Problem:
    """One thing wrong with a file. `line` is the CSV physical line (header = 1), `row` the
    0-based data row (the Parquet row number); None where not applicable."""

    line: int | None
    row: int | None
    column: str | None
    value: str | None
    rule: str

    def __str__(self) -> str:
        parts = []
        if self.line is not None:
            parts.append(f"line {self.line}")
        elif self.row is not None:
            parts.append(f"row {self.row}")
        if self.column is not None:
            parts.append(f"column {self.column}")
        if self.value is not None:
            parts.append(f"value {_show(self.value)}")
        return f"{', '.join(parts)}: {self.rule}" if parts else self.rule


class IngestError(Exception):
    """A file was rejected; nothing from it was written. str() is the whole message."""

    def __init__(
        self,
        file: str | Path,
        problems: list[Problem],
        total: int | None = None,
        *,
        headline: str | None = None,
    ):
        self.file = Path(file)
        self.problems = list(problems)
        self.total = max(total if total is not None else 0, len(self.problems))
        if headline is None:
            noun = "problem" if self.total == 1 else "problems"
            headline = f"{self.total:,} {noun} found"
        self.headline = headline
        super().__init__(self._message())

    def _message(self) -> str:
        lines = [f"cannot load {self.file}: {self.headline}; nothing was loaded"]
        lines += [f"  {p}" for p in self.problems[:MAX_SHOWN]]
        more = self.total - min(len(self.problems), MAX_SHOWN)
        if more > 0:
            lines.append(f"  ... and {more:,} more problem{'s' if more != 1 else ''}")
        return "\n".join(lines)


@dataclass(frozen=True)
class LoadResult:
    kind: str
    file: Path
    load_id: int | None
    rows_loaded: int
    rows_rejected: int
    duplicate: bool
    replaced_rows: int
    rejects_file: Path | None
    message: str


def _show(value: str) -> str:
    """A value for a one-line message: quoted, control characters made visible."""
    return "'" + value.translate({10: "\\n", 13: "\\r", 9: "\\t"}) + "'"


def _clip(value: Any) -> str:
    if value is None:
        return ""
    text = str(value)
    return text if len(text) <= MAX_VALUE else text[: MAX_VALUE - 3] + "..."


def _plural(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


class _Progress:
    def __init__(self, fn: ProgressFn | None):
        self.fn = fn

    def __call__(self, stage: str, fraction: float) -> None:
        if self.fn is not None:
            self.fn(stage, max(0.0, min(1.0, fraction)))


# -- the file ------------------------------------------------------------------------------
def _sha256(path: Path) -> str:
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def _open_binary(path: Path, compression: str) -> io.BufferedIOBase:
    return gzip.open(path, "rb") if compression == "gzip" else open(path, "rb")


@contextlib.contextmanager
def _open_text(path: Path, compression: str) -> Iterator[io.TextIOBase]:
    raw = _open_binary(path, compression)
    with io.TextIOWrapper(raw, encoding="utf-8-sig", newline="") as text:
        yield text


@dataclass
class _Source:
    """A file to read: its format, its columns and the SQL that scans it."""

    path: Path
    fmt: str  # csv | parquet
    compression: str  # gzip | none
    names: list[str]  # the file's column names, in file order
    types: list[str]  # their DuckDB types (all VARCHAR for CSV)

    @property
    def is_csv(self) -> bool:
        return self.fmt == "csv"

    def ident(self, i: int) -> str:
        # CSV columns get positional names: the header's text never reaches SQL.
        return sql_ident(f"c{i}") if self.is_csv else sql_ident(self.names[i])

    def columns(self) -> dict[str, tuple[str, str]]:
        return {
            n: (self.ident(i), t)
            for i, (n, t) in enumerate(zip(self.names, self.types, strict=True))
        }

    def scan(self, *, numbered: bool = False, options: str = "") -> tuple[str, list[Any]]:
        """FROM-clause SQL and its parameters; `numbered` adds the 0-based row as _ROW."""
        if self.is_csv:
            fn = (
                "read_csv(?, columns = ?, auto_detect = false, header = true, delim = ',', "
                "quote = '\"', escape = '\"', strict_mode = true, null_padding = false, "
                f"compression = ?{options})"
            )
            params: list[Any] = [
                str(self.path),
                {f"c{i}": "VARCHAR" for i in range(len(self.names))},
                self.compression,
            ]
            if numbered:
                # A streaming window numbers the rows in file order.
                return f"(SELECT row_number() OVER () - 1 AS {_ROW}, * FROM {fn})", params
            return fn, params
        if numbered:
            return (
                f"(SELECT file_row_number AS {_ROW}, * EXCLUDE (file_row_number) "
                "FROM read_parquet(?, file_row_number = true))",
                [str(self.path)],
            )
        return "read_parquet(?)", [str(self.path)]

    def where(self, line: int | None, row: int | None) -> tuple[int | None, int | None]:
        return (line, row) if self.is_csv else (None, row)


def _detect(path: Path) -> tuple[str, str]:
    with open(path, "rb") as f:
        head = f.read(4)
    if head == b"PAR1":
        return "parquet", "none"
    if head[:2] == b"\x1f\x8b":
        return "csv", "gzip"
    if path.name.lower().endswith((".parquet", ".pq")):
        return "parquet", "none"
    return "csv", "none"


def _fail(path: Path, rule: str, *, line: int | None = None, headline: str | None = None):
    return IngestError(path, [Problem(line, None, None, None, rule)], headline=headline or rule)


def _read_csv_header(path: Path, compression: str) -> list[str]:
    """The header row's names, read with the csv module from the first line only."""
    try:
        with _open_binary(path, compression) as f:
            first = f.readline(1 << 20)
    except (OSError, EOFError) as exc:
        raise _fail(path, f"cannot read the file ({exc})", headline="unreadable file") from exc
    if not first.strip():
        raise _fail(
            path,
            "the file is empty: the first line must be a header naming the columns",
            line=1,
            headline="empty file",
        )
    try:
        text = first.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _fail(path, "not UTF-8 text", line=1, headline="not a UTF-8 CSV file") from exc
    text = text.removeprefix("\ufeff")
    try:
        return next(csv.reader([text.rstrip("\r\n")]))
    except csv.Error as exc:
        raise _fail(
            path, f"malformed CSV header ({exc})", line=1, headline="malformed CSV"
        ) from exc


def _open_source(cur: duckdb.DuckDBPyConnection, path: Path) -> _Source:
    fmt, compression = _detect(path)
    if fmt == "csv":
        names = _read_csv_header(path, compression)
        return _Source(path, fmt, compression, names, ["VARCHAR"] * len(names))
    try:
        schema = cur.execute("DESCRIBE SELECT * FROM read_parquet(?)", [str(path)]).fetchall()
    except duckdb.Error as exc:
        raise _fail(
            path,
            f"not a readable Parquet file ({_db_message(exc)})",
            headline="unreadable Parquet file",
        ) from exc
    return _Source(path, fmt, compression, [r[0] for r in schema], [str(r[1]) for r in schema])


def _check_columns(source: _Source, spec: FileSpec, *, ignore_extra: bool) -> None:
    line = 1 if source.is_csv else None
    problems = []
    seen: set[str] = set()
    twice: set[str] = set()
    for name in source.names:
        if name in seen and name not in twice:
            problems.append(Problem(line, None, name, None, "the column name occurs twice"))
            twice.add(name)
        seen.add(name)
    missing = [n for n in spec.required if n not in seen]
    for name in missing:
        problems.append(Problem(line, None, name, None, "required column is missing"))
    extra = [n for n in source.names if n not in spec.names]
    if not ignore_extra:
        expected = ", ".join(spec.names)
        for name in extra:
            problems.append(
                Problem(
                    line,
                    None,
                    name,
                    None,
                    f"unknown column (a {spec.kind} file has: {expected}); "
                    "pass ignore_extra to skip it",
                )
            )
    if not problems:
        return
    if source.is_csv and not (seen & set(spec.names)):
        headline = (
            f"no header row: line 1 must name the columns ({', '.join(spec.names)}), "
            "separated by commas"
        )
    else:
        headline = f"the columns do not match the {spec.kind} format"
    raise IngestError(source.path, problems, headline=headline)


# -- SQL over the file -------------------------------------------------------------------
def _base(source: _Source, compiled: CompiledSpec, *, numbered: bool) -> tuple[str, list[Any]]:
    """The file as a relation, with the window columns the rules need."""
    scan, params = source.scan(numbered=numbered)
    if compiled.windows:
        extra = ", ".join(f"{expr} AS {alias}" for alias, expr in compiled.windows)
        return f"(SELECT *, {extra} FROM {scan} AS _s) AS _src", params
    return f"{scan} AS _src", params


def _bad_sql(compiled: CompiledSpec, *, strict: bool = False) -> str:
    return f"coalesce(({compiled.bad_sql(strict=strict)}), false)"


def _insert_sql(compiled: CompiledSpec, from_sql: str, where: str, load_id: int) -> str:
    """INSERT (or upsert, for kinds with a key) of the typed values of rows matching `where`."""
    spec = compiled.spec
    names = [c.spec.name for c in compiled.columns]
    values = [c.value for c in compiled.columns]
    targets = ["load_id", *names]
    select = [str(int(load_id)), *values]
    if spec.kind == "catalog":
        targets.append("updated_at")
        select.append("current_timestamp")
    sql = (
        f"INSERT INTO {spec.table} ({', '.join(sql_ident(t) for t in targets)}) "
        f"SELECT {', '.join(select)} FROM {from_sql} WHERE {where}"
    )
    if spec.key:
        updates = [t for t in targets if t != spec.key]
        sets = ", ".join(f"{sql_ident(t)} = excluded.{sql_ident(t)}" for t in updates)
        sql += f" ON CONFLICT ({sql_ident(spec.key)}) DO UPDATE SET {sets}"
    return sql


def _reason_sql(compiled: CompiledSpec) -> str:
    parts = []
    for col in compiled.checked:
        whens = " ".join(
            f"WHEN {i} THEN {sql_string(f'{col.spec.name}: {rule}')}"
            for i, rule in enumerate(col.rules, 1)
        )
        parts.append(f"CASE {col.code_sql()} {whens} END")
    return f"concat_ws('; ', {', '.join(parts)})"


def _db_message(exc: BaseException) -> str:
    """The first meaningful line of a DuckDB error, without its 'X Error:' prefix."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return re.sub(r"^[A-Za-z ]+Error: ", "", text)


# -- CSV lines ----------------------------------------------------------------------------
def _csv_record_lines(source: _Source, upto: int) -> list[int]:
    """Physical start line of data records 0..upto (the header is line 1).

    Error path only: the csv module walks the file, counting the lines of quoted fields
    that span several; blank lines are skipped, as DuckDB skips them.
    """
    lines: list[int] = []
    limit = csv.field_size_limit()
    try:
        csv.field_size_limit(1 << 26)
        with _open_text(source.path, source.compression) as f:
            reader = csv.reader(f)
            next(reader, None)
            end = reader.line_num
            for record in reader:
                if record:
                    lines.append(end + 1)
                    if len(lines) > upto:
                        break
                end = reader.line_num
    except (csv.Error, UnicodeDecodeError, OSError, EOFError):
        pass  # rows past this point are shown by row number instead
    finally:
        csv.field_size_limit(limit)
    return lines


def _physical_lines(source: _Source) -> int:
    count, last = 0, b""
    with _open_binary(source.path, source.compression) as f:
        while chunk := f.read(1 << 22):
            count += chunk.count(b"\n")
            last = chunk[-1:]
    return count + (1 if last and last != b"\n" else 0)


class _LineMap:
    """Maps 0-based CSV data rows to physical lines."""

    def __init__(self, source: _Source, max_row: int, records: int | None):
        self.offset: int | None = None
        self.lines: list[int] = []
        if not source.is_csv:
            return
        if (
            max_row >= _LINE_SCAN_LIMIT
            and records is not None
            and _physical_lines(source) == records + 1
        ):
            self.offset = 2  # one line per record: line = row + 2
        else:
            self.lines = _csv_record_lines(source, max_row)

    def line(self, row: int) -> int | None:
        if self.offset is not None:
            return row + self.offset
        return self.lines[row] if row < len(self.lines) else None


# -- diagnosing a rejected file -----------------------------------------------------------
_CSV_ERROR_RULES = (
    ("TOO MANY COLUMNS", "malformed CSV: more fields than the header has"),
    ("MISSING COLUMNS", "malformed CSV: fewer fields than the header has"),
    ("UNQUOTED VALUE", "malformed CSV: a quoted field is not closed properly"),
    ("INVALID UNICODE", "not UTF-8 text"),
    ("INVALID ENCODING", "not UTF-8 text"),
    ("LINE SIZE OVER MAXIMUM", "malformed CSV: the line is too long"),
)


def _csv_rule(error_type: str, message: str) -> str:
    rule = next((r for t, r in _CSV_ERROR_RULES if t in error_type.upper()), None)
    found = re.search(r"Expected Number of Columns: (\d+) Found: (\d+)", message or "")
    if found:
        return f"malformed CSV: expected {found.group(1)} fields, found {found.group(2)}"
    return rule or f"malformed CSV ({message or error_type})"


def _csv_structure(cur: duckdb.DuckDBPyConnection, source: _Source, exc: BaseException):
    """IngestError for a CSV DuckDB cannot parse, with lines from its rejects table."""
    fn, params = source.scan(
        options=", store_rejects = true, rejects_table = '__lr_csv_errors', "
        "rejects_scan = '__lr_csv_scans', rejects_limit = 1000"
    )
    touch = ", ".join(f"max(length({source.ident(i)}))" for i in range(len(source.names)))
    rows: list[tuple] = []
    total = 0
    try:
        cur.execute(f"SELECT {touch} FROM {fn}", params).fetchall()
        total = cur.execute("SELECT count(*) FROM __lr_csv_errors").fetchone()[0]
        rows = cur.execute(
            "SELECT line, column_name, error_type, csv_line, error_message "
            "FROM __lr_csv_errors ORDER BY line, column_idx LIMIT ?",
            [MAX_SHOWN],
        ).fetchall()
    except duckdb.Error:
        rows = []
    finally:
        for table in ("__lr_csv_errors", "__lr_csv_scans"):
            with contextlib.suppress(duckdb.Error):
                cur.execute(f"DROP TABLE IF EXISTS {table}")
    headline = "malformed CSV"
    if rows:
        problems = [
            Problem(int(line), None, None, _clip(text), _csv_rule(str(kind), str(msg)))
            for line, _col, kind, text, msg in rows
        ]
        if total >= 1000:  # the rejects table stops counting there
            headline = "malformed CSV (at least 1,000 bad lines)"
        return IngestError(source.path, problems, total, headline=headline)
    # Fall back on DuckDB's own message: "CSV Error on Line: N" and a description.
    message = str(exc)
    found = re.search(r"Line: (\d+)", message)
    line = int(found.group(1)) if found else None
    lowered = message.lower()
    if "unicode" in lowered or "utf-8" in lowered or "encoding" in lowered:
        rule = "not UTF-8 text"
    elif "unterminated quote" in lowered or "quote" in lowered:
        rule = "malformed CSV: a quoted field is not closed properly"
    elif "expected number of columns" in lowered:
        rule = _csv_rule("", message)
    else:
        rule = f"cannot read the file ({_db_message(exc)})"
        headline = "unreadable file"
    return IngestError(source.path, [Problem(line, None, None, None, rule)], headline=headline)


def _looks_like_read_error(exc: BaseException) -> bool:
    text = str(exc)
    return _ERROR_MARK not in text and (
        "CSV Error" in text
        or "unicode" in text.lower()
        or "gzip" in text.lower()
        or "parquet" in text.lower()
        or isinstance(exc, duckdb.IOException)
    )


def _diagnose(
    cur: duckdb.DuckDBPyConnection, source: _Source, compiled: CompiledSpec, exc: BaseException
) -> IngestError:
    """Why a file was rejected: counts per column, the first problems with their lines."""
    base, params = _base(source, compiled, numbered=True)
    checked = compiled.checked
    codes = [c.code_sql() for c in checked]
    try:
        counts = cur.execute(
            f"SELECT count(*), {', '.join(f'count({c})' for c in codes) or '0'} FROM {base}",
            params,
        ).fetchone()
    except duckdb.Error as read_exc:
        if source.is_csv:
            return _csv_structure(cur, source, read_exc)
        return _fail(
            source.path,
            f"cannot read the file ({_db_message(read_exc)})",
            headline="unreadable file",
        )
    records, per_column = counts[0], counts[1:]
    total = sum(per_column)
    if total == 0:
        if source.is_csv and _looks_like_read_error(exc):
            return _csv_structure(cur, source, exc)
        return _fail(
            source.path, f"the load failed ({_db_message(exc)})", headline="the load failed"
        )
    select = [_ROW, *codes, *(c.text for c in checked)]
    rows = cur.execute(
        f"SELECT {', '.join(select)} FROM {base} WHERE {_bad_sql(compiled)} "
        f"ORDER BY {_ROW} LIMIT {MAX_SHOWN}",
        params,
    ).fetchall()
    lines = _LineMap(source, max((r[0] for r in rows), default=0), records)
    problems = []
    n = len(checked)
    for r in rows:
        row = int(r[0])
        line, row_ = source.where(lines.line(row), row)
        for i, col in enumerate(checked):
            code = r[1 + i]
            if code is not None:
                value = r[1 + n + i]
                problems.append(
                    Problem(line, row_, col.spec.name, _clip(value), col.rules[code - 1])
                )
    return IngestError(source.path, problems[:MAX_SHOWN], total)


# -- the load ------------------------------------------------------------------------------
def _write_rejects(
    cur: duckdb.DuckDBPyConnection, source: _Source, compiled: CompiledSpec
) -> tuple[int, int]:
    """Put the invalid rows, with their reasons, in a temporary table.

    Returns how many there are and the last one's row number."""
    base, params = _base(source, compiled, numbered=True)
    originals = [
        f"{source.ident(i) if source.is_csv else f'CAST({source.ident(i)} AS VARCHAR)'} "
        f"AS {sql_ident('__lr_o' + str(i))}"
        for i in range(len(source.names))
    ]
    cur.execute(
        f"CREATE OR REPLACE TEMP TABLE __lr_rejects AS SELECT {_ROW}, "
        f"{_reason_sql(compiled)} AS __lr_reason, {', '.join(originals)} "
        f"FROM {base} WHERE {_bad_sql(compiled)}",
        params,
    )
    count, max_row = cur.execute(f"SELECT count(*), max({_ROW}) FROM __lr_rejects").fetchone()
    return int(count), (int(max_row) if max_row is not None else -1)


def _copy_rejects(
    cur: duckdb.DuckDBPyConnection, source: _Source, target: Path, max_row: int, records: int
) -> None:
    lines = _LineMap(source, max_row, records)
    if not source.is_csv:
        line_sql, join = f"r.{_ROW}", ""
    elif lines.offset is not None:
        line_sql, join = f"r.{_ROW} + {lines.offset}", ""
    else:
        table = pa.table(
            {"row": pa.array(range(len(lines.lines)), pa.int64()), "line": lines.lines}
        )
        cur.register("__lr_lines", table)
        line_sql, join = "m.line", f"LEFT JOIN __lr_lines m ON m.row = r.{_ROW}"
    originals = ", ".join(
        f"r.{sql_ident('__lr_o' + str(i))} AS {sql_ident(name)}"
        for i, name in enumerate(source.names)
    )
    try:
        cur.execute(
            f"COPY (SELECT {line_sql} AS _line, r.__lr_reason AS _reason, {originals} "
            f"FROM __lr_rejects r {join} ORDER BY r.{_ROW}) "
            f"TO {sql_string(str(target))} (FORMAT csv, HEADER true, DELIMITER ',')"
        )
    finally:
        if join:
            cur.unregister("__lr_lines")


def _find_duplicate(cur: duckdb.DuckDBPyConnection, kind: str, digest: str) -> int | None:
    row = cur.execute(
        "SELECT min(load_id) FROM loads WHERE kind = ? AND content_hash = ? "
        "AND superseded_by IS NULL",
        [kind, digest],
    ).fetchone()
    return None if row is None or row[0] is None else int(row[0])


def _rollback(cur: duckdb.DuckDBPyConnection) -> None:
    with contextlib.suppress(duckdb.Error):
        cur.execute("ROLLBACK")


@contextlib.contextmanager
def _quiet(cur: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """No DuckDB progress bar on stdout during a load: callers draw their own (progress)."""
    before = cur.execute("SELECT current_setting('enable_progress_bar_print')").fetchone()[0]
    cur.execute("SET enable_progress_bar_print = false")
    try:
        yield
    finally:
        with contextlib.suppress(duckdb.Error):
            cur.execute(f"SET enable_progress_bar_print = {'true' if before else 'false'}")


@dataclass
class _Facts:
    lo: dt.date | None = None
    hi: dt.date | None = None
    dsps: list[str] | None = None
    replaced: int = 0
    superseded: list[int] | None = None


@dataclass
class _Outcome:
    load_id: int
    loaded: int
    rejected: int
    added: int  # rows the target table grew by (upserts: the new keys)
    facts: _Facts


def _load(
    store: Store,
    path: str | Path,
    spec: FileSpec,
    *,
    accept_valid: bool,
    ignore_extra: bool,
    actor: str,
    progress: ProgressFn | None,
    replace: bool = False,
    today: dt.date | None = None,
    defer_aggregates: bool = False,
) -> LoadResult:
    path = Path(path)
    report = _Progress(progress)
    if not path.is_file():
        raise _fail(path, "file not found", headline="file not found")
    report(f"hashing {path.name}", 0.0)
    digest = _sha256(path)
    cur = store.cursor()
    report(f"reading {path.name}", 0.05)
    source = _open_source(cur, path)
    _check_columns(source, spec, ignore_extra=ignore_extra)
    compiled = compile_spec(spec, source.columns(), today=today or dt.date.today())
    rejects_file = path.with_name(path.name + ".rejects.csv")
    # The rejects file is written under another name and renamed after COMMIT.
    partial = path.with_name(f".{path.name}.rejects.{os.getpid()}.partial")

    with store.write_lock, _quiet(cur):
        duplicate = _find_duplicate(cur, spec.kind, digest)
        if duplicate is not None:
            report("done", 1.0)
            message = f"{path.name} was already loaded (load {duplicate}): nothing to do"
            return LoadResult(spec.kind, path, duplicate, 0, 0, True, 0, None, message)
        cur.execute("BEGIN TRANSACTION")
        try:
            outcome = _write(
                cur,
                source,
                compiled,
                digest=digest,
                accept_valid=accept_valid,
                replace=replace,
                actor=actor,
                report=report,
                partial=partial,
                defer_aggregates=defer_aggregates,
            )
            report("committing", 0.95)
            cur.execute("COMMIT")
        except duckdb.Error as exc:
            _rollback(cur)
            partial.unlink(missing_ok=True)
            if isinstance(exc, duckdb.InterruptException):
                raise
            raise _diagnose(cur, source, compiled, exc) from exc
        except BaseException:  # KeyboardInterrupt included: the store stays as it was
            _rollback(cur)
            partial.unlink(missing_ok=True)
            raise
    if outcome.rejected:
        os.replace(partial, rejects_file)
    report("done", 1.0)
    return LoadResult(
        kind=spec.kind,
        file=path,
        load_id=outcome.load_id,
        rows_loaded=outcome.loaded,
        rows_rejected=outcome.rejected,
        duplicate=False,
        replaced_rows=outcome.facts.replaced,
        rejects_file=rejects_file if outcome.rejected else None,
        message=_message(spec, path, outcome, rejects_file, replace),
    )


def _write(
    cur: duckdb.DuckDBPyConnection,
    source: _Source,
    compiled: CompiledSpec,
    *,
    digest: str,
    accept_valid: bool,
    replace: bool,
    actor: str,
    report: _Progress,
    partial: Path,
    defer_aggregates: bool = False,
) -> _Outcome:
    """Everything a load writes, inside the caller's transaction."""
    spec, path = compiled.spec, source.path
    load_id = int(cur.execute("SELECT nextval('load_id_seq')").fetchone()[0])
    before = int(cur.execute(f"SELECT count(*) FROM {spec.table}").fetchone()[0])
    rejected, max_bad = 0, -1
    if accept_valid:
        report(f"validating {path.name}", 0.1)
        rejected, max_bad = _write_rejects(cur, source, compiled)
        where = f"NOT {_bad_sql(compiled)}"
    else:
        # One pass: check and write together; the first invalid row (or a failing cast)
        # aborts the statement, and _diagnose then says what is wrong.
        bad = _bad_sql(compiled, strict=True)
        where = f"CASE WHEN {bad} THEN error({sql_string(_ERROR_MARK)}) ELSE true END"
    report(f"validating and writing {path.name}", 0.2)
    from_sql, params = _base(source, compiled, numbered=False)
    loaded = int(cur.execute(_insert_sql(compiled, from_sql, where, load_id), params).fetchone()[0])

    facts = _Facts()
    if spec.kind == "trend":
        facts = _trend_facts(cur, load_id, loaded, replace=replace)
    added = int(cur.execute(f"SELECT count(*) FROM {spec.table}").fetchone()[0]) - before
    mode = "replace" if replace else ("accept_valid" if accept_valid else "strict")
    cur.execute(
        "INSERT INTO loads (load_id, kind, file_name, content_hash, rows_loaded, rows_rejected, "
        "dsps, date_min, date_max, mode, loaded_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            load_id,
            spec.kind,
            path.name,
            digest,
            loaded,
            rejected,
            facts.dsps,
            facts.lo,
            facts.hi,
            mode,
            actor,
        ],
    )
    if facts.lo is not None:
        # Replaced rows share the new file's DSPs and lie within its dates: one refresh
        # of those partitions covers both.
        if defer_aggregates:
            aggregates.queue(cur, load_id, facts.lo, facts.hi, facts.dsps)
        else:
            report("refreshing aggregates", 0.7)
            aggregates.refresh(cur, facts.lo, facts.hi, facts.dsps)
    summary: dict[str, Any] = {
        "file": path.name,
        "content_hash": digest,
        "rows_loaded": loaded,
        "rows_rejected": rejected,
        "mode": mode,
    }
    if spec.kind == "trend":
        summary.update(dsps=facts.dsps, date_min=facts.lo, date_max=facts.hi)
    else:
        summary.update(rows_new=added, rows_updated=loaded - added)
    audit.record(
        cur,
        actor=actor,
        action=f"ingest.{spec.kind}",
        entity="load",
        entity_id=str(load_id),
        before=(
            {"replaced_rows": facts.replaced, "superseded_loads": facts.superseded}
            if replace
            else None
        ),
        after=summary,
    )
    if rejected:
        report("writing the rejects file", 0.9)
        _copy_rejects(cur, source, partial, max_bad, loaded + rejected)
    cur.execute("DROP TABLE IF EXISTS __lr_rejects")
    return _Outcome(load_id, loaded, rejected, added, facts)


def _trend_facts(
    cur: duckdb.DuckDBPyConnection, load_id: int, loaded: int, *, replace: bool
) -> _Facts:
    """The new load's dates and DSPs; with `replace`, swap out the earlier rows they cover."""
    facts = _Facts(dsps=[], superseded=[])
    if loaded == 0:
        return facts
    facts.lo, facts.hi, dsps = cur.execute(
        "SELECT min(date), max(date), list(DISTINCT dsp ORDER BY dsp) "
        "FROM trend_facts WHERE load_id = ?",
        [load_id],
    ).fetchone()
    facts.dsps = list(dsps)
    if not replace:
        return facts
    cover = "load_id <> ? AND list_contains(?, dsp) AND date BETWEEN ? AND ?"
    args = [load_id, facts.dsps, facts.lo, facts.hi]
    earlier = [
        int(r[0])
        for r in cur.execute(
            f"SELECT DISTINCT load_id FROM trend_facts WHERE {cover} ORDER BY 1", args
        ).fetchall()
    ]
    facts.replaced = int(cur.execute(f"DELETE FROM trend_facts WHERE {cover}", args).fetchone()[0])
    if earlier:
        facts.superseded = [
            int(r[0])
            for r in cur.execute(
                "UPDATE loads SET superseded_by = ? WHERE list_contains(?, load_id) "
                "AND NOT EXISTS (SELECT 1 FROM trend_facts f WHERE f.load_id = loads.load_id) "
                "RETURNING load_id",
                [load_id, earlier],
            ).fetchall()
        ]
    return facts


def _message(
    spec: FileSpec, path: Path, outcome: _Outcome, rejects_file: Path, replace: bool
) -> str:
    loaded, facts = outcome.loaded, outcome.facts
    if spec.kind == "trend":
        text = f"loaded {_plural(loaded, 'row')} from {path.name}"
        if facts.lo is not None:
            text += f" ({facts.lo.isoformat()}..{facts.hi.isoformat()}, {', '.join(facts.dsps)})"
        if replace:
            text += f", replacing {_plural(facts.replaced, 'earlier row')}"
    else:
        noun = "catalog row" if spec.kind == "catalog" else "campaign"
        text = (
            f"loaded {_plural(loaded, noun)} from {path.name} "
            f"({outcome.added:,} new, {loaded - outcome.added:,} updated)"
        )
    if outcome.rejected:
        text += f"; rejected {_plural(outcome.rejected, 'invalid row')}, see {rejects_file.name}"
    return text


# -- public API ----------------------------------------------------------------------------
def load_catalog(
    store: Store,
    path: str | Path,
    *,
    accept_valid: bool = False,
    ignore_extra: bool = False,
    actor: str = "cli",
    progress: ProgressFn | None = None,
) -> LoadResult:
    """Load (upsert by ISRC) a catalog file. Raises IngestError if it breaks a rule."""
    return _load(
        store,
        path,
        CATALOG,
        accept_valid=accept_valid,
        ignore_extra=ignore_extra,
        actor=actor,
        progress=progress,
    )


def load_trend_report(
    store: Store,
    path: str | Path,
    *,
    accept_valid: bool = False,
    replace: bool = False,
    ignore_extra: bool = False,
    actor: str = "cli",
    progress: ProgressFn | None = None,
    today: dt.date | None = None,
    defer_aggregates: bool = False,
) -> LoadResult:
    """Load a trend report. `replace` swaps out the earlier rows of its DSPs and dates
    (the way to load a corrected re-delivery). Raises IngestError if it breaks a rule.

    `defer_aggregates` queues the touched aggregate partitions instead of refreshing them,
    for a delivery of several files: call `refresh_aggregates(store)` after the last one (a
    read-write open of the store also finishes a backlog left by an interrupted command).
    """
    return _load(
        store,
        path,
        TREND,
        accept_valid=accept_valid,
        replace=replace,
        ignore_extra=ignore_extra,
        actor=actor,
        progress=progress,
        today=today,
        defer_aggregates=defer_aggregates,
    )


def refresh_aggregates(store: Store, progress: ProgressFn | None = None) -> int:
    """Refresh the aggregate partitions queued by deferred loads, in one transaction."""
    report = _Progress(progress)
    report("refreshing aggregates", 0.0)
    with store.transaction() as cur:
        done = aggregates.refresh_backlog(cur)
    report("done", 1.0)
    return done


def load_campaigns(
    store: Store,
    path: str | Path,
    *,
    accept_valid: bool = False,
    ignore_extra: bool = False,
    actor: str = "cli",
    progress: ProgressFn | None = None,
) -> LoadResult:
    """Load (upsert by campaign_id) a campaign history file. Raises IngestError on rules."""
    return _load(
        store,
        path,
        CAMPAIGNS,
        accept_valid=accept_valid,
        ignore_extra=ignore_extra,
        actor=actor,
        progress=progress,
    )
