"""The thin dialect layer: DuckDB SQL, as the steps are written, into Spark SQL.

Spark SQL (4.x) already accepts most of what the steps use (GROUP BY ALL, ORDER BY ALL,
aggregate FILTER clauses, ANTI JOIN, JOIN USING, date_trunc). What differs is rewritten here:
`expr::TYPE` casts, DuckDB's type names, a few functions (arg_max/arg_min, to_days,
date_diff), and `?` parameters (inlined as literals).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import Any

_TYPES = {
    "VARCHAR": "STRING",
    "TEXT": "STRING",
    "DOUBLE": "DOUBLE",
    "FLOAT": "FLOAT",
    "BIGINT": "BIGINT",
    "INTEGER": "INT",
    "INT": "INT",
    "HUGEINT": "DECIMAL(38,0)",
    "DATE": "DATE",
    "TIMESTAMP": "TIMESTAMP",
    "BOOLEAN": "BOOLEAN",
}
_FUNCTIONS = {
    "arg_max(": "max_by(",
    "arg_min(": "min_by(",
    "to_days(": "make_interval(0, 0, 0, ",
    "date_diff('day',": "datediff(DAY,",
}
_CAST = re.compile(r"::\s*([A-Za-z]+(?:\(\d+(?:,\s*\d+)?\))?)")
_WORD = re.compile(r"[\w.?]")


def literal(value: Any) -> str:
    """A Python value as a Spark SQL literal."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, dt.datetime):
        return f"TIMESTAMP '{value.isoformat(sep=' ')}'"
    if isinstance(value, dt.date):
        return f"DATE '{value.isoformat()}'"
    text = str(value).replace("\\", "\\\\").replace("'", "\\'")
    return f"'{text}'"


def _bind(sql: str, params: Sequence[Any]) -> str:
    """Inline `?` placeholders (outside string literals) in order."""
    out, values, quoted = [], iter(params), False
    for ch in sql:
        if ch == "'":
            quoted = not quoted
        if ch == "?" and not quoted:
            out.append(literal(next(values)))
        else:
            out.append(ch)
    return "".join(out)


def _operand_start(sql: str, end: int) -> int:
    """Start of the operand that ends just before `end`: a name, a `?`, a string literal,
    a call or parenthesis, or an aggregate with its FILTER clause."""
    i = end
    if i > 0 and sql[i - 1] == "'":
        return sql.rindex("'", 0, i - 1)
    if i > 0 and sql[i - 1] == ")":
        depth = 0
        while i > 0:
            i -= 1
            depth += {")": 1, "(": -1}.get(sql[i], 0)
            if depth == 0:
                break
    while i > 0 and _WORD.match(sql[i - 1]):
        i -= 1
    before = sql[:i].rstrip()
    if before.upper().endswith("FILTER"):
        return _operand_start(sql, len(before[: -len("FILTER")].rstrip()))
    return i


def _casts(sql: str) -> str:
    """`operand::TYPE` into CAST(operand AS TYPE), innermost first."""
    while (m := _CAST.search(sql)) is not None:
        start = _operand_start(sql, m.start())
        kind = m.group(1).upper()
        base = kind.split("(")[0]
        target = _TYPES.get(base, kind) if base == kind else kind
        sql = f"{sql[:start]}CAST({sql[start : m.start()]} AS {target}){sql[m.end() :]}"
    return sql


def to_spark(sql: str, params: Sequence[Any] = ()) -> str:
    """The Spark SQL text of a DuckDB statement with its parameters bound."""
    sql = _bind(_casts(sql), params)
    for duck, spark in _FUNCTIONS.items():
        sql = re.sub(re.escape(duck), spark, sql, flags=re.IGNORECASE)
    return sql
