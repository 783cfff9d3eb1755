"""`labelradar recommend`: a track's likely adopters, or a listener's next tracks, from the
persisted recommend model. Operator access: the page's scoped reads with every label."""

from __future__ import annotations

import argparse

from app.cli.support import EXIT_OK, CliError, emit, open_store_for
from data.queries import Filters, operator_scope
from data.queries import catalog as catalog_queries
from data.queries import recommend as queries
from data.results import runs as model_runs

# The top-level keys of each subcommand's --json answer (the --isrc form).
JSON_KEYS: dict[str, tuple[str, ...]] = {"recommend": ("isrc", "listeners", "segments")}
# Arguments that make each subcommand answer on a store ({isrc}: any catalogue track).
EXAMPLE_ARGS: dict[str, list[str]] = {"recommend": ["--isrc", "{isrc}", "--top", "5"]}


def register(sub: argparse._SubParsersAction, parents: list[argparse.ArgumentParser]) -> None:
    """Add `recommend`; `parents` carry --db/--quiet and --json."""
    p = sub.add_parser(
        "recommend",
        parents=parents,
        help="a track's likely adopters (--isrc) or a listener's next tracks (--listener)",
    )
    who = p.add_mutually_exclusive_group(required=True)
    who.add_argument("--isrc", metavar="ISRC", help="likely adopters of this track")
    who.add_argument("--listener", metavar="LISTENER_ID", help="next tracks for this listener")
    p.add_argument("--top", type=int, default=10, metavar="N", help="rows to list")
    p.set_defaults(func=cmd_recommend)


def cmd_recommend(args: argparse.Namespace) -> int:
    if args.top < 1:
        raise CliError("--top must be at least 1")
    with open_store_for(args, read_only=True) as store:
        if model_runs.latest(store, "recommend") is None:
            raise CliError(
                "the recommend model has not been computed on this store: "
                "run `labelradar refresh` (or `labelradar refresh --only recommend`) first"
            )
        scope = operator_scope(store)
        if args.isrc is not None:
            known = catalog_queries.tracks(store, scope, Filters())
            if args.isrc not in set(known["isrc"]):
                raise CliError(f"unknown track {args.isrc!r}: see the catalog for ISRCs")
            adopters = queries.recommend_adopters(store, scope, args.isrc, limit=args.top)
            segments = queries.recommend_segments(store, scope, args.isrc)
            return _track_answer(args, adopters, segments)
        tracks = queries.recommend_listener_tracks(store, scope, args.listener, limit=args.top)
        basis = "model"
        if tracks.empty:  # cold start: popularity within the listener's country x age band
            tracks = queries.recommend_cold_start_tracks(
                store, scope, args.listener, limit=args.top
            )
            if not tracks.empty:
                first = tracks.iloc[0]
                basis = f"popular in {first['country']} · {first['age_band']} (cold start)"
    if tracks.empty:
        raise CliError(f"unknown listener {args.listener!r}: no listener-level streams for it")
    payload = {
        "listener_id": args.listener,
        "basis": basis,
        "tracks": [
            {"isrc": r.isrc, "score": round(float(r.score), 4)}
            for r in tracks.itertuples(index=False)
        ],
    }

    def text() -> str:
        lines = [f"Next tracks for listener {args.listener} ({basis}):"]
        for r in tracks.itertuples(index=False):
            lines.append(f"{r.rank:>3}. {r.isrc}  {r.track_title}  score {r.score:.3f}")
        return "\n".join(lines)

    emit(args, payload, text)
    return EXIT_OK


def _track_answer(args: argparse.Namespace, adopters, segments) -> int:
    payload = {
        "isrc": args.isrc,
        "listeners": [
            {"listener_id": r.listener_id, "score": round(float(r.score), 4)}
            for r in adopters.itertuples(index=False)
        ],
        "segments": [
            {
                "country": r.country,
                "age_band": r.age_band,
                "gender": r.gender,
                "expected_adopters": round(float(r.expected_adopters), 4),
            }
            for r in segments.itertuples(index=False)
        ],
    }

    def text() -> str:
        lines = [f"Likely adopters of {args.isrc} (hashed listener ids, best first):"]
        lines += [
            f"{i:>3}. {x['listener_id']}  score {x['score']:.3f}"
            for i, x in enumerate(payload["listeners"], 1)
        ]
        lines.append("Segments, most expected adopters first:")
        lines += [
            f"  {s['country']} {s['age_band']} {s['gender']}: {s['expected_adopters']:.1f}"
            for s in payload["segments"]
        ]
        return "\n".join(lines)

    emit(args, payload, text)
    return EXIT_OK
