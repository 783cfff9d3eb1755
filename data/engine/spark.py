"""The Spark engine: one SparkSession, the Parquet lake it reads, and the seams the batch
steps use (a SQL read, a write-back into the DuckDB store, a per-group map).

Configuration (docs/scale-out.md): LABELRADAR_SPARK_MASTER (default local[2]; ignored when
spark-submit already set a master), LABELRADAR_SPARK_PARTITIONS (shuffle partitions,
default 4), LABELRADAR_SPARK_DRIVER_MEMORY (default 3g), LABELRADAR_LAKE (the lake directory,
default `<store>.lake` beside the store).

Fixed costs dominate a refresh on few cores (bench/spark_profile.py measures them): every
statement is a Spark job, and the facts lake is many small date x DSP files. So the facts are
scanned from the lake once and kept (memory, spilling to disk) for the five statements that
read them; each derived aggregate is kept as computed and read from there by the rollups and
jobs after it; and a small table is copied from the store once per version of the store (a
write to the store makes the copies stale), not once per statement.
"""

from __future__ import annotations

import itertools
import os
import pickle
import re
import sys
from collections.abc import Callable, Hashable
from pathlib import Path
from typing import Any

import pandas as pd

from data.engine.dialect import to_spark
from data.store import Store

# Tables the Spark engine reads from the lake; every other table is small and copied from
# the store when a statement names it (so it is current even after an earlier job wrote it).
FACTS = "trend_facts"
LAKE_TABLES_PREFIXES = ("agg_", "roll_")
_session = None


def session() -> Any:
    """The process's SparkSession (created on first use)."""
    global _session
    if _session is not None:
        return _session
    # Python workers must run this interpreter (the venv with pandas, pyarrow and this repo).
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    root = str(Path(__file__).resolve().parents[2])
    paths = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    if root not in paths:
        os.environ["PYTHONPATH"] = os.pathsep.join([root, *paths])
    from pyspark import SparkConf
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.appName("labelradar-refresh")
    given = SparkConf()
    master = given.get("spark.master", os.environ.get("LABELRADAR_SPARK_MASTER", "local[2]"))
    if not given.contains("spark.master"):
        builder = builder.master(master)
    conf = {
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        # A lake partitioned by date and DSP holds many small files: pack them into few
        # tasks, and list them on the driver rather than in a listing job.
        "spark.sql.files.openCostInBytes": str(256 * 1024),
        "spark.sql.sources.parallelPartitionDiscovery.threshold": "100000",
        "spark.sql.session.timeZone": "UTC",
        "spark.sql.shuffle.partitions": os.environ.get("LABELRADAR_SPARK_PARTITIONS", "4"),
        "spark.sql.execution.arrow.pyspark.enabled": "true",
        "spark.executorEnv.PYTHONPATH": os.environ["PYTHONPATH"],
        # Global fits run in the driver, and in local mode the executors are the driver.
        "spark.driver.memory": os.environ.get("LABELRADAR_SPARK_DRIVER_MEMORY", "3g"),
        # Adaptive execution runs each shuffle stage as a job of its own: on a few local
        # cores that fixed cost outweighs its re-planning (40 jobs against 17 for the
        # aggregates); a cluster keeps it for skewed joins.
        "spark.sql.adaptive.enabled": "false" if master.startswith("local") else "true",
    }
    for key, value in conf.items():
        builder = builder.config(key, value)
    _session = builder.getOrCreate()
    _session.sparkContext.setLogLevel("ERROR")
    return _session


def default_lake(store: Store) -> Path:
    """LABELRADAR_LAKE, else `<store file>.lake` beside the store (the published file, not
    the private copy a writing command works on, so that runs share one lake)."""
    env = os.environ.get("LABELRADAR_LAKE")
    path = Path(getattr(store, "published_path", store.path))
    return Path(env) if env else path.with_name(path.name + ".lake")


def _is_lake_table(name: str) -> bool:
    return name == FACTS or name.startswith(LAKE_TABLES_PREFIXES)


