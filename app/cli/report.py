"""`labelradar report --artist ID | --track ISRC --out FILE [--as USER]`: the stakeholder
report (one self-contained HTML page) on an artist or a track.

Without --as the operator's scope (every label); with --as the report holds only what that
user may see, and a subject outside their labels is an error, not an empty report."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from app.cli.support import EXIT_OK, CliError, emit, open_store_for


def register(sub: argparse._SubParsersAction, parents: list[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "report",
        parents=parents,
        help="write a self-contained HTML report on an artist or a track (for stakeholders)",
    )
    who = p.add_mutually_exclusive_group(required=True)
    who.add_argument("--artist", metavar="ARTIST_ID")
    who.add_argument("--track", metavar="ISRC")
    p.add_argument("--out", required=True, metavar="FILE", help="the HTML file to write")
    p.add_argument("--as", dest="as_user", metavar="USER", help="only what USER may see")
    p.set_defaults(func=cmd_report)


def cmd_report(args: argparse.Namespace) -> int:
    import streamlit  # noqa: F401  (registers its loggers, so the level below holds)

    # The report draws with the app's chart helpers, some behind st.cache_data: outside a
    # served app Streamlit warns, once per cache, that it keeps them in memory. Intended here.
    logging.getLogger("streamlit.runtime.caching.cache_data_api").setLevel(logging.ERROR)
    from app import report
    from data import users
    from data.queries import operator_scope

    out = Path(args.out)
    if not out.parent.exists():
        raise CliError(f"no such directory: {out.parent}")
    with open_store_for(args, read_only=True) as store:
        if args.as_user is None:
            scope = operator_scope(store)
        else:
            user = users.get_user(store, args.as_user)
            if user is None or user.disabled:
                raise CliError(f"no active user {args.as_user!r}")
            scope = user.scope()
        try:
            built = report.build(store, scope, artist_id=args.artist, isrc=args.track)
        except report.ReportError as exc:
            raise CliError(str(exc)) from None
        page = report.to_html(built)
    out.write_text(page, encoding="utf-8")
    emit(
        args,
        {
            "out": str(out),
            "subject": built.subject,
            "kind": built.kind,
            "charts": report.figure_titles(built),
            "bytes": len(page.encode("utf-8")),
        },
        f"Wrote the {built.kind} report on {built.subject} to {out}",
    )
    return EXIT_OK
