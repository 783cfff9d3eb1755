"""`labelradar` subcommands of the budget feature.

- `budget --isrc ISRC --goal expand|accelerate|sustain [--json]` (alias `audience`): ranked
  territories for a track from the persisted audience model, read through the scoped
  queries with the operator's scope (every label).
- `response --isrc ISRC [--json]`: the measured response curve of each territory, in streams
  for this track (ceiling, half-saturation, plateau, cap, campaigns behind it).
- `optimise --isrc ISRC --budget USD [--goal G] [--json]`: the split of the budget over the
  goal's ranked territories that maximises expected incremental streams, with 80 % intervals.
- `approvers list | grant USER | revoke USER`: budget approval rights (admins always have
  them; grants are for managers). Changes are audited with the actor `cli`.
"""

from __future__ import annotations

import argparse
import math
from typing import TYPE_CHECKING

from app.cli.support import CliError, emit, open_store_for

if TYPE_CHECKING:
    from analytics.budget import ScoreResult
    from data.results.runs import ModelRun

GOALS = ("expand", "accelerate", "sustain")
NO_RUN = "no audience model yet: run `labelradar refresh`"
# The top-level keys of each subcommand's --json answer (`approvers list`; grant and revoke
# answer {"user", "action"}).
JSON_KEYS: dict[str, tuple[str, ...]] = {
    "budget": ("isrc", "goal", "model", "computed_at", "data_through", "territories"),
    "approvers": ("approvers",),
    "response": ("territories",),
    "optimise": ("allocation", "expected_total"),
}
# Arguments for a sample call of each subcommand (the registry's contract tests run them).
EXAMPLE_ARGS: dict[str, list[str]] = {
    "budget": ["--isrc", "{isrc}", "--goal", "expand"],
    "approvers": ["list"],
    "response": ["--isrc", "{isrc}"],
    "optimise": ["--isrc", "{isrc}", "--budget", "5000"],
}


def register(sub: argparse._SubParsersAction, parents: list[argparse.ArgumentParser]) -> None:
    """Add this feature's subcommands; `parents` carry --db/--quiet and --json."""
    p = sub.add_parser(
        "budget",
        aliases=["audience"],  # its name before the feature had one name everywhere
        parents=parents,
        help="ranked territories and budget caps for a track",
    )
    p.add_argument("--isrc", required=True, help="the track's ISRC")
    p.add_argument("--goal", default="expand", help="expand | accelerate | sustain")
    p.set_defaults(func=cmd_budget)

    p = sub.add_parser(
        "response", parents=parents, help="response curves per territory for a track"
    )
    p.add_argument("--isrc", required=True, help="the track's ISRC")
    p.set_defaults(func=cmd_response)

    p = sub.add_parser(
        "optimise", parents=parents, help="the best split of a budget over territories"
    )
    p.add_argument("--isrc", required=True, help="the track's ISRC")
    p.add_argument("--budget", required=True, type=float, help="total budget, USD")
    p.add_argument("--goal", default="expand", help="expand | accelerate | sustain")
    p.set_defaults(func=cmd_optimise)

    p = sub.add_parser("approvers", parents=parents, help="budget approval rights")
    p.add_argument("action", choices=("list", "grant", "revoke"))
    p.add_argument("user", nargs="?", help="the manager to grant or revoke")
    p.set_defaults(func=cmd_approvers)


def _scored(args: argparse.Namespace, goal: str) -> tuple[ModelRun, str, ScoreResult]:
    """The track's ranked territories for `goal` with the operator's scope, or a CliError."""
    from app.budget import territories
    from data.queries import budget as budget_queries
    from data.queries import operator_scope
    from data.results import runs as model_runs

    if goal not in GOALS:
        raise CliError(f"unknown goal {goal!r}: use one of {', '.join(GOALS)}")
    with open_store_for(args, read_only=True) as store:
        try:
            run = model_runs.latest(store, "budget")
        except Exception as exc:  # the table is missing on an old store
            raise CliError(NO_RUN) from exc
        if run is None:
            raise CliError(NO_RUN)
        scope = operator_scope(store)
        track = budget_queries.budget_track(store, scope, args.isrc)
        if track.empty:
            raise CliError(f"unknown ISRC {args.isrc!r}: it is not in the catalog")
        artist = track["artist_name"].iloc[0]
        frames = budget_queries.budget_inputs(store, scope, args.isrc)
        if not frames:
            raise CliError(
                f"no audience model covers {args.isrc} (no streams in the model window); "
                "run `labelradar refresh` after loading its trend reports"
            )
        return run, artist, territories.rank(frames, goal, run.params)