class SparkEngine:
    """Spark over the lake of one store; results go back into that store."""

    def __init__(self, store: Store, lake: Path | None = None) -> None:
        self.store = store
        self.lake = Path(lake) if lake is not None else default_lake(store)
        self.spark = session()
        self._copies = itertools.count()
        self._tables = {
            r[0]
            for r in store.cursor()
            .execute("SELECT table_name FROM information_schema.tables WHERE table_schema='main'")
            .fetchall()
        }
        self._lake_views: set[str] = set()
        self._small_views: set[str] = set()  # copies of store tables, current until a write
        self._kept: dict[str, Any] = {}  # table -> persisted DataFrame

    # -- the lake -----------------------------------------------------------------------
    def export_facts(self) -> None:
        """Write trend_facts to the lake as Parquet partitioned by date and DSP (what the
        ingest of a cluster deployment writes directly) and read them from there."""
        target = self.lake / FACTS
        _clear(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        self.store.cursor().execute(
            f"COPY (SELECT * FROM {FACTS}) TO '{target}' "
            "(FORMAT PARQUET, PARTITION_BY (date, dsp), OVERWRITE_OR_IGNORE)"
        )
        self._lake_views.discard(FACTS)
        old = self._kept.pop(FACTS, None)
        if old is not None:
            old.unpersist()

    def use_lake_table(self, table: str, path: Path, keep: bool = False) -> None:
        """Read `table` from the Parquet at `path` from now on (`keep`: scan it once and keep
        the rows for later statements)."""
        df = self.spark.read.parquet(str(path))
        self._register(table, df.persist() if keep else df)

    def use_frame(self, table: str, df: Any) -> None:
        """Read `table` from a DataFrame already persisted (a derived aggregate as computed)."""
        self._register(table, df)

    def _register(self, table: str, df: Any) -> None:
        old = self._kept.pop(table, None)
        if old is not None and old is not df:
            old.unpersist()
        if df.is_cached:
            self._kept[table] = df
        df.createOrReplaceTempView(table)
        self._lake_views.add(table)

    def store_changed(self) -> None:
        """The store was written: copies of its small tables are stale."""
        self._small_views.clear()

    def close(self) -> None:
        """Release the kept DataFrames (the session lives on for the process)."""
        for df in self._kept.values():
            df.unpersist()
        self._kept.clear()

    def _ensure_view(self, table: str) -> None:
        if table in self._lake_views or table in self._small_views:
            return
        if table == FACTS:
            if not (self.lake / FACTS).exists():
                self.export_facts()
            self.use_lake_table(FACTS, self.lake / FACTS, keep=True)
            return
        path = self.lake / "tables" / f"{table}.{next(self._copies)}.parquet"
        path.parent.mkdir(parents=True, exist_ok=True)
        self.store.cursor().execute(f"COPY {table} TO '{path}' (FORMAT PARQUET)")
        if _is_lake_table(table):
            self.use_lake_table(table, path, keep=True)  # an aggregate not rebuilt by this run
        else:
            self.spark.read.parquet(str(path)).createOrReplaceTempView(table)
            self._small_views.add(table)

    # -- reads --------------------------------------------------------------------------
    def tables_in(self, sql: str) -> list[str]:
        """The store's tables a statement names."""
        words = set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", sql))
        return sorted(words & self._tables)

    def wants_spark(self, sql: str) -> bool:
        """True when a statement reads a lake table (facts or aggregates)."""
        return any(_is_lake_table(t) for t in self.tables_in(sql))

    def dataframe(self, sql: str, params: list[Any] | tuple = (), frames: dict | None = None):
        """The Spark DataFrame of a DuckDB-dialect SELECT (`frames`: pandas views by name)."""
        for table in self.tables_in(sql):
            self._ensure_view(table)
        for name, frame in (frames or {}).items():
            if re.search(rf"\b{re.escape(name)}\b", sql):
                self.spark.createDataFrame(frame).createOrReplaceTempView(name)
        text = to_spark(sql, params)
        try:
            return self.spark.sql(text)
        except Exception:
            if os.environ.get("LABELRADAR_SPARK_DEBUG"):
                print(f"Spark SQL that failed:\n{text}", file=sys.stderr)
            raise

    def arrow(self, sql: str, params: list[Any] | tuple = (), frames: dict | None = None):
        """The rows of a DuckDB-dialect SELECT computed by Spark, as an Arrow table."""
        df = self.dataframe(sql, params, frames)
        return df.toArrow()

    def map_groups(
        self, frame: pd.DataFrame, keys: list[str], fn: Callable[[pd.DataFrame], Any]
    ) -> list[tuple[Hashable, Any]]:
        return map_groups(frame, keys, fn)


def map_groups(
    frame: pd.DataFrame, keys: list[str], fn: Callable[[pd.DataFrame], Any]
) -> list[tuple[Hashable, Any]]:
    """`fn` on every group of `frame` by `keys`, in Spark's Python workers (one task per
    group, through mapInPandas), returned in key order. Each group travels as one
    serialized frame, so the function sees exactly the frame the in-process engine gives it
    (dtypes included): the engines agree to the last bit."""
    parts = [(i, pickle.dumps((k, p))) for i, (k, p) in enumerate(frame.groupby(keys))]
    if not parts:
        return []
    rows = session().createDataFrame(parts, "i int, part binary")

    def run(batches):  # in a Python worker
        for batch in batches:
            out = []
            for part in batch["part"]:
                key, group = pickle.loads(part)
                out.append(pickle.dumps((key, fn(group))))
            yield pd.DataFrame({"result": out})

    done = rows.repartition(len(parts), "i").mapInPandas(run, "result binary").collect()
    return sorted((pickle.loads(r.result) for r in done), key=lambda kv: kv[0])


def _clear(path: Path) -> None:
    import shutil

    if path.exists():
        shutil.rmtree(path)
