"""`labelradar sso`: which identity provider groups give which role and labels."""

from __future__ import annotations

import argparse
import os

from app.cli.labels import NEW_LABEL_HELP, catalog_labels
from app.cli.support import EXIT_OK, emit, open_store_for
from data.vocab import ROLES


def register(sub: argparse._SubParsersAction, parents: list[argparse.ArgumentParser]) -> None:
    """Add `sso map|list|unmap`; `parents` carry --db/--quiet and --json."""
    p = sub.add_parser("sso", help="map single sign-on groups to a role and labels")
    actions = p.add_subparsers(dest="sso_action", required=True, metavar="ACTION")
    actor = {"default": os.environ.get("USER", "cli"), "help": "name recorded in the audit log"}

    m = actions.add_parser("map", parents=parents, help="map a group (replaces its mapping)")
    m.add_argument("group", metavar="GROUP", help="the group exactly as the provider names it")
    m.add_argument("--role", required=True, choices=ROLES)
    m.add_argument("--labels", required=True, help="comma-separated labels the group may read")
    m.add_argument("--new-label", action="store_true", help=NEW_LABEL_HELP)
    m.add_argument("--actor", **actor)
    m.set_defaults(func=cmd_map)

    ls = actions.add_parser("list", parents=parents, help="every mapped group")
    ls.set_defaults(func=cmd_list)

    u = actions.add_parser("unmap", parents=parents, help="remove a group's mapping")
    u.add_argument("group", metavar="GROUP")
    u.add_argument("--actor", **actor)
    u.set_defaults(func=cmd_unmap)


def _text(mapping: dict[str, object]) -> str:
    return f"{mapping['group']}: {mapping['role']} of {', '.join(mapping['labels'])}"


def cmd_map(args: argparse.Namespace) -> int:
    from data import sso

    labels = [part.strip() for part in args.labels.split(",") if part.strip()]
    with open_store_for(args, read_only=True) as store:  # writes state only
        labels = catalog_labels(store, labels, new_label=args.new_label)
        mapping = sso.map_group(store, args.group, args.role, labels, actor=args.actor)
    emit(args, mapping.as_dict(), lambda: _text(mapping.as_dict()))
    return EXIT_OK


def cmd_list(args: argparse.Namespace) -> int:
    from data import sso

    with open_store_for(args, read_only=True) as store:  # writes state only
        mappings = [m.as_dict() for m in sso.list_mappings(store)]
    emit(
        args,
        {"groups": mappings},
        lambda: "\n".join(_text(m) for m in mappings) or "no groups mapped",
    )
    return EXIT_OK


def cmd_unmap(args: argparse.Namespace) -> int:
    from data import sso

    with open_store_for(args, read_only=True) as store:  # writes state only
        removed = sso.unmap_group(store, args.group, actor=args.actor)
    emit(
        args,
        removed.as_dict() | {"unmapped": True},
        f"{removed.group}: unmapped (was {removed.role} of {', '.join(removed.labels)})",
    )
    return EXIT_OK
