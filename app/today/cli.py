"""`labelradar opportunities`: the ranked opportunities of the Today page, from the persisted
ranking. Operator access by default (every label); `--as USER` answers with that user's
labels (an administrator sees every label, as on the page)."""

from __future__ import annotations

import argparse
from typing import Any

from app.cli.support import EXIT_OK, CliError, emit, open_store_for
from data import users
from data.queries import operator_scope
from data.queries import today as queries
from data.results import runs as model_runs
from data.scope import Scope
from data.store import Store

# The top-level keys of each subcommand's --json answer.
JSON_KEYS: dict[str, tuple[str, ...]] = {"opportunities": ("opportunities",)}
# Arguments for a sample call of each subcommand (the registry's contract tests run them).
EXAMPLE_ARGS: dict[str, list[str]] = {"opportunities": ["--top", "5"]}
ROW_KEYS = (
    "subject", "id", "action", "territory", "expected_streams", "low", "high", "cost_usd",
    "reason",
)  # fmt: skip


def register(sub: argparse._SubParsersAction, parents: list[argparse.ArgumentParser]) -> None:
    """Add `opportunities`; `parents` carry --db/--quiet and --json."""
    p = sub.add_parser(
        "opportunities",
        parents=parents,
        help="the ranked opportunities across the catalogue (best return per dollar first)",
    )
    p.add_argument("--top", type=int, default=10, metavar="N", help="rows to list (default 10)")
    p.add_argument("--as", dest="as_user", metavar="USER", help="only the labels this user may see")
    p.set_defaults(func=cmd_opportunities)


def _scope(store: Store, username: str | None) -> Scope:
    if username is None:
        return operator_scope(store)
    user = users.get_user(store, username)
    if user is None or user.disabled:
        raise CliError(f"no active user {username!r}: see `labelradar users list`")
    return operator_scope(store) if user.role == "admin" else user.scope()


def _row(r: dict[str, Any]) -> dict[str, Any]:
    out = {k: r[k] for k in ROW_KEYS}
    for k in ("expected_streams", "low", "high", "cost_usd"):
        out[k] = round(float(out[k]), 1)
    return out


def cmd_opportunities(args: argparse.Namespace) -> int:
    if args.top < 1:
        raise CliError("--top must be at least 1")
    with open_store_for(args, read_only=True) as store:
        if model_runs.latest(store, "today") is None:
            raise CliError(
                "the opportunities have not been ranked on this store: "
                "run `labelradar refresh` (or `labelradar refresh --only today`) first"
            )
        rows = queries.opportunities(store, _scope(store, args.as_user), top=args.top)
    found = [_row(r) for r in rows.to_dict("records")]

    def text() -> str:
        if not found:
            return "no opportunities for these labels in the last ranking"
        lines = [f"{len(found)} opportunit{'y' if len(found) == 1 else 'ies'}, best first:"]
        lines += [
            f"{i}. {o['action']:<9} {o['territory'] or '':<3} {o['id']:<13} "
            f"{o['expected_streams']:>10,.0f} streams for ${o['cost_usd']:,.0f}: {o['reason']}"
            for i, o in enumerate(found, 1)
        ]
        return "\n".join(lines)

    emit(args, {"opportunities": found}, text)
    return EXIT_OK
