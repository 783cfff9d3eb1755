"""`labelradar similar` and `labelradar potential`: the persisted similar-artists model.

Operator access over all artists: the same scoped reads as the page, with the scope of
every label (`operator_scope`). The model's unit is an artist on one label: for an artist
whose tracks sit on more than one label `--label` picks the unit, and the --json answer
then names it ("label"), as it names the label of any such artist among the neighbours."""

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
    _label_argument(p)
    p.add_argument("--top", type=int, default=10, metavar="N", help="neighbours to list")
    p.set_defaults(func=cmd_similar)

    p = sub.add_parser(
        "potential",
        parents=parents,
        help="expected vs actual streams per country, largest gap first",
    )
    p.add_argument("--artist", required=True, metavar="ARTIST_ID")
    _label_argument(p)
    p.set_defaults(func=cmd_potential)


def _label_argument(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--label",
        metavar="LABEL",
        help="the label whose tracks of the artist to use (needed for an artist whose "
        "tracks sit on more than one label)",
    )


def _modelled_artist(
    store: Store, scope: Scope, artist_id: str, label: str | None
) -> tuple[pd.Series, bool]:
    """The model row of the artist's unit (artist_name, label, cluster, ...) and whether the
    artist is modelled on more than one label; one-line errors for no model run, an unknown
    artist, an artist the model has no embedding for, an ambiguous artist without `label`
    and a label the artist is not modelled on."""
    if model_runs.latest(store, "similar") is None:
        raise CliError(
            "the similar-artists model has not been computed on this store: "
            "run `labelradar refresh` (or `labelradar refresh --only similar`) first"
        )
    units = queries.similar_artist_model(store, scope, artist_id)
    split = len(units) > 1
    if not units.empty:
        name, labels = units["artist_name"].iloc[0], ", ".join(units["label"])
        if label is None and split:
            raise CliError(
                f"artist {artist_id!r} ({name}) has tracks on {len(units)} labels "
                f"({labels}): choose one with --label"
            )
        me = units if label is None else units[units["label"] == label]
        if me.empty:
            raise CliError(
                f"artist {artist_id!r} ({name}) is not modelled on label {label!r}: "
                f"its label{'s are' if split else ' is'} {labels}"
            )
        return me.iloc[0], split
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


def _split_artists(store: Store, scope: Scope) -> set[str]:
    """Artist ids modelled on more than one label (whose id alone names no unit)."""
    ids = queries.similar_artist_options(store, scope)["artist_id"]
    return set(ids[ids.duplicated()])


def _head(artist_id: str, label: str, split: bool) -> dict[str, str]:
    """The leading keys of an artist entry: its id, and its label where the id is shared."""
    return {"artist_id": artist_id, "label": label} if split else {"artist_id": artist_id}


def _shown(entry: dict[str, object]) -> str:
    """An artist as the text output names it: "Name (ID)" or "Name · Label (ID)"."""
    label = f" · {entry['label']}" if "label" in entry else ""
    return f"{entry['name']}{label} ({entry['artist_id']})"


def cmd_similar(args: argparse.Namespace) -> int:
    if args.top < 1:
        raise CliError("--top must be at least 1")
    with open_store_for(args, read_only=True) as store:
        scope = operator_scope(store)
        me, split = _modelled_artist(store, scope, args.artist, args.label)
        label = str(me["label"])
        rows = queries.similar_neighbors(store, scope, args.artist, label, limit=args.top)
        shared_ids = _split_artists(store, scope)
    name, cluster = str(me["artist_name"]), int(me["cluster"])
    neighbors = [
        {
            **_head(r.neighbor_id, r.label, r.neighbor_id in shared_ids),
            "name": r.artist_name,
            "score": round(float(r.score), 4),
            "shared_share_a": round(float(r.shared_share_a), 4),
            "shared_share_b": round(float(r.shared_share_b), 4),
        }
        for r in rows.itertuples(index=False)
    ]
    head = _head(args.artist, label, split)
    payload = {**head, "name": name, "cluster": cluster, "neighbors": neighbors}

    def text() -> str:
        lines = [f"{_shown(payload)}, cluster {cluster}. Most similar artists:"]
        for i, n in enumerate(neighbors, 1):
            lines.append(
                f"{i:>3}. {_shown(n)}  similarity {n['score']:.2f}  "
                f"{n['shared_share_a'] * 100:.1f} % of {name}'s listeners stream them, "
                f"{n['shared_share_b'] * 100:.1f} % of theirs stream {name}"
            )
        return "\n".join(lines)

    emit(args, payload, text)
    return EXIT_OK


def cmd_potential(args: argparse.Namespace) -> int:
    with open_store_for(args, read_only=True) as store:
        scope = operator_scope(store)
        me, split = _modelled_artist(store, scope, args.artist, args.label)
        name, label = str(me["artist_name"]), str(me["label"])
        # largest gap first (ties by country): the job's ranks
        rows = queries.similar_potential(store, scope, args.artist, label)
    if rows.empty:
        raise CliError(
            f"no potential streams for {args.artist!r}: it has no similar artists with streams"
        )
    figures = ("actual", "expected", "low", "high", "gap", "ratio")
    countries = [
        {"country": r["country"], **{f: _num(r[f]) for f in figures}}
        for r in rows.to_dict("records")
    ]
    payload = {**_head(args.artist, label, split), "name": name, "countries": countries}

    def text() -> str:
        lines = [
            f"Potential streams for {_shown(payload)}, largest gap first "
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
