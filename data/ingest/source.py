"""The file being loaded: its format, its columns, and the SQL that reads and checks it."""

from __future__ import annotations

import contextlib
import csv
import gzip
import hashlib
import io
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from data.ingest.errors import IngestError, Problem, db_message, fail
from data.ingest.validation import CompiledSpec, FileSpec, sql_ident, sql_string

ROW = "__lr_row"  # internal column names, unlikely to clash with a file's


# -- the file ------------------------------------------------------------------------------
def sha256(path: Path) -> str:
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def content_sha256(path: Path, compression: str) -> str:
    """The digest of what the file holds: a gzip file's decompressed bytes (a gzipped copy
    of a loaded CSV is the same content, and loading it again doubled every figure)."""
    if compression != "gzip":
        return sha256(path)
    with open_binary(path, compression) as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def open_binary(path: Path, compression: str) -> io.BufferedIOBase:
    return gzip.open(path, "rb") if compression == "gzip" else open(path, "rb")


@contextlib.contextmanager
def open_text(path: Path, compression: str) -> Iterator[io.TextIOBase]:
    raw = open_binary(path, compression)
    with io.TextIOWrapper(raw, encoding="utf-8-sig", newline="") as text:
        yield text


@dataclass
class Source:
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
        """FROM-clause SQL and its parameters; `numbered` adds the 0-based row as ROW."""
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
                return f"(SELECT row_number() OVER () - 1 AS {ROW}, * FROM {fn})", params
            return fn, params
        if numbered:
            return (
                f"(SELECT file_row_number AS {ROW}, * EXCLUDE (file_row_number) "
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


def _read_csv_header(path: Path, compression: str) -> list[str]:
    """The header row's names, read with the csv module from the first line only."""
    try:
        with open_binary(path, compression) as f:
            first = f.readline(1 << 20)
    except (OSError, EOFError, zlib.error) as exc:  # zlib: a corrupt gzip stream
        raise fail(path, f"cannot read the file ({exc})", headline="unreadable file") from exc
    if not first.strip():
        raise fail(
            path,
            "the file is empty: the first line must be a header naming the columns",
            line=1,
            headline="empty file",
        )
    try:
        text = first.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise fail(path, "not UTF-8 text", line=1, headline="not a UTF-8 CSV file") from exc
    text = text.removeprefix("\ufeff")
    try:
        return next(csv.reader([text.rstrip("\r\n")]))
    except csv.Error as exc:
        raise fail(path, f"malformed CSV header ({exc})", line=1, headline="malformed CSV") from exc


def open_source(cur: duckdb.DuckDBPyConnection, path: Path) -> Source:
    fmt, compression = _detect(path)
    if fmt == "csv":
        names = _read_csv_header(path, compression)
        return Source(path, fmt, compression, names, ["VARCHAR"] * len(names))
    try:
        schema = cur.execute("DESCRIBE SELECT * FROM read_parquet(?)", [str(path)]).fetchall()
    except duckdb.Error as exc:
        raise fail(
            path,
            f"not a readable Parquet file ({db_message(exc)})",
            headline="unreadable Parquet file",
        ) from exc
    return Source(path, fmt, compression, [r[0] for r in schema], [str(r[1]) for r in schema])


def check_columns(source: Source, spec: FileSpec, *, ignore_extra: bool) -> None:
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
                    "load with --ignore-extra to skip it",
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
def relation(source: Source, compiled: CompiledSpec, *, numbered: bool) -> tuple[str, list[Any]]:
    """The file as a relation, with the window columns the rules need."""
    scan, params = source.scan(numbered=numbered)
    if compiled.windows:
        extra = ", ".join(f"{expr} AS {alias}" for alias, expr in compiled.windows)
        return f"(SELECT *, {extra} FROM {scan} AS _s) AS _src", params
    return f"{scan} AS _src", params


def bad_sql(compiled: CompiledSpec, *, strict: bool = False) -> str:
    return f"coalesce(({compiled.bad_sql(strict=strict)}), false)"


def insert_sql(compiled: CompiledSpec, from_sql: str, where: str, load_id: int) -> str:
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


def reason_sql(compiled: CompiledSpec) -> str:
    parts = []
    for col in compiled.checked:
        whens = " ".join(
            f"WHEN {i} THEN {sql_string(f'{col.spec.name}: {rule}')}"
            for i, rule in enumerate(col.rules, 1)
        )
        parts.append(f"CASE {col.code_sql()} {whens} END")
    return f"concat_ws('; ', {', '.join(parts)})"
