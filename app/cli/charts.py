"""`labelradar import spotify-charts FILE...`: public daily-chart files into the store."""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

from app.cli.support import EXIT_OK, CliError, open_store_for


def register(sub: argparse._SubParsersAction, parents: list[argparse.ArgumentParser]) -> None:
    """`import` and its formats (one so far: spotify-charts)."""
    p = sub.add_parser("import", help="import public data in a known format (spotify-charts)")
    formats = p.add_subparsers(dest="format", required=True, metavar="FORMAT")
    q = formats.add_parser(
        "spotify-charts",
        parents=parents,
        help="Spotify daily-chart CSV files (Position, Track Name, Artist, Streams, URL, "
        "Date[, Region])",
    )
    q.add_argument("files", nargs="+", help="chart files, each in its own transaction")
    q.add_argument("--label", required=True, help="the catalog label of the imported tracks")
    q.add_argument(
        "--region",
        help="the country of files without a Region column (e.g. us); `global` = worldwide",
    )
    q.add_argument(
        "--accept-valid",
        action="store_true",
        help="load the valid rows; write the invalid ones to <file>.rejects.csv",
    )
    q.add_argument(
        "--rejects-dir",
        type=Path,
        help="with --accept-valid: the folder for the rejects files (default: each file's own)",
    )
    q.add_argument(
        "--actor", default=os.environ.get("USER", "cli"), help="name recorded in the audit log"
    )
    q.set_defaults(func=cmd_spotify_charts)


def cmd_spotify_charts(args: argparse.Namespace) -> int:
    from data.ingest.charts import import_files

    if not args.label.strip():
        raise CliError("--label must name a label")
    for path in args.files:
        if not Path(path).exists():
            raise CliError(f"no such file: {path}")
    if args.rejects_dir is not None and not args.rejects_dir.is_dir():
        raise CliError(f"--rejects-dir {args.rejects_dir}: no such folder")
    if args.accept_valid:
        # Checked up front: the rejects file is written after the rows commit, so a
        # read-only folder lost the rejected rows of a load that had already happened.
        for path in args.files:
            folder = args.rejects_dir or Path(path).resolve().parent
            if not os.access(folder, os.W_OK):
                raise CliError(
                    f"{folder} is read-only: the rejected rows of {path} could not be kept; "
                    "pass --rejects-dir DIR"
                )
    with open_store_for(args) as store:
        results = import_files(
            store,
            [Path(p) for p in args.files],
            label=args.label,
            region=args.region,
            accept_valid=args.accept_valid,
            actor=args.actor,
            rejects_dir=args.rejects_dir,
        )
    if args.json:
        print(json.dumps({"loads": [r.__dict__ for r in results]}, indent=2, default=str))
    else:
        for r in results:
            print(r.message)
    return EXIT_OK
