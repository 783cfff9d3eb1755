"""Where the batch steps run: DuckDB in-process (the default) or Apache Spark (`--engine spark`).

Each step is defined once. Set-oriented steps (the aggregates, each model's input reads) are
SQL written in DuckDB's dialect and translated for Spark by `dialect.to_spark`; per-group
model fits are the analytics functions, called in-process or through Spark's
`groupBy().applyInPandas` by a `GroupMapper`; results are always written into the DuckDB
store, where the app reads them (docs/scale-out.md).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any

import pandas as pd

ENGINES = ("duckdb", "spark")

# (frame, key columns, fn(group frame) -> any picklable result) -> [(key, result)] sorted by key
GroupMapper = Callable[
    [pd.DataFrame, list[str], Callable[[pd.DataFrame], Any]], list[tuple[Hashable, Any]]
]


def local_map_groups(
    frame: pd.DataFrame, keys: list[str], fn: Callable[[pd.DataFrame], Any]
) -> list[tuple[Hashable, Any]]:
    """`fn` on every group of `frame` by `keys`, in this process, in key order."""
    return [(key, fn(part)) for key, part in frame.groupby(keys, sort=True)]


def map_groups_of(store: object) -> GroupMapper | None:
    """The group mapper of the engine a job runs on; None for the in-process default."""
    return getattr(store, "map_groups", None)
