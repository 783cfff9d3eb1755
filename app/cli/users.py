"""`labelradar users`: manage accounts (add, list, roles, labels, passwords, disable)."""

from __future__ import annotations

import argparse
import getpass
import os
import sys

from app.cli.labels import NEW_LABEL_HELP, catalog_labels
from app.cli.support import EXIT_OK, CliError, emit, open_store_for


def register(sub: argparse._SubParsersAction, parents: list[argparse.ArgumentParser]) -> None:
    """Add `users`; `parents` carry --db/--quiet and --json."""
    p = sub.add_parser("users", parents=parents, help="manage accounts")
    p.add_argument(
        "action", choices=("list", "add", "set-role", "set-labels", "passwd", "disable", "enable")
    )
    p.add_argument("username", nargs="?")
    p.add_argument("--role", choices=("admin", "manager", "viewer"))
    p.add_argument("--labels", help="comma-separated labels the user may read")
    p.add_argument(
        "--new-label",
        action="store_true",
        help=NEW_LABEL_HELP,
    )
    p.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    p.add_argument("--actor", default=os.environ.get("USER", "cli"))
    p.set_defaults(func=cmd_users)


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

    with open_store_for(args, read_only=True) as store:  # writes state only
        if args.action == "list":
            frame = users.list_users(store)
            emit(
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
                catalog_labels(store, _labels(args.labels), new_label=args.new_label),
                actor=args.actor,
            )
        elif args.action == "set-role":
            user = users.update_user(store, args.username, role=args.role, actor=args.actor)
        elif args.action == "set-labels":
            wanted = catalog_labels(store, _labels(args.labels), new_label=args.new_label)
            user = users.update_user(store, args.username, labels=wanted, actor=args.actor)
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
    emit(
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


def validate_args(args: argparse.Namespace) -> None:
    if args.action == "list":
        return
    if not args.username:
        raise CliError(f"users {args.action} needs a USERNAME")
    needs = {"add": ("role", "labels"), "set-role": ("role",), "set-labels": ("labels",)}
    for option in needs.get(args.action, ()):
        if getattr(args, option) is None:
            raise CliError(f"users {args.action} needs --{option}")
