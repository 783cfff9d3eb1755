"""`labelradar similar` and `labelradar potential`: the persisted similar-artists model.

Operator access over all artists: the same scoped reads as the page, with the scope of
every label (`operator_scope`)."""

from __future__ import annotations

import argparse
import math

import pandas as pd

from app.cli.support import EXIT_OK, CliError, emit, open_store_for
from data.queries import Filters, operator_scope
from data.queries import catalog as catalog_queries
from data.queries import similar as queries
from data.results import runs as model_runs
from data.scope import Scope
from data.store import Store

# The top-level keys of each subcommand's --json answer.
JSON_KEYS: dict[str, tuple[str, ...]] = {
    "similar": ("artist_id", "name", "cluster", "neighbors"),
    "potential": ("artist_id", "name", "countries"),
}
# Arguments that make each subcommand answer on a store ({artist_id}: any modelled artist).
EXAMPLE_ARGS: dict[str, list[str]] = {
    "similar": ["--artist", "{artist_id}"],
    "potential": ["--artist", "{artist_id}"],
}


def register(sub: argparse._SubParsersAction, parents: list[argparse.ArgumentParser]) -> None:
    """Add this feature's subcommands; `parents` carry --db/--quiet and --json."""
    p = sub.add_parser(
        "similar", parents=parents, help="an artist's cluster and most similar artists"
    )
    p.add_argument("--artist", required=True, metavar="ARTIST_ID")
    p.add_argument("--top", type=int, default=10, metavar="N", help="neighbours to list")
    p.set_defaults(func=cmd_similar)

    p = sub.add_parser(
        "potential",
        parents=parents,
        help="expected vs actual streams per country, largest gap first",
    )
    p.add_argument("--artist", required=True, metavar="ARTIST_ID")
    p.set_defaults(func=cmd_potential)


def _modelled_artist(store: Store, scope: Scope, artist_id: str) -> pd.Series:
    """The artist's model row (artist_name, cluster, ...); one-line errors for no model run,
    an unknown artist and an artist the model has no embedding for."""
    if model_runs.latest(store, "similar") is None:
        raise CliError(
            "the similar-artists model has not been computed on this store: "
            "run `labelradar refresh` (or `labelradar refresh --only similar`) first"
        )
    me = queries.similar_artist_model(store, scope, artist_id)
    if not me.empty:
        return me.iloc[0]
    known = catalog_queries.artists(store, scope, Filters(artist_ids=(artist_id,)))
    if known.empty or pd.isna(known["artist_name"].iloc[0]):
        raise CliError(f"unknown artist {artist_id!r}: see the catalog for artist ids")
    raise CliError(
        f"artist {artist_id!r} ({known['artist_name'].iloc[0]}) has no listener-level "
        "streams, so the model has no embedding for it"
    )


def _num(value: object) -> float | None:
    """A figure for JSON: rounded to 4 places, None where the store holds NULL."""
    return None if value is None or math.isnan(float(value)) else round(float(value), 4)


def cmd_similar(args: argparse.Namespace) -> int:
    if args.top < 1:
        raise CliError("--top must be at least 1")
    with open_store_for(args, read_only=True) as store:
        scope = operator_scope(store)
        me = _modelled_artist(store, scope, args.artist)
        rows = queries.similar_neighbors(store, scope, args.artist, limit=args.top)
    name, cluster = str(me["artist_name"]), int(me["cluster"])
    neighbors = [
        {
            "artist_id": r.neighbor_id,
            "name": r.artist_name,
            "score": round(float(r.score), 4),
            "shared_share_a": round(float(r.shared_share_a), 4),
            "shared_share_b": round(float(r.shared_share_b), 4),
        }
        for r in rows.itertuples(index=False)
    ]
    payload = {
        "artist_id": args.artist,
        "name": name,
        "cluster": cluster,
        "neighbors": neighbors,
    }

    def text() -> str:
        lines = [f"{name} ({args.artist}), cluster {cluster}. Most similar artists:"]
        for i, n in enumerate(neighbors, 1):
            lines.append(
                f"{i:>3}. {n['name']} ({n['artist_id']})  similarity {n['score']:.2f}  "
                f"{n['shared_share_a'] * 100:.1f} % of {name}'s listeners stream them, "
                f"{n['shared_share_b'] * 100:.1f} % of theirs stream {name}"
            )
        return "\n".join(lines)

    emit(args, payload, text)
    return EXIT_OK


def cmd_potential(args: argparse.Namespace) -> int:
    with open_store_for(args, read_only=True) as store:
        scope = operator_scope(store)
        name = str(_modelled_artist(store, scope, args.artist)["artist_name"])
        # largest gap first (ties by country): the job's ranks
        rows = queries.similar_potential(store, scope, args.artist)
    if rows.empty:
        raise CliError(
            f"no potential streams for {args.artist!r}: it has no similar artists with streams"
        )
    figures = ("actual", "expected", "low", "high", "gap", "ratio")
    countries = [
        {"country": r["country"], **{f: _num(r[f]) for f in figures}}
        for r in rows.to_dict("records")
    ]
    payload = {"artist_id": args.artist, "name": name, "countries": countries}

    def text() -> str:
        lines = [
            f"Potential streams for {name} ({args.artist}), largest gap first "
            "(expected from similar artists' country shares x the artist's total):",
            f"{'country':<8}{'actual':>12}{'expected':>12}{'90% interval':>26}{'gap':>12}"
            f"{'ratio':>8}",
        ]
        for c in countries:
            interval = "–" if c["low"] is None else f"{c['low']:,.0f} – {c['high']:,.0f}"
            ratio = "–" if c["ratio"] is None else f"{c['ratio']:.2f}"
            lines.append(
                f"{c['country']:<8}{c['actual']:>12,.0f}{c['expected']:>12,.0f}"
                f"{interval:>26}{c['gap']:>12,.0f}{ratio:>8}"
            )
        return "\n".join(lines)

    emit(args, payload, text)
    return EXIT_OK
