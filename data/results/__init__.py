"""What each feature's batch job persists (`data/results/<feature>.py`), the model-run
contract (`runs.py`), and the one way a job replaces a result table."""

from __future__ import annotations

import duckdb
import pandas as pd


def replace_table(
    cur: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame, run_id: int
) -> None:
    """Replace `table`'s rows with `frame` tagged with `run_id` (inside the job's
    transaction). Columns are matched by name in the table's own order, so a frame's column
    order never matters."""
    cur.execute(f"DELETE FROM {table}")
    if frame.empty:
        return
    cols = [
        r[0]
        for r in cur.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = ? "
            "ORDER BY ordinal_position",
            [table],
        ).fetchall()
    ]
    view = f"_{table}_frame"
    cur.register(view, frame.assign(run_id=run_id)[cols])
    try:
        cur.execute(f"INSERT INTO {table} SELECT * FROM {view}")
    finally:
        cur.unregister(view)
