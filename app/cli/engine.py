"""`--engine` and `--lake`: where `refresh` and `ingest` compute their set-oriented steps."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from app.cli.support import CliError


def add_engine_args(p: argparse.ArgumentParser, what: str) -> None:
    """Add --engine (duckdb | spark) and --lake to `p`; `what` names the steps they move."""
    p.add_argument(
        "--engine",
        choices=("duckdb", "spark"),
        default="duckdb",
        help=f"where {what} compute: DuckDB in-process (default) or Apache Spark over the "
        "Parquet lake (results are written into the store either way)",
    )
    p.add_argument(
        "--lake",
        metavar="DIR",
        help="with --engine spark: the Parquet lake directory "
        "(default: $LABELRADAR_LAKE, else <store>.lake beside the store)",
    )


def engine_for(args: argparse.Namespace, store: Any) -> Any:
    """The Spark engine for `--engine spark` (None: DuckDB in-process)."""
    if getattr(args, "engine", "duckdb") != "spark":
        return None
    try:
        from data.engine.spark import SparkEngine

        return SparkEngine(store, Path(args.lake) if args.lake else None)
    except ImportError as exc:
        raise CliError(
            f"--engine spark needs pyspark ({exc}): pip install -r requirements.txt"
        ) from exc
    except Exception as exc:  # the JVM did not start (no Java, bad master URL, ...)
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise CliError(
            f"could not start Spark ({first}): check Java (scripts/setup.sh installs it) "
            "and LABELRADAR_SPARK_MASTER"
        ) from exc
