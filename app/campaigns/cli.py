"""`labelradar lift`: the persisted counterfactual lift of every campaign, or of one.

Operator access over all labels: the same scoped reads as the page, with the scope of every
label (`operator_scope`)."""

from __future__ import annotations

import argparse
import math
from typing import Any

from app.cli.support import EXIT_OK, CliError, emit, open_store_for
from data.queries import campaigns as queries
from data.queries import operator_scope
from data.results import runs as model_runs

# The top-level keys of the subcommand's --json answer.
JSON_KEYS: dict[str, tuple[str, ...]] = {"lift": ("campaigns",)}
# Arguments that make the subcommand answer on a store.
EXAMPLE_ARGS: dict[str, list[str]] = {"lift": []}

FIELDS = ("campaign_id", "isrc", "country", "spend_usd", "incremental_streams", "low", "high")
FIELDS += ("p_effect", "cpa_usd")


def register(sub: argparse._SubParsersAction, parents: list[argparse.ArgumentParser]) -> None:
    """Add this feature's subcommand; `parents` carry --db/--quiet and --json."""
    p = sub.add_parser(
        "lift",
        parents=parents,
        help="streams each past campaign added (90 %% interval, P(effect > 0), CPA)",
    )
    p.add_argument("--campaign", metavar="ID", help="one campaign only")
    p.set_defaults(func=cmd_lift)


def _value(v: Any) -> Any:
    if isinstance(v, float):
        return None if math.isnan(v) else round(v, 4)
    return v


def cmd_lift(args: argparse.Namespace) -> int:
    with open_store_for(args, read_only=True) as store:
        if model_runs.latest(store, "campaigns") is None:
            raise CliError(
                "campaign lift has not been computed on this store: "
                "run `labelradar refresh` (or `labelradar refresh --only campaigns`) first"
            )
        scope = operator_scope(store)
        if args.campaign is not None:
            rows = queries.campaign_lift_one(store, scope, args.campaign)
            if rows.empty:
                raise CliError(f"unknown campaign {args.campaign!r}: see `labelradar lift`")
        else:
            rows = queries.campaign_lifts(store, scope)
    out = [
        {k: _value(v.item() if hasattr(v, "item") else v) for k, v in zip(FIELDS, r, strict=True)}
        for r in rows[list(FIELDS)].itertuples(index=False)
    ]
    payload = {"campaigns": out}

    def text() -> str:
        lines = [
            f"{'campaign':<10}{'isrc':<14}{'ctry':<6}{'spend $':>10}{'lift':>10}"
            f"{'90 % interval':>22}{'P(>0)':>7}{'CPA $':>8}"
        ]
        for r in out:
            if r["incremental_streams"] is None:
                lines.append(
                    f"{r['campaign_id']:<10}{r['isrc']:<14}{r['country']:<6}"
                    f"{r['spend_usd']:>10,.0f}   not estimable (too little data)"
                )
                continue
            cpa = "–" if r["cpa_usd"] is None else f"{r['cpa_usd']:.3f}"
            lines.append(
                f"{r['campaign_id']:<10}{r['isrc']:<14}{r['country']:<6}"
                f"{r['spend_usd']:>10,.0f}{r['incremental_streams']:>10,.0f}"
                f"{r['low']:>11,.0f} – {r['high']:>8,.0f}{r['p_effect']:>7.2f}{cpa:>8}"
            )
        if not out:
            lines.append("(no campaigns on this store)")
        return "\n".join(lines)

    emit(args, payload, text)
    return EXIT_OK
