"""`labelradar similar` and `labelradar potential`: the persisted similar-artists model.

Operator access over all artists (unscoped, like `info`)."""

from __future__ import annotations

import argparse

from app.cli.support import EXIT_OK, CliError, emit, open_store_for


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


def _check(cur, artist_id: str) -> str:
    """The artist's name; one-line errors for no model run / unknown / unmodelled artist."""
    if cur.execute("SELECT count(*) FROM model_runs WHERE job = 'similar'").fetchone()[0] == 0:
        raise CliError(
            "the similar-artists model has not been computed on this store: "
            "run `labelradar refresh` (or `labelradar refresh --only similar`) first"
        )
    row = cur.execute(
        "SELECT any_value(artist_name) FROM catalog WHERE artist_id = ?", [artist_id]
    ).fetchone()
    if row is None or row[0] is None:
        raise CliError(f"unknown artist {artist_id!r}: see the catalog for artist ids")
    modelled = cur.execute(
        "SELECT count(*) FROM similar_artists WHERE artist_id = ?", [artist_id]
    ).fetchone()[0]
    if not modelled:
        raise CliError(
            f"artist {artist_id!r} ({row[0]}) has no listener-level streams, so the model "
            "has no embedding for it"
        )
    return row[0]


def cmd_similar(args: argparse.Namespace) -> int:
    if args.top < 1:
        raise CliError("--top must be at least 1")
    with open_store_for(args, read_only=True) as store:
        cur = store.cursor()
        name = _check(cur, args.artist)
        cluster = cur.execute(
            "SELECT cluster FROM similar_artists WHERE artist_id = ?", [args.artist]
        ).fetchone()[0]
        rows = cur.execute(
            "SELECT n.neighbor_id, c.name, n.score, n.shared_share_a, n.shared_share_b "
            "FROM similar_neighbors n JOIN (SELECT artist_id, any_value(artist_name) AS name "
            "FROM catalog GROUP BY artist_id) c ON c.artist_id = n.neighbor_id "
            "WHERE n.artist_id = ? ORDER BY n.rank LIMIT ?",
            [args.artist, args.top],
        ).fetchall()
    neighbors = [
        {
            "artist_id": r[0],
            "name": r[1],
            "score": round(float(r[2]), 4),
            "shared_share_a": round(float(r[3]), 4),
            "shared_share_b": round(float(r[4]), 4),
        }
        for r in rows
    ]
    payload = {
        "artist_id": args.artist,
        "name": name,
        "cluster": int(cluster),
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
        cur = store.cursor()
        name = _check(cur, args.artist)
        rows = cur.execute(
            "SELECT country, actual, expected, low, high, gap, ratio FROM similar_potential "
            "WHERE artist_id = ? ORDER BY gap DESC, country",
            [args.artist],
        ).fetchall()
    if not rows:
        raise CliError(
            f"no potential streams for {args.artist!r}: it has no similar artists with streams"
        )

    def num(v):
        return None if v is None else round(float(v), 4)

    countries = [
        {
            "country": r[0],
            "actual": num(r[1]),
            "expected": num(r[2]),
            "low": num(r[3]),
            "high": num(r[4]),
            "gap": num(r[5]),
            "ratio": num(r[6]),
        }
        for r in rows
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
