"""`labelradar health`: check every DSP feed per day, save and print the issues."""

from __future__ import annotations

import argparse
from typing import Any

from app.cli.support import EXIT_OK, emit, open_store_for, progress_for

# The top-level keys of each subcommand's --json answer.
JSON_KEYS: dict[str, tuple[str, ...]] = {"health": ("issues",)}
# Arguments for a sample call of each subcommand (the registry's contract tests run them).
EXAMPLE_ARGS: dict[str, list[str]] = {"health": []}
KINDS = ("missing_day", "partial_day", "duplicate", "late")


def register(sub: argparse._SubParsersAction, parents: list[argparse.ArgumentParser]) -> None:
    """Add this feature's subcommands; `parents` carry --db/--quiet and --json."""
    p = sub.add_parser(
        "health",
        parents=parents,
        help="check every DSP feed per day (missing, partial, duplicate, late deliveries), "
        "save and print the issues",
    )
    p.add_argument("--kind", choices=KINDS, help="print only issues of this kind")
    p.set_defaults(func=cmd_health)


def cmd_health(args: argparse.Namespace) -> int:
    from app.health import job
    from data.queries import health as queries
    from data.queries import operator_scope

    with open_store_for(args) as store:
        bar = progress_for(args)
        try:
            job.run(store, bar)
        finally:
            bar.close()
        rows = queries.health_issues(store, operator_scope(store), kind=args.kind)
        delivered = not queries.health_coverage(store, operator_scope(store)).empty
    issues: list[dict[str, Any]] = [
        {"dsp": r.dsp, "date": str(r.date)[:10], "kind": r.kind, "detail": r.detail}
        for r in rows.itertuples()
    ]

    def text() -> str:
        if not issues and not delivered:
            return "no deliveries yet: nothing to check (load trend reports with `ingest`)"
        if not issues:
            return "no data health issues: every feed delivered every day as usual"
        lines = [f"{len(issues):,} data health issue(s):"]
        lines += [f"{i['date']}  {i['dsp']:<12} {i['kind']:<12} {i['detail']}" for i in issues]
        return "\n".join(lines)

    emit(args, {"issues": issues}, text)
    return EXIT_OK
