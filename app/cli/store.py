"""Store-level subcommands: build (`demo`), maintain (`refresh`, `info`) and serve the store."""

from __future__ import annotations

import argparse
import os
import socket
import sys
from pathlib import Path
from typing import Any

from app.cli.doctor import cmd_doctor
from app.cli.engine import add_engine_args, engine_for
from app.cli.support import EXIT_OK, CliError, emit, open_store_for, progress_for


def register_create(
    sub: argparse._SubParsersAction, parents: list[argparse.ArgumentParser]
) -> None:
    """`demo` and `init`: the only subcommands that create a store."""
    p = sub.add_parser(
        "demo",
        parents=parents,
        help="build the SYNTHETIC demo store (with ground truth files)",
    )
    p.add_argument("--size", choices=("tiny", "demo", "large"), default="demo")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--force", action="store_true", help="replace an existing store")
    p.add_argument(
        "--real",
        action="store_true",
        help="build a store of REAL public chart data from ../shared/realdata instead",
    )
    p.add_argument(
        "--if-missing",
        action="store_true",
        help="do nothing (exit 0) when the store already exists",
    )
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser(
        "init", parents=parents, help="create an empty store (the other commands never do)"
    )
    p.set_defaults(func=cmd_init)


def register_maintenance(
    sub: argparse._SubParsersAction, parents: list[argparse.ArgumentParser]
) -> None:
    """`refresh`, `info` and `doctor`."""
    p = sub.add_parser(
        "refresh",
        parents=parents,
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
        type=_window_days,
        metavar="DAYS",
        help="fit fan types on the last DAYS days of data, 7 to 3660 (default: the whole history)",
    )
    p.add_argument(
        "--if-missing",
        action="store_true",
        help="skip the aggregate rebuild and run only jobs that have never run on this store",
    )
    add_engine_args(p, "the aggregates and jobs")
    p.set_defaults(func=cmd_refresh)

    p = sub.add_parser("info", parents=parents, help="what the store holds")
    p.set_defaults(func=cmd_info)

    p = sub.add_parser(
        "doctor",
        parents=parents,
        help="list pending aggregate refreshes and failed steps; --repair retries them",
    )
    p.add_argument(
        "--repair",
        action="store_true",
        help="refresh the pending aggregates and rerun the failed batch jobs",
    )
    p.add_argument(
        "--drop-load",
        type=int,
        metavar="ID",
        help="remove a trend report load whose rows break the refresh (implies --repair)",
    )
    p.add_argument("--actor", default=os.environ.get("USER", "cli"))
    p.set_defaults(func=cmd_doctor)


def _bounded_int(name: str, low: int, high: int):
    """An argparse type: an integer in [low, high], else a one-line usage error."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{name} must be a whole number") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{name} must be between {low} and {high}")
        return value

    return parse


# A fan-type window under a week has too few streams per listener to tell types apart;
# -5 emptied the model and 0 silently meant "the whole history".
_window_days = _bounded_int("--fans-window", 7, 3660)
_port = _bounded_int("--port", 1, 65535)


def register_serve(sub: argparse._SubParsersAction, parents: list[argparse.ArgumentParser]) -> None:
    """`serve`; `parents` carry --db/--quiet only (it prints no data)."""
    p = sub.add_parser("serve", parents=parents, help="run the web app")
    p.add_argument("--port", type=_port, default=8501, help="TCP port, 1-65535 (default 8501)")
    p.add_argument("--address", default="localhost", help="address to listen on")
    p.set_defaults(func=cmd_serve)


def _store_file(db: Path) -> Path:
    """`db` as a store's file path: a folder is refused before anything is built."""
    if db.is_dir():
        raise CliError(
            f"{db} is a folder: --db takes the store's file path, e.g. {db / 'labelradar.duckdb'}"
        )
    return db


