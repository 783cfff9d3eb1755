"""The rejects file of an `accept_valid` load: the invalid rows with their reasons."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa

from data.ingest.diagnose import LineMap
from data.ingest.source import ROW, Source, bad_sql, reason_sql, relation
from data.ingest.validation import CompiledSpec, sql_ident, sql_string
from data.spreadsheet import defuse_sql


# -- the load ------------------------------------------------------------------------------
def write_rejects(
    cur: duckdb.DuckDBPyConnection, source: Source, compiled: CompiledSpec
) -> tuple[int, int]:
    """Put the invalid rows, with their reasons, in a temporary table.

    Returns how many there are and the last one's row number."""
    base, params = relation(source, compiled, numbered=True)
    originals = [
        f"{source.ident(i) if source.is_csv else f'CAST({source.ident(i)} AS VARCHAR)'} "
        f"AS {sql_ident('__lr_o' + str(i))}"
        for i in range(len(source.names))
    ]
    cur.execute(
        f"CREATE OR REPLACE TEMP TABLE __lr_rejects AS SELECT {ROW}, "
        f"{reason_sql(compiled)} AS __lr_reason, {', '.join(originals)} "
        f"FROM {base} WHERE {bad_sql(compiled)}",
        params,
    )
    count, max_row = cur.execute(f"SELECT count(*), max({ROW}) FROM __lr_rejects").fetchone()
    return int(count), (int(max_row) if max_row is not None else -1)


def copy_rejects(
    cur: duckdb.DuckDBPyConnection, source: Source, target: Path, max_row: int, records: int
) -> None:
    lines = LineMap(source, max_row, records)
    if not source.is_csv:
        line_sql, join = f"r.{ROW}", ""
    elif lines.offset is not None:
        line_sql, join = f"r.{ROW} + {lines.offset}", ""
    else:
        table = pa.table(
            {"row": pa.array(range(len(lines.lines)), pa.int64()), "line": lines.lines}
        )
        cur.register("__lr_lines", table)
        line_sql, join = "m.line", f"LEFT JOIN __lr_lines m ON m.row = r.{ROW}"
    # The rejects file is opened in spreadsheets: values that would run as formulas are
    # written as text (data/spreadsheet.py).
    originals = ", ".join(
        f"{defuse_sql('r.' + sql_ident('__lr_o' + str(i)))} AS {sql_ident(name)}"
        for i, name in enumerate(source.names)
    )
    try:
        cur.execute(
            f"COPY (SELECT {line_sql} AS _line, r.__lr_reason AS _reason, {originals} "
            f"FROM __lr_rejects r {join} ORDER BY r.{ROW}) "
            f"TO {sql_string(str(target))} (FORMAT csv, HEADER true, DELIMITER ',')"
        )
    finally:
        if join:
            cur.unregister("__lr_lines")
