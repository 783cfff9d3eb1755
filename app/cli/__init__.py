"""`labelradar`: the command line. Every subcommand takes --db and exits non-zero with a
one-line reason on error; subcommands that report data take --json."""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from app.cli import sso as sso_cli
from app.cli.support import (  # noqa: F401  (CliError and EXIT_* are part of the API)
    EXIT_ERROR,
    EXIT_OK,
    EXIT_USAGE,
    CliError,
)
from app.cli.support import emit as _emit
from app.cli.support import open_store_for as _store
from app.cli.support import progress_for as _progress
from app.features import with_cli


# -- subcommands -------------------------------------------------------------------------
def cmd_demo(args: argparse.Namespace) -> int:
    from data.synth import build_demo_store

    db = Path(args.db)
    if db.exists() and not args.force:
        if args.if_missing:
            _emit(
                args,
                {"db_path": str(db), "built": False},
                f"demo store already present at {db} (use --force to rebuild)",
            )
            return EXIT_OK
        raise CliError(f"{db} already exists: pass --force to replace it with a new demo store")
    bar = _progress(args)
    try:
        summary = build_demo_store(db, size=args.size, seed=args.seed, progress=bar)
    finally:
        bar.close()
    payload = summary.as_dict() | {"built": True}
    _emit(
        args,
        payload,
        lambda: (
            f"SYNTHETIC demo store ({summary.size}, seed {summary.seed}) written to {db} in "
            f"{summary.seconds:.0f} s: {len(summary.labels)} labels, {summary.artists} artists, "
            f"{summary.tracks} tracks, {summary.countries} countries, {summary.days} days, "
            f"{summary.trend_rows:,} trend rows ({summary.listener_rows:,} listener-level).\n"
            f"Ground truth: {summary.ground_truth_dir}\n"
            "Demo accounts (see README): " + ", ".join(summary.accounts)
        ),
    )
    return EXIT_OK


def _load(args: argparse.Namespace, loader_name: str, **extra: Any) -> int:
    from data import ingest

    loader = getattr(ingest, loader_name)
    results = []
    deferred = loader_name == "load_trend_report"
    if deferred:
        extra["defer_aggregates"] = True
    with _store(args) as store:
        try:
            for path in args.files:
                if not Path(path).exists():
                    raise CliError(f"no such file: {path}")
                bar = _progress(args)
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
                bar = _progress(args)
                try:
                    ingest.refresh_aggregates(store, progress=bar)
                finally:
                    bar.close()
    if args.json:
        print(json.dumps({"loads": [r.__dict__ for r in results]}, indent=2, default=str))
    return EXIT_OK


def cmd_catalog(args: argparse.Namespace) -> int:
    return _load(args, "load_catalog")


def cmd_ingest(args: argparse.Namespace) -> int:
    return _load(args, "load_trend_report", replace=args.replace)


def cmd_campaigns(args: argparse.Namespace) -> int:
    return _load(args, "load_campaigns")


def _read_password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    if not sys.stdin.isatty():
        raise CliError("no terminal to ask for a password: use --password-stdin")
    first = getpass.getpass("Password: ")
    if first != getpass.getpass("Again: "):
        raise CliError("the two passwords differ")
    return first


