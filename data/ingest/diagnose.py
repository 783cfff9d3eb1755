"""Why a file was rejected: the problems per column, with the CSV line or Parquet row."""

from __future__ import annotations

import contextlib
import csv
import re
import zlib
from collections.abc import Iterable

import duckdb

from data.ingest.errors import MAX_SHOWN, IngestError, Problem, clip, db_message, fail
from data.ingest.source import ROW, Source, bad_sql, open_binary, open_text, relation
from data.ingest.validation import CompiledSpec

ERROR_MARK = "label-radar: invalid row"
LINE_SCAN_LIMIT = 200_000  # beyond this many rows, try line = row + 2 before a csv scan


# -- CSV lines ----------------------------------------------------------------------------
def _csv_record_lines(source: Source, upto: int) -> list[int]:
    """Physical start line of data records 0..upto (the header is line 1).

    Error path only: the csv module walks the file, counting the lines of quoted fields
    that span several; blank lines are skipped, as DuckDB skips them.
    """
    lines: list[int] = []
    limit = csv.field_size_limit()
    try:
        csv.field_size_limit(1 << 26)
        with open_text(source.path, source.compression) as f:
            reader = csv.reader(f)
            next(reader, None)
            end = reader.line_num
            for record in reader:
                if record:
                    lines.append(end + 1)
                    if len(lines) > upto:
                        break
                end = reader.line_num
    except (csv.Error, UnicodeDecodeError, OSError, EOFError, zlib.error):
        pass  # rows past this point are shown by row number instead
    finally:
        csv.field_size_limit(limit)
    return lines


def _physical_lines(source: Source) -> int:
    count, last = 0, b""
    with open_binary(source.path, source.compression) as f:
        while chunk := f.read(1 << 22):
            count += chunk.count(b"\n")
            last = chunk[-1:]
    return count + (1 if last and last != b"\n" else 0)


class LineMap:
    """Maps 0-based CSV data rows to physical lines."""

    def __init__(self, source: Source, max_row: int, records: int | None):
        self.offset: int | None = None
        self.lines: list[int] = []
        if not source.is_csv:
            return
        if (
            max_row >= LINE_SCAN_LIMIT
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


_FOUND = re.compile(r", found \d+$")


def _distinct(problems: Iterable[Problem]) -> list[Problem]:
    """One problem per line and kind, with how often it was reported.

    DuckDB reports one broken quote once per column it throws out of step, each time with
    another "found N" field count: for a person that is one problem on that line."""
    counts: dict[tuple[int | None, str], int] = {}
    first: dict[tuple[int | None, str], Problem] = {}
    for problem in problems:
        key = (problem.line, _FOUND.sub("", problem.rule))
        counts[key] = counts.get(key, 0) + 1
        first.setdefault(key, problem)
    out = []
    for key, problem in first.items():
        if counts[key] > 1:
            # the first report counts the line's real fields; later ones are DuckDB's retries
            rule = f"{problem.rule} (reported {counts[key]} times for this line)"
            problem = Problem(problem.line, problem.row, problem.column, problem.value, rule)
        out.append(problem)
    return out


def _csv_structure(cur: duckdb.DuckDBPyConnection, source: Source, exc: BaseException):
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
            "FROM __lr_csv_errors ORDER BY line, column_idx"
        ).fetchall()
    except duckdb.Error:
        rows = []
    finally:
        for table in ("__lr_csv_errors", "__lr_csv_scans"):
            with contextlib.suppress(duckdb.Error):
                cur.execute(f"DROP TABLE IF EXISTS {table}")
    headline = "malformed CSV"
    if rows:
        problems = _distinct(
            Problem(int(line), None, None, clip(text), _csv_rule(str(kind), str(msg)))
            for line, _col, kind, text, msg in rows
        )
        if total >= 1000:  # the rejects table stops counting there
            headline = "malformed CSV (at least 1,000 bad lines)"
        return IngestError(source.path, problems[:MAX_SHOWN], len(problems), headline=headline)
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
        rule = f"cannot read the file ({db_message(exc)})"
        headline = "unreadable file"
    return IngestError(source.path, [Problem(line, None, None, None, rule)], headline=headline)


def _looks_like_read_error(exc: BaseException) -> bool:
    text = str(exc)
    return ERROR_MARK not in text and (
        "CSV Error" in text
        or "unicode" in text.lower()
        or "gzip" in text.lower()
        or "parquet" in text.lower()
        or isinstance(exc, duckdb.IOException)
    )


def diagnose(
    cur: duckdb.DuckDBPyConnection, source: Source, compiled: CompiledSpec, exc: BaseException
) -> IngestError:
    """Why a file was rejected: counts per column, the first problems with their lines."""
    base, params = relation(source, compiled, numbered=True)
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
        return fail(
            source.path,
            f"cannot read the file ({db_message(read_exc)})",
            headline="unreadable file",
        )
    records, per_column = counts[0], counts[1:]
    total = sum(per_column)
    if total == 0:
        if source.is_csv and _looks_like_read_error(exc):
            return _csv_structure(cur, source, exc)
        return fail(source.path, f"the load failed ({db_message(exc)})", headline="the load failed")
    select = [ROW, *codes, *(c.text for c in checked)]
    rows = cur.execute(
        f"SELECT {', '.join(select)} FROM {base} WHERE {bad_sql(compiled)} "
        f"ORDER BY {ROW} LIMIT {MAX_SHOWN}",
        params,
    ).fetchall()
    lines = LineMap(source, max((r[0] for r in rows), default=0), records)
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
                    Problem(line, row_, col.spec.name, clip(value), col.rules[code - 1])
                )
    return IngestError(source.path, problems[:MAX_SHOWN], total)
