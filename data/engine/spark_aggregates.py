"""The aggregates and rollups rebuilt by Spark from the lake, loaded into the store.

The SELECTs are those of data/aggregates.py and data/rollups.py (one definition, translated
by the dialect layer). Each result is written to the lake as Parquet (where later Spark reads
find it) and copied into the store's table in the clustered order the DuckDB rebuild uses,
all tables in one DuckDB transaction with the backlog emptied, as `refresh_all` does.
"""

from __future__ import annotations

from data import aggregates, health, rollup_months, rollups
from data.engine.spark import SparkEngine
from data.store import Store


def _columns(store: Store, table: str) -> list[str]:
    return [
        r[0]
        for r in store.cursor()
        .execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = ? "
            "ORDER BY ordinal_position",
            [table],
        )
        .fetchall()
    ]


def rebuild(store: Store, engine: SparkEngine) -> list[str]:
    """Rebuild every aggregate and rollup on Spark; returns the tables rebuilt. A failure
    leaves the store's tables as they were, records it and raises StepFailed."""
    steps = [(t, sql, "") for t, sql in aggregates.rebuild_selects()]
    steps += rollups.rebuild_selects()
    derived = engine.lake / "derived"
    try:
        engine.export_facts()
        for table, select, _ in steps:
            out = derived / table
            # Kept as computed: the rollups and jobs after it read it without a rescan.
            df = engine.dataframe(select).toDF(*_columns(store, table)).persist()
            df.write.mode("overwrite").parquet(str(out))
            engine.use_frame(table, df)
        with store.transaction() as cur:
            for table, _, order in steps:
                cur.execute(f"DELETE FROM {table}")
                order_by = f" ORDER BY {order}" if order else ""
                cur.execute(
                    f"INSERT INTO {table} SELECT * FROM "
                    f"read_parquet('{derived / table}/*.parquet'){order_by}"
                )
            # The monthly rollups and their keys come from the daily ones, in DuckDB.
            rollup_months.rebuild(cur)
            cur.execute("DELETE FROM aggregate_backlog")
        engine.store_changed()
    except Exception as exc:
        message = health.record_failure(store, health.AGGREGATES, exc)
        raise health.StepFailed(
            f"the aggregate rebuild on Spark failed ({message}); the aggregates are as they "
            "were: run `labelradar doctor` to see and repair the cause"
        ) from exc
    health.clear_failures(store, health.AGGREGATES)
    return [t for t, _, _ in steps]
