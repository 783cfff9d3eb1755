"""Table-by-table comparison of two stores: the parity check of the two engines.

Every table is compared (rows as multisets: order never matters), floats within a tolerance,
everything else exactly, except what differs by nature between two runs: when they ran
(computed_at, seconds, run ids) and the logs of the runs themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from data.publish import PUBLISHED_AT_KEY

# Columns that record the run, not its results.
RUN_COLUMNS = {
    "run_id",
    "computed_at",
    "seconds",
    "params",
    "summary",
    "at",
    "created_at",
    "loaded_at",
}
# Tables that log the runs (timings, audit) rather than hold results.
RUN_TABLES = {"audit_log", "step_failures", "schema_migrations", "signin_throttle"}
# Store facts that say when a version was published, not what it holds.
RUN_META_KEYS = {PUBLISHED_AT_KEY}


@dataclass(frozen=True)
class Difference:
    table: str
    what: str


def _tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    rows = con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' "
        "AND table_type = 'BASE TABLE' ORDER BY 1"
    ).fetchall()
    return [r[0] for r in rows if r[0] not in RUN_TABLES]


def _frame(con: duckdb.DuckDBPyConnection, table: str) -> pd.DataFrame:
    cols = [
        r[0]
        for r in con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = ? "
            "ORDER BY ordinal_position",
            [table],
        ).fetchall()
        if r[0] not in RUN_COLUMNS
    ]
    df = con.execute(
        f"SELECT {', '.join(f'{c!r}'.replace(chr(39), chr(34)) for c in cols)} FROM {table}"
    ).df()
    if table == "store_meta":
        df = df[~df["key"].isin(RUN_META_KEYS)]
    return df


def _is_float(s: pd.Series) -> bool:
    return pd.api.types.is_float_dtype(s)


def _scalar(v: object) -> object:
    return v.item() if isinstance(v, np.ndarray | np.generic) and np.ndim(v) == 0 else v


def _sort_key(v: object, digits: int) -> object:
    v = _scalar(v)
    if isinstance(v, list | np.ndarray):
        return tuple(_sort_key(x, digits) for x in v)
    if isinstance(v, float):
        return (1, "") if np.isnan(v) else (0, round(v, digits))
    return (0, "") if v is None or v is pd.NA or v is pd.NaT else (0, str(v))


def _ordered(df: pd.DataFrame, digits: int) -> pd.DataFrame:
    """Rows in a canonical order: exact columns first, then floats rounded (so that noise
    below the tolerance does not reorder rows)."""
    exact = [c for c in df.columns if not _is_float(df[c])]
    keys = pd.DataFrame(index=df.index)
    for i, col in enumerate(exact + [c for c in df.columns if c not in exact]):
        s = df[col]
        if _is_float(s):
            keys[i] = s.round(digits).fillna(np.inf)
        else:
            keys[i] = [str(_sort_key(v, digits)) for v in s]
    order = keys.sort_values(list(keys.columns), kind="stable").index
    return df.loc[order].reset_index(drop=True)


def _close(a: object, b: object, tol: float) -> bool:
    a, b = _scalar(a), _scalar(b)
    if isinstance(a, list | np.ndarray) or isinstance(b, list | np.ndarray):
        if a is None or b is None or len(a) != len(b):
            return a is None and b is None
        return all(_close(x, y, tol) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) or isinstance(b, float):
        if a is None or b is None:
            return a is None and b is None
        return bool(np.isclose(float(a), float(b), rtol=tol, atol=tol, equal_nan=True))
    if pd.isna(a) if not isinstance(a, str) else False:
        return bool(pd.isna(b)) if not isinstance(b, str) else False
    return a == b


def compare_table(a: pd.DataFrame, b: pd.DataFrame, table: str, tol: float) -> list[Difference]:
    """Differences between two frames of one table (rows as multisets)."""
    if list(a.columns) != list(b.columns):
        return [Difference(table, f"columns {list(a.columns)} vs {list(b.columns)}")]
    if len(a) != len(b):
        return [Difference(table, f"{len(a)} rows vs {len(b)}")]
    digits = max(0, int(-np.log10(tol)) - 2)
    a, b = _ordered(a, digits), _ordered(b, digits)
    out = []
    for col in a.columns:
        if _is_float(a[col]) and _is_float(b[col]):
            x, y = a[col].to_numpy(float), b[col].to_numpy(float)
            ok = np.isclose(x, y, rtol=tol, atol=tol, equal_nan=True)
        else:
            ok = np.array(
                [_close(x, y, tol) for x, y in zip(a[col], b[col], strict=True)], dtype=bool
            )
        bad = np.flatnonzero(~ok)
        if len(bad):
            i = int(bad[0])
            out.append(
                Difference(
                    table, f"{col}: {len(bad)} rows differ, e.g. {a[col][i]!r} vs {b[col][i]!r}"
                )
            )
    return out


def compare_stores(path_a: Path, path_b: Path, tol: float = 1e-6) -> list[Difference]:
    """Every difference between the result-bearing tables of two stores."""
    return [d for _, _, diffs in table_report(path_a, path_b, tol) for d in diffs]


def table_report(
    path_a: Path, path_b: Path, tol: float = 1e-6
) -> list[tuple[str, int, list[Difference]]]:
    """(table, rows in store a, its differences) for every result-bearing table."""
    con_a = duckdb.connect(str(path_a), read_only=True)
    con_b = duckdb.connect(str(path_b), read_only=True)
    try:
        tables = _tables(con_a)
        missing = set(tables) ^ set(_tables(con_b))
        out = [(t, 0, [Difference(t, "table in one store only")]) for t in sorted(missing)]
        for table in sorted(set(tables) - missing):
            a, b = _frame(con_a, table), _frame(con_b, table)
            out.append((table, len(a), compare_table(a, b, table, tol)))
        return out
    finally:
        con_a.close()
        con_b.close()


def quick_report(
    path_a: Path, path_b: Path, tol: float = 1e-6
) -> list[tuple[str, int, list[Difference]]]:
    """`table_report` for large stores: DuckDB compares each table as multisets (EXCEPT ALL
    both ways, floats rounded to the tolerance); only a table that then differs is compared
    row by row in pandas, which also absorbs noise that straddles a rounding boundary."""
    digits = max(0, int(-np.log10(tol)))
    con = duckdb.connect()
    try:
        con.execute(f"ATTACH '{path_a}' AS a (READ_ONLY)")
        con.execute(f"ATTACH '{path_b}' AS b (READ_ONLY)")
        names = {
            db: {
                r[0]
                for r in con.execute(
                    "SELECT table_name FROM information_schema.tables WHERE table_catalog = ? "
                    "AND table_schema = 'main' AND table_type = 'BASE TABLE'",
                    [db],
                ).fetchall()
            }
            - RUN_TABLES
            for db in ("a", "b")
        }
        missing = names["a"] ^ names["b"]
        out = [(t, 0, [Difference(t, "table in one store only")]) for t in sorted(missing)]
        for table in sorted(names["a"] - missing):
            cols = con.execute(
                "SELECT column_name, data_type FROM information_schema.columns "
                "WHERE table_catalog = 'a' AND table_name = ? ORDER BY ordinal_position",
                [table],
            ).fetchall()
            exprs = [
                f'round("{c}", {digits})' if t in ("DOUBLE", "FLOAT", "REAL") else f'"{c}"'
                for c, t in cols
                if c not in RUN_COLUMNS
            ]
            where = (
                f" WHERE key NOT IN ({', '.join(repr(k) for k in RUN_META_KEYS)})"
                if table == "store_meta"
                else ""
            )
            sel = f"SELECT {', '.join(exprs)} FROM {{}}.{table}{where}"
            rows = con.execute(f"SELECT count(*) FROM a.{table}{where}").fetchone()[0]
            odd = con.execute(
                f"SELECT (SELECT count(*) FROM ({sel.format('a')} EXCEPT ALL {sel.format('b')})) "
                f"+ (SELECT count(*) FROM ({sel.format('b')} EXCEPT ALL {sel.format('a')}))"
            ).fetchone()[0]
            out.append((table, int(rows), [Difference(table, "odd")] if odd else []))
    finally:
        con.close()
    odd_tables = [t for t, _, diffs in out if diffs and t not in missing]
    if not odd_tables:
        return out
    con_a = duckdb.connect(str(path_a), read_only=True)
    con_b = duckdb.connect(str(path_b), read_only=True)
    try:
        rechecked = {
            t: compare_table(_frame(con_a, t), _frame(con_b, t), t, tol) for t in odd_tables
        }
    finally:
        con_a.close()
        con_b.close()
    return [(t, n, rechecked.get(t, diffs)) for t, n, diffs in out]