def cmd_budget(args: argparse.Namespace) -> int:
    run, artist, result = _scored(args, args.goal)
    payload = {
        "isrc": args.isrc,
        "goal": args.goal,
        "model": "fold-in" if result.folded_in else "look-up",
        "computed_at": run.computed_at,
        "data_through": run.data_through,
        "territories": [t.as_json() for t in result.territories],
    }

    def text() -> str:
        lines = [
            f"Territories for {args.isrc} ({artist}), goal {args.goal} "
            f"(model {payload['model']}, computed {run.computed_at:%Y-%m-%d %H:%M} UTC, "
            f"data through {run.data_through}):"
        ]
        for i, t in enumerate(result.territories, 1):
            mark = "*" if t.selected else " "
            lines.append(
                f"{i:>2}{mark} {t.country}  score {t.score:6.2f}  cap ${t.cap_usd:>9,.0f}  "
                f"{t.expected_streams_per_usd:6.2f} streams/USD"
            )
            lines.append(f"      groups: {', '.join(t.groups[:4])}")
            if t.interests:
                lines.append(f"      interests: {', '.join(t.interests[:5])}")
        lines.append("* selected by the territory rule (top group's score >= the best S(T))")
        return "\n".join(lines)

    emit(args, payload, text)
    return 0


def cmd_response(args: argparse.Namespace) -> int:
    from app.budget import response

    _, artist, result = _scored(args, "expand")
    rows = response.territories(result)
    if not rows:
        raise CliError(f"{response.NO_CURVES} (no response curve covers {args.isrc})")

    def text() -> str:
        lines = [f"Response curves for {args.isrc} ({artist}), streams over a campaign window:"]
        lines += [
            f"  {r['country']}  ceiling {r['ceiling_streams']:>9,.0f}  K ${r['half_saturation_usd']:>8,.0f}"
            f"  plateau ${r['plateau_usd']:>8,.0f}  {r['n_campaigns']:>3} campaigns"
            for r in rows
        ]
        return "\n".join(lines)

    emit(args, {"territories": rows}, text)
    return 0


def cmd_optimise(args: argparse.Namespace) -> int:
    from app.budget import response

    if not (args.budget > 0 and math.isfinite(args.budget)):
        raise CliError("--budget must be a positive, finite number of US dollars")
    _, artist, result = _scored(args, args.goal)
    if not result.curves:
        raise CliError(response.NO_CURVES)
    plan = response.optimise(result, args.budget)
    if not plan:
        raise CliError(f"no ranked territory of {args.isrc} has a response curve")
    payload = response.allocation_json(result, plan)
    unspent = args.budget - sum(plan.values())

    def text() -> str:
        t = payload["expected_total"]
        lines = [
            f"Best split of ${args.budget:,.0f} for {args.isrc} ({artist}), goal {args.goal}: "
            f"{t['p50']:,.0f} incremental streams (80 %: {t['low']:,.0f}-{t['high']:,.0f})"
        ]
        if unspent > 0.005 * args.budget:  # the territories' caps absorb less
            lines.append(
                f"  ${unspent:,.0f} left unspent: past the territories' caps more spend "
                "stops paying"
            )
        lines += [
            f"  {r['country']}  ${r['spend_usd']:>9,.0f}  {r['expected_streams']:>9,.0f} streams"
            f"  ({r['low']:,.0f}-{r['high']:,.0f})"
            for r in payload["allocation"]
        ]
        return "\n".join(lines)

    emit(args, payload, text)
    return 0


def cmd_approvers(args: argparse.Namespace) -> int:
    from data.scope import Scope
    from data.workflow import budget as bp

    cli = Scope(username="cli", role="admin", labels=frozenset())
    with open_store_for(args, read_only=True) as store:  # writes state only
        if args.action == "list":
            df = bp.list_approvers(store)
            rows = df.to_dict(orient="records")
            emit(
                args,
                {"approvers": rows},
                lambda: (
                    "\n".join(
                        f"{r['username']:<20} {r['role']:<8} granted by {r['granted_by']}"
                        for r in rows
                    )
                    or "no approvers"
                ),
            )
            return 0
        if not args.user:
            raise CliError(f"`approvers {args.action}` needs a USER")
        try:
            (bp.grant if args.action == "grant" else bp.revoke)(store, cli, args.user)
        except bp.ProposalError as exc:
            raise CliError(str(exc)) from exc
        verb = "granted to" if args.action == "grant" else "revoked from"
        emit(
            args,
            {"user": args.user, "action": args.action},
            f"budget approval rights {verb} {args.user}",
        )
    return 0