def _labels(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def cmd_users(args: argparse.Namespace) -> int:
    from data import users

    with _store(args) as store:
        if args.action == "list":
            frame = users.list_users(store)
            _emit(
                args,
                {"users": frame.to_dict(orient="records")},
                lambda: frame.to_string(index=False) if len(frame) else "no users",
            )
            return EXIT_OK
        if args.action == "add":
            user = users.add_user(
                store,
                args.username,
                _read_password(args),
                args.role,
                _labels(args.labels),
                actor=args.actor,
            )
        elif args.action == "set-role":
            user = users.update_user(store, args.username, role=args.role, actor=args.actor)
        elif args.action == "set-labels":
            user = users.update_user(
                store, args.username, labels=_labels(args.labels), actor=args.actor
            )
        elif args.action == "passwd":
            user = users.update_user(
                store, args.username, password=_read_password(args), actor=args.actor
            )
        elif args.action in ("disable", "enable"):
            user = users.update_user(
                store, args.username, disabled=args.action == "disable", actor=args.actor
            )
        else:  # pragma: no cover - argparse restricts the choices
            raise CliError(f"unknown users action {args.action}")
    _emit(
        args,
        {
            "username": user.username,
            "role": user.role,
            "labels": list(user.labels),
            "disabled": user.disabled,
        },
        f"{user.username}: {user.role} of {', '.join(user.labels)}"
        + (" (disabled)" if user.disabled else ""),
    )
    return EXIT_OK


def cmd_refresh(args: argparse.Namespace) -> int:
    from app.jobs import load_jobs, run_jobs
    from data import aggregates
    from data.results import runs as model_runs

    jobs = load_jobs()
    names = args.only or None
    if names is not None and "aggregates" in names:
        names = [n for n in names if n != "aggregates"] or []
    payload: dict[str, Any] = {"aggregates": False, "jobs": []}
    with _store(args) as store:
        wants_aggregates = args.only is None or "aggregates" in args.only
        if wants_aggregates and not args.if_missing:
            with store.transaction() as cur:
                aggregates.refresh_all(cur)
            payload["aggregates"] = True
        if names is None and args.if_missing:
            names = [n for n in jobs if model_runs.latest(store, n) is None]
        if names != []:
            bar = _progress(args)
            try:
                options = {"fans": {"window_days": args.fans_window}} if args.fans_window else {}
                payload["jobs"] = run_jobs(store, names, progress=bar, options=options)
            finally:
                bar.close()

    def text() -> str:
        lines = ["aggregates rebuilt from trend facts"] if payload["aggregates"] else []
        for r in payload["jobs"]:
            lines.append(f"{r['job']}: done in {r['seconds']:.1f} s")
        return "\n".join(lines) or "nothing to do"

    _emit(args, payload, text)
    return EXIT_OK


def cmd_info(args: argparse.Namespace) -> int:
    with _store(args, read_only=True) as store:
        cur = store.cursor()
        counts = {
            t: cur.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("catalog", "trend_facts", "campaigns", "users", "loads", "audit_log")
        }
        first, last = cur.execute("SELECT min(date), max(date) FROM trend_facts").fetchone()
        labels = [
            r[0] for r in cur.execute("SELECT DISTINCT label FROM catalog ORDER BY 1").fetchall()
        ]
        payload = {
            "db": str(args.db),
            "schema_version": store.schema_version(),
            "synthetic": store.is_demo,
            "labels": labels,
            "rows": counts,
            "data_from": first,
            "data_through": last,
        }
    _emit(args, payload, lambda: "\n".join(f"{k}: {v}" for k, v in payload.items()))
    return EXIT_OK


def cmd_serve(args: argparse.Namespace) -> int:
    db = Path(args.db)
    if not db.exists():
        raise CliError(f"no store at {db}: build the demo store with `labelradar demo` first")
    main_py = Path(__file__).resolve().parents[1] / "main.py"
    env = dict(os.environ, LABELRADAR_DB=str(db.resolve()))
    cmd = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(main_py),
        "--server.port",
        str(args.port),
        "--server.address",
        args.address,
        "--server.headless",
        "true",
    ]
    os.chdir(main_py.parent.parent)  # .streamlit/config.toml lives at the project root
    os.execve(sys.executable, cmd, env)
    return EXIT_OK  # pragma: no cover - execve does not return


