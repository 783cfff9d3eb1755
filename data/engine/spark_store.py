"""A Store as the batch jobs see it when they run on Spark.

Jobs are unchanged: they read through `store.cursor()` and write in `store.transaction()`.
Here the cursor sends every statement that reads the lake (trend facts, aggregates, rollups)
to Spark and every other one (small tables, the job's own bookkeeping) to DuckDB; the
transaction is the DuckDB store's own, so results and the model_runs row land where the app
reads them, in one transaction as before.

Spark computes the rows; DuckDB describes the statement first, and the rows are cast to the
types DuckDB would have returned (enums, HUGEINT sums, dates), so a job's pandas frames are
the same whichever engine read them.
"""

from __future__ import annotations

import contextlib
import re
import threading
from collections.abc import Iterator
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

from data.engine.spark import SparkEngine
from data.store import Store

_RESULT = "__spark_result"
# Statements that only read (anything else may change a table Spark holds a copy of).
_READS = re.compile(r"\s*(SELECT|WITH|DESCRIBE|SHOW|PRAGMA|EXPLAIN)\b", re.IGNORECASE)
_ROW = "__spark_row"


class SparkCursor:
    """The subset of a DuckDB cursor the batch reads use: execute, df, fetchone, fetchall,
    register and unregister."""

    def __init__(self, engine: SparkEngine, cur: duckdb.DuckDBPyConnection) -> None:
        self.engine = engine
        self.cur = cur
        self.frames: dict[str, pd.DataFrame] = {}

    def execute(self, sql: str, params: list[Any] | tuple | None = None) -> SparkCursor:
        params = list(params or [])
        self._drop_result()
        if not self.engine.wants_spark(sql):
            self.cur.execute(sql, params)
            if not _READS.match(sql):
                self.engine.store_changed()
            return self
        types = _duckdb_types(self.cur, sql, params)
        table = self.engine.arrow(sql, params, self.frames)
        cols = [_quoted(c) for c in table.column_names]
        # The store scans without preserving insertion order: keep Spark's row order (a
        # read's ORDER BY) through an explicit row number.
        table = table.append_column(_ROW, pa.array(np.arange(table.num_rows)))
        self.cur.register(_RESULT, table)
        if types is not None and len(types) == len(cols):
            # DuckDB's names and types, position by position
            cols = [
                f"CAST({c} AS {t}) AS {_quoted(name)}"
                for c, (name, t) in zip(cols, types, strict=True)
            ]
        self.cur.execute(f"SELECT {', '.join(cols)} FROM {_RESULT} ORDER BY {_ROW}")
        return self

    def _drop_result(self) -> None:
        with contextlib.suppress(duckdb.Error):
            self.cur.unregister(_RESULT)

    def df(self) -> pd.DataFrame:
        return self.cur.df()

    def fetchone(self) -> tuple | None:
        return self.cur.fetchone()

    def fetchall(self) -> list[tuple]:
        return self.cur.fetchall()

    def register(self, name: str, frame: pd.DataFrame) -> SparkCursor:
        self.frames[name] = frame
        self.cur.register(name, frame)
        return self

    def unregister(self, name: str) -> SparkCursor:
        self.frames.pop(name, None)
        self.cur.unregister(name)
        return self


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _duckdb_types(
    cur: duckdb.DuckDBPyConnection, sql: str, params: list[Any]
) -> list[tuple[str, str]] | None:
    """(name, type) of each column DuckDB gives the statement (it only plans it), or None."""
    try:
        return [(r[0], r[1]) for r in cur.execute(f"DESCRIBE {sql}", params).fetchall()]
    except duckdb.Error:
        return None


class SparkStore:
    """The DuckDB store with reads of the lake on Spark (see the module docstring)."""

    def __init__(self, store: Store, engine: SparkEngine) -> None:
        self._store = store
        self.engine = engine
        self._local = threading.local()

    def cursor(self) -> SparkCursor:
        cur = getattr(self._local, "cur", None)
        if cur is None:
            cur = SparkCursor(self.engine, self._store.cursor())
            self._local.cur = cur
        return cur

    @contextlib.contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        try:
            with self._store.transaction() as cur:
                yield cur
        finally:
            self.engine.store_changed()

    def map_groups(self, *args: Any, **kwargs: Any) -> Any:
        return self.engine.map_groups(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)