def cmd_demo(args: argparse.Namespace) -> int:
    from data.synth import build_demo_store

    db = _store_file(Path(args.db))
    if getattr(args, "real", False):
        return _real_demo(args, db)
    if db.exists() and not args.force:
        if args.if_missing:
            emit(
                args,
                {"db_path": str(db), "built": False},
                f"demo store already present at {db} (use --force to rebuild)",
            )
            return EXIT_OK
        raise CliError(f"{db} already exists: pass --force to replace it with a new demo store")
    bar = progress_for(args)
    try:
        summary = build_demo_store(db, size=args.size, seed=args.seed, progress=bar)
    finally:
        bar.close()
    payload = summary.as_dict() | {"built": True}
    emit(
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


def _real_demo(args: argparse.Namespace, db: Path) -> int:
    from data import realdemo

    missing = realdemo.missing_files()
    if missing:
        raise CliError(f"no real chart data here (missing {missing[0]}): nothing built")
    if db.exists():
        if not args.force:
            raise CliError(f"{db} already exists: pass --force to replace it")
        db.unlink()
    summary = realdemo.build_real_store(db)
    emit(
        args,
        summary.__dict__ | {"built": True, "synthetic": False},
        lambda: (
            f"REAL public chart data store written to {db} in {summary.seconds:.0f} s: "
            f"labels {', '.join(summary.labels)}; {summary.tracks} tracks, "
            f"{summary.trend_rows:,} chart rows. Accounts: admin, nora (README passwords)."
        ),
    )
    return EXIT_OK


def cmd_refresh(args: argparse.Namespace) -> int:
    from app.jobs import load_jobs, run_jobs
    from data import health
    from data.results import runs as model_runs

    jobs = load_jobs()
    names = args.only or None
    if names is not None and "aggregates" in names:
        names = [n for n in names if n != "aggregates"] or []
    payload: dict[str, Any] = {"aggregates": False, "jobs": []}
    with open_store_for(args) as store:
        engine = engine_for(args, store)
        wants_aggregates = args.only is None or "aggregates" in args.only
        if wants_aggregates and not args.if_missing:
            if engine is None:
                health.rebuild_aggregates(store)
            else:
                from data.engine import spark_aggregates

                spark_aggregates.rebuild(store, engine)
            payload["aggregates"] = True
        if names is None and args.if_missing:
            names = [n for n in jobs if model_runs.latest(store, n) is None]
        if names != []:
            bar = progress_for(args)
            try:
                options = {"fans": {"window_days": args.fans_window}} if args.fans_window else {}
                job_store = store if engine is None else _spark_store(store, engine)
                payload["jobs"] = run_jobs(job_store, names, progress=bar, options=options)
            except (CliError, ValueError, health.StepFailed):
                raise
            except Exception as exc:
                # run_jobs recorded the failure; the job's earlier results are intact.
                raise CliError(
                    f"a batch job failed ({health.short_message(exc)}); its earlier results "
                    "are kept and the failure is recorded: see `labelradar doctor`"
                ) from exc
            finally:
                bar.close()

    def text() -> str:
        lines = ["aggregates rebuilt from trend facts"] if payload["aggregates"] else []
        for r in payload["jobs"]:
            lines.append(f"{r['job']}: done in {r['seconds']:.1f} s")
        return "\n".join(lines) or "nothing to do"

    emit(args, payload, text)
    return EXIT_OK


def _spark_store(store: Any, engine: Any) -> Any:
    from data.engine.spark_store import SparkStore

    return SparkStore(store, engine)


def cmd_init(args: argparse.Namespace) -> int:
    from data.state import STATE_URL_ENV, sqlite_file
    from data.store import open_store

    db = _store_file(Path(args.db))
    existed = db.exists()
    named = os.environ.get(STATE_URL_ENV)  # --state or the environment: said when made here
    state_file = sqlite_file(named) if named else None
    state_existed = state_file is None or state_file.exists()
    with open_store(db) as store:  # creates and migrates; an existing store is only migrated
        version = store.schema_version()
        state = store.state.display()  # opening it creates and migrates the state database
    new_state = "" if state_existed else f"; created the workflow-state database {state}"
    emit(
        args,
        {
            "db_path": str(db),
            "created": not existed,
            "schema_version": version,
            "state_created": not state_existed,
        },
        f"a store already exists at {db} (schema version {version}): "
        + (f"kept as it was{new_state}" if new_state else "nothing created")
        if existed
        else f"created an empty store at {db}{new_state}: load a catalog next "
        "(`labelradar catalog`)",
    )
    return EXIT_OK


def cmd_info(args: argparse.Namespace) -> int:
    from data import inventory

    with open_store_for(args, read_only=True) as store:
        held = inventory.contents(store)
        payload = {
            "db": str(args.db),
            "schema_version": store.schema_version(),
            "synthetic": store.is_demo,
            "labels": held.labels,
            "rows": held.rows,
            "data_from": held.data_from,
            "data_through": held.data_through,
        }
    emit(args, payload, lambda: "\n".join(f"{k}: {v}" for k, v in payload.items()))
    return EXIT_OK


def cmd_serve(args: argparse.Namespace) -> int:
    from data.store import missing_store_message

    db = Path(args.db)
    if not db.exists():
        raise CliError(missing_store_message(db))
    try:  # a bad address fails inside Streamlit's server with a traceback: say it here
        socket.getaddrinfo(args.address, args.port)
    except (socket.gaierror, UnicodeError) as exc:
        raise CliError(
            f"--address {args.address!r} is not a host name or IP address this machine can resolve"
        ) from exc
    main_py = Path(__file__).resolve().parents[1] / "main.py"  # app/main.py
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
