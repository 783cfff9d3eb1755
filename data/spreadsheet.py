"""Text bound for a spreadsheet: cells it would run as a formula are made plain text.

A value from a DSP file such as `=HYPERLINK(...)`, `+cmd`, `-1+1`, `@SUM(...)` (also after
leading spaces: spreadsheets skip them) or starting with a tab or carriage return would be
executed when a manager opens the CSV. Such a value gets a leading apostrophe, which
spreadsheets read as "this is text" and do not show. Used by every CSV the program writes
for people: the ingest's rejects files and the app's table downloads.
"""

from __future__ import annotations

import re

# Both a Python and an RE2 (DuckDB) regular expression, with the same meaning in each.
FORMULA_PATTERN = r"^([ \t\r\n\f\v]*[=+\-@]|[\t\r])"
_FORMULA = re.compile(FORMULA_PATTERN)


def defuse(value: object) -> object:
    """`value` with an apostrophe in front when it is text a spreadsheet would execute."""
    if isinstance(value, str) and _FORMULA.match(value):
        return "'" + value
    return value


def defuse_sql(expr: str) -> str:
    """SQL for `expr` (a VARCHAR) defused like `defuse`; NULL stays NULL."""
    return (
        f"CASE WHEN regexp_matches({expr}, '{FORMULA_PATTERN}') THEN '''' || {expr} ELSE {expr} END"
    )
