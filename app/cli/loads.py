"""`labelradar catalog|ingest|campaigns`: load input files into the store."""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
from typing import Any

from app.cli.engine import add_engine_args, engine_for
from app.cli.support import EXIT_OK, CliError, open_store_for, progress_for


def register(sub: argparse._SubParsersAction, parents: list[argparse.ArgumentParser]) -> None:
    """Add the three load subcommands; `parents` carry --db/--quiet and --json."""
    for name, func, what in (
        ("catalog", cmd_catalog, "catalog CSV/Parquet files"),
        ("ingest", cmd_ingest, "trend reports (CSV, CSV.gz, Parquet)"),
        ("campaigns", cmd_campaigns, "campaign history files"),
    ):
        p = sub.add_parser(name, parents=parents, help=f"load {what}")
        p.add_argument("files", nargs="+", help="files to load, each in its own transaction")
        p.add_argument(
            "--accept-valid",
            action="store_true",
            help="load the valid rows; write the invalid ones to <file>.rejects.csv",
        )
        p.add_argument("--ignore-extra", action="store_true", help="ignore unknown columns")
        p.add_argument(
            "--actor", default=os.environ.get("USER", "cli"), help="name recorded in the audit log"
        )
        if name == "ingest":
            p.add_argument(
                "--replace",
                action="store_true",
                help="a corrected re-delivery: swap out earlier rows of the same "
                "DSP(s) and date range",
            )
            add_engine_args(p, "the aggregates")
        p.set_defaults(func=func)


def _load(args: argparse.Namespace, loader_name: str, **extra: Any) -> int:
    from data import ingest

    loader = getattr(ingest, loader_name)
    results = []
    deferred = loader_name == "load_trend_report"
    if deferred:
        extra["defer_aggregates"] = True
    with open_store_for(args) as store:
        try:
            for path in args.files:
                if not Path(path).exists():
                    raise CliError(f"no such file: {path}")
                bar = progress_for(args)
                try:
                    result = loader(
                        store,
                        Path(path),
                        accept_valid=args.accept_valid,
                        ignore_extra=args.ignore_extra,
                        actor=args.actor,
                        progress=bar,
                        **extra,
                    )
                finally:
                    bar.close()
                results.append(result)
                if not args.json:
                    print(result.message)
        finally:
            if deferred:
                # One refresh for the whole delivery (files of the same DSP and dates share
                # it), also when a later file failed: what loaded is complete.
                if getattr(args, "engine", "duckdb") == "spark":
                    _spark_aggregates(args, store)
                else:
                    bar = progress_for(args)
                    try:
                        ingest.refresh_aggregates(store, progress=bar)
                    finally:
                        bar.close()
    if args.json:
        print(json.dumps({"loads": [r.__dict__ for r in results]}, indent=2, default=str))
    return EXIT_OK


def _spark_aggregates(args: argparse.Namespace, store: Any) -> None:
    """The aggregates step of an ingest on Spark: the refresh's own rebuild (every partition,
    from the lake), run only when a load queued partitions."""
    if not store.cursor().execute("SELECT count(*) FROM aggregate_backlog").fetchone()[0]:
        return
    from data.engine import spark_aggregates

    spark_aggregates.rebuild(store, engine_for(args, store))


def cmd_catalog(args: argparse.Namespace) -> int:
    return _load(args, "load_catalog")


def cmd_ingest(args: argparse.Namespace) -> int:
    return _load(args, "load_trend_report", replace=args.replace)


def cmd_campaigns(args: argparse.Namespace) -> int:
    return _load(args, "load_campaigns")
