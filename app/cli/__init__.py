"""`labelradar`: the command line. Every subcommand takes --db and exits non-zero with a
one-line reason on error; subcommands that report data take --json.

The store's own subcommands live in app/cli/store.py (build, maintain, serve), loads.py
(catalog, ingest, campaigns) and users.py; each feature's in app/<feature>/cli.py."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from app.cli import charts, loads, report, status, store, users
from app.cli import sso as sso_cli
from app.cli.support import (  # noqa: F401  (CliError and EXIT_* are part of the API)
    EXIT_ERROR,
    EXIT_OK,
    EXIT_USAGE,
    CliError,
)
from app.features import with_cli

# The commands that may create a named workflow-state database (as only they create a store).
CREATE_STATE = ("init", "demo")


def _state_must_exist(url: str | None) -> None:
    """A named SQLite state file that does not exist is a typo, not a new database: opening
    it would start empty accounts, approvals and alert statuses, silently (the default file
    beside the store is made as needed; a PostgreSQL database must exist to be reached)."""
    from data.state import STATE_URL_ENV, StateError, sqlite_file

    path = sqlite_file(url) if url else None
    if path is not None and not path.exists():
        raise StateError(
            f"no workflow-state database at {path}: check --state (or ${STATE_URL_ENV}); "
            "`labelradar init --db STORE --state URL` creates a new one"
        )


def build_parser() -> argparse.ArgumentParser:
    from data.store import default_db_path

    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--db",
        default=str(default_db_path()),
        help="store path (default: $LABELRADAR_DB, else data/labelradar.duckdb)",
    )
    common.add_argument(
        "--state",
        metavar="URL",
        help="workflow-state database: sqlite:///path or postgresql://... (default: "
        "$LABELRADAR_STATE_URL, else a SQLite file beside the store)",
    )
    common.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
    as_json = argparse.ArgumentParser(add_help=False)
    as_json.add_argument("--json", action="store_true", help="machine-readable output")

    parser = argparse.ArgumentParser(
        prog="labelradar", description="Label Radar: analytics over DSP trend reports."
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    parents = [common, as_json]
    store.register_create(sub, parents)
    loads.register(sub, parents)
    charts.register(sub, parents)  # `import spotify-charts`
    users.register(sub, parents)
    sso_cli.register(sub, parents)  # `sso map|list|unmap`
    report.register(sub, parents)  # `report --artist|--track --out FILE`
    store.register_maintenance(sub, parents)
    status.register(sub, parents)
    for feature in with_cli():  # each feature's subcommands (app/<feature>/cli.py)
        feature.cli_module().register(sub, parents)
    store.register_serve(sub, [common])
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    from data.ingest import IngestError
    from data.state import STATE_URL_ENV, StateError
    from data.store import StoreError
    from data.users import UserError

    if getattr(args, "state", None):
        # Every store this command opens (and a served app) uses this state database.
        os.environ[STATE_URL_ENV] = args.state

    try:
        if args.command not in CREATE_STATE:
            _state_must_exist(os.environ.get(STATE_URL_ENV))
        if args.command == "users":
            users.validate_args(args)
        return args.func(args)
    except IngestError as exc:
        lines = str(exc).splitlines()
        print(f"labelradar: error: {lines[0]}", file=sys.stderr)
        for line in lines[1:]:
            print(f"  {line}", file=sys.stderr)
        return EXIT_ERROR
    except (CliError, StoreError, StateError, UserError, ValueError, OSError) as exc:
        print(f"labelradar: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("labelradar: interrupted; nothing half-written was kept", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
