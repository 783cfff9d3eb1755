"""`labelradar doctor`: what derived steps are pending or failed, and their repair.

Without options it only reads and exits 1 when something needs repair; `--repair` refreshes
the pending aggregate partitions and reruns the failed batch jobs; `--drop-load ID` first
removes a trend report load whose values break the refresh (see docs/spec-bounds.md)."""

from __future__ import annotations

import argparse
from dataclasses import asdict
from typing import Any

from app.cli.support import EXIT_ERROR, EXIT_OK, emit, open_store_for


def _state(store: Any) -> dict[str, Any]:
    from data import health

    pending = health.backlog(store)
    failed = health.failures(store)
    return {
        "healthy": not pending and not failed,
        "backlog": [asdict(p) for p in pending],
        "failures": [asdict(f) for f in failed],
    }


def _repair(store: Any, args: argparse.Namespace) -> list[str]:
    """Retry what is pending; returns one line per action (failures included)."""
    from app.jobs import load_jobs, run_jobs
    from data import health

    done = []
    try:
        health.refresh_backlog(store)
        done.append("aggregates: pending partitions refreshed")
    except health.StepFailed as exc:
        done.append(f"aggregates: {exc}")
    jobs = load_jobs()
    for name in sorted({f.step for f in health.failures(store)} & set(jobs)):
        try:
            run_jobs(store, [name])
            done.append(f"{name}: rerun")
        except Exception as exc:  # recorded by run_jobs; report and go on with the others
            done.append(f"{name}: failed again ({health.short_message(exc)})")
    return done


def _text(payload: dict[str, Any]) -> str:
    lines = (
        [
            f"dropped load {payload['dropped']['load_id']} ({payload['dropped']['file']}, "
            f"{payload['dropped']['rows_removed']:,} rows)"
        ]
        if payload.get("dropped")
        else []
    )
    lines += payload.get("repairs", [])
    for p in payload["backlog"]:
        lines.append(
            f"pending aggregate refresh: load {p['load_id']}, {p['dsp']}, "
            f"{p['date_min']}..{p['date_max']}"
        )
    for f in payload["failures"]:
        lines.append(f"failed step {f['step']} at {f['failed_at']:%Y-%m-%d %H:%M}: {f['message']}")
    if payload["healthy"]:
        lines.append("the store is healthy: no pending refresh, no failed step")
    elif not payload.get("repairs"):
        lines.append("repair with `labelradar doctor --repair`")
    else:
        lines.append(
            "still not healthy: if a load's values break the refresh, drop it with "
            "`labelradar doctor --drop-load ID` (the pending refreshes above name their loads)"
        )
    return "\n".join(lines)


def cmd_doctor(args: argparse.Namespace) -> int:
    from data import health

    payload: dict[str, Any] = {}
    with open_store_for(args) as store:
        if args.drop_load is not None:
            payload["dropped"] = health.drop_load(store, args.drop_load, actor=args.actor)
        if args.repair or args.drop_load is not None:
            payload["repairs"] = _repair(store, args)
        payload |= _state(store)
    emit(args, payload, lambda: _text(payload))
    return EXIT_OK if payload["healthy"] else EXIT_ERROR
