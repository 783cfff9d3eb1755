"""Shared pieces of the command line: errors, output, progress and the store.

Subcommands live in their own modules (app/cli/*.py, `app/<feature>/cli.py`), each exposing
`register(sub, parents)`; they import these helpers so that every subcommand behaves the
same way (--db, --json, a tqdm bar on a TTY, one-line errors)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from typing import Any

EXIT_OK, EXIT_ERROR, EXIT_USAGE = 0, 1, 2


class CliError(Exception):
    """A failure with a message meant for the user (printed as one line, exit 1)."""


def emit(args: argparse.Namespace, payload: Any, text: str | Callable[[], str]) -> None:
    """Print `payload` as JSON under --json, else the human-readable `text`."""
    if getattr(args, "json", False):
        print(json.dumps(payload, indent=2, default=str, ensure_ascii=False))
    else:
        print(text() if callable(text) else text)


class Progress:
    """A tqdm bar on stderr fed by (stage, fraction) callbacks; silent when not a TTY."""

    def __init__(self, enabled: bool):
        self.bar = None
        if enabled:
            from tqdm import tqdm

            self.bar = tqdm(
                total=1000,
                file=sys.stderr,
                leave=False,
                bar_format="{desc} {percentage:3.0f}%|{bar}| {elapsed}",
            )

    def __call__(self, stage: str, fraction: float) -> None:
        if self.bar is not None:
            self.bar.set_description_str(stage[:60])
            self.bar.n = int(1000 * max(0.0, min(1.0, fraction)))
            self.bar.refresh()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def progress_for(args: argparse.Namespace) -> Progress:
    """A progress bar unless --json, --quiet or stderr is not a terminal."""
    return Progress(
        not getattr(args, "json", False)
        and not getattr(args, "quiet", False)
        and sys.stderr.isatty()
    )


def open_store_for(args: argparse.Namespace, *, read_only: bool = False):
    """The store named by --db. It must exist: only `init` and `demo` create a store, so a
    mistyped --db is an error, not a new store.

    Read-only: the published analytics version (workflow state stays writable through
    `store.state`). Read-write: a private copy, migrated, that closing the store publishes
    atomically (data/publish.py), so the app keeps serving while a command writes."""
    from data.publish import PublishingStore
    from data.store import open_store

    if read_only:
        store = open_store(args.db, read_only=True, create=False)
    else:
        store = PublishingStore(args.db)
    if store.backlog_problem:
        print(f"labelradar: warning: {store.backlog_problem}", file=sys.stderr)
    return store
