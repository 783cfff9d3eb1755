"""`labelradar status`: what an operator checks on a running deployment: the published
analytics version and its data-through date, the state database, and who is signed in."""

from __future__ import annotations

import argparse
from typing import Any

from app.cli.support import EXIT_OK, emit, open_store_for


def register(sub: argparse._SubParsersAction, parents: list[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "status",
        parents=parents,
        help="published analytics version, data-through date, state database, who is signed in",
    )
    p.set_defaults(func=cmd_status)


def cmd_status(args: argparse.Namespace) -> int:
    from data import publish
    from data.state import migrate, sessions

    with open_store_for(args, read_only=True) as store:
        last = store.cursor().execute("SELECT max(date) FROM trend_facts").fetchone()[0]
        state = store.state
        active = sessions.active(state)
        payload: dict[str, Any] = {
            "db": str(args.db),
            "published_version": publish.published_version(store),
            "published_at": store.get_meta(publish.PUBLISHED_AT_KEY),
            "data_through": None if last is None else str(last),
            "state_db": state.display(),
            "state_dialect": state.dialect,
            "state_schema_version": migrate.version(state),
            "signed_in": [
                {
                    "username": r.username,
                    "instance": r.instance,
                    "signed_in_at": str(r.signed_in_at)[:19],
                    "last_seen": str(r.last_seen)[:19],
                }
                for r in active.itertuples()
            ],
        }

    def text() -> str:
        lines = [
            f"analytics: {payload['db']} version {payload['published_version']} "
            f"(published {payload['published_at'] or 'never'}), data through "
            f"{payload['data_through'] or '(no trend data)'}",
            f"state: {payload['state_db']} ({payload['state_dialect']}, schema "
            f"{payload['state_schema_version']})",
        ]
        people = payload["signed_in"]
        lines.append(f"signed in (seen in the last 30 min): {len(people) or 'nobody'}")
        lines += [
            f"  {p['username']:<20} on {p['instance']:<24} last seen {p['last_seen']} UTC"
            for p in people
        ]
        return "\n".join(lines)

    emit(args, payload, text)
    return EXIT_OK