# -- parser --------------------------------------------------------------------------------
def build_parser() -> argparse.ArgumentParser:
    from data.store import default_db_path

    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--db",
        default=str(default_db_path()),
        help="store path (default: $LABELRADAR_DB, else data/labelradar.duckdb)",
    )
    common.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
    as_json = argparse.ArgumentParser(add_help=False)
    as_json.add_argument("--json", action="store_true", help="machine-readable output")

    parser = argparse.ArgumentParser(
        prog="labelradar", description="Label Radar: analytics over DSP trend reports."
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser(
        "demo",
        parents=[common, as_json],
        help="build the SYNTHETIC demo store (with ground truth files)",
    )
    p.add_argument("--size", choices=("tiny", "demo", "large"), default="demo")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--force", action="store_true", help="replace an existing store")
    p.add_argument(
        "--if-missing",
        action="store_true",
        help="do nothing (exit 0) when the store already exists",
    )
    p.set_defaults(func=cmd_demo)

    for name, func, what in (
        ("catalog", cmd_catalog, "catalog CSV/Parquet files"),
        ("ingest", cmd_ingest, "trend reports (CSV, CSV.gz, Parquet)"),
        ("campaigns", cmd_campaigns, "campaign history files"),
    ):
        p = sub.add_parser(name, parents=[common, as_json], help=f"load {what}")
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
        p.set_defaults(func=func)

    p = sub.add_parser("users", parents=[common, as_json], help="manage accounts")
    p.add_argument(
        "action", choices=("list", "add", "set-role", "set-labels", "passwd", "disable", "enable")
    )
    p.add_argument("username", nargs="?")
    p.add_argument("--role", choices=("admin", "manager", "viewer"))
    p.add_argument("--labels", help="comma-separated labels the user may read")
    p.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    p.add_argument("--actor", default=os.environ.get("USER", "cli"))
    p.set_defaults(func=cmd_users)
    sso_cli.register(sub, [common, as_json])  # `sso map|list|unmap` (app/cli/sso.py)

    p = sub.add_parser(
        "refresh",
        parents=[common, as_json],
        help="rebuild aggregates and refit the batch models (fans, similar, alerts, ...)",
    )
    p.add_argument(
        "--only",
        action="append",
        metavar="NAME",
        help="run only this step (repeatable): aggregates or a job name",
    )
    p.add_argument(
        "--fans-window",
        type=int,
        metavar="DAYS",
        help="fit fan types on the last DAYS days of data (default: the whole history)",
    )
    p.add_argument(
        "--if-missing",
        action="store_true",
        help="skip the aggregate rebuild and run only jobs that have never run on this store",
    )
    p.set_defaults(func=cmd_refresh)

    p = sub.add_parser("info", parents=[common, as_json], help="what the store holds")
    p.set_defaults(func=cmd_info)

    for feature in with_cli():  # each feature's subcommands (app/<feature>/cli.py)
        feature.cli_module().register(sub, [common, as_json])

    p = sub.add_parser("serve", parents=[common], help="run the web app")
    p.add_argument("--port", type=int, default=8501)
    p.add_argument("--address", default="localhost")
    p.set_defaults(func=cmd_serve)
    return parser


def _validate_users_args(args: argparse.Namespace) -> None:
    if args.command != "users" or args.action == "list":
        return
    if not args.username:
        raise CliError(f"users {args.action} needs a USERNAME")
    needs = {"add": ("role", "labels"), "set-role": ("role",), "set-labels": ("labels",)}
    for option in needs.get(args.action, ()):
        if getattr(args, option) is None:
            raise CliError(f"users {args.action} needs --{option}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    from data.ingest import IngestError
    from data.store import StoreError
    from data.users import UserError

    try:
        _validate_users_args(args)
        return args.func(args)
    except IngestError as exc:
        lines = str(exc).splitlines()
        print(f"labelradar: error: {lines[0]}", file=sys.stderr)
        for line in lines[1:]:
            print(f"  {line}", file=sys.stderr)
        return EXIT_ERROR
    except (CliError, StoreError, UserError, ValueError, OSError) as exc:
        print(f"labelradar: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("labelradar: interrupted; nothing half-written was kept", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
