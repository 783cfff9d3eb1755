"""`labelradar fans`: an artist's fan-type mix, the fan profiles and their thresholds."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from app.cli.support import EXIT_OK, CliError, emit, open_store_for

if TYPE_CHECKING:
    from data.store import Store

# The top-level keys of each subcommand's --json answer.
JSON_KEYS: dict[str, tuple[str, ...]] = {
    "fans": ("profiles", "thresholds", "mix", "listeners", "computed_at", "data_through"),
}
# Arguments for a sample call of each subcommand (the registry's contract tests run them).
EXAMPLE_ARGS: dict[str, list[str]] = {"fans": ["--artist", "{artist_id}"]}


def register(sub: argparse._SubParsersAction, parents: list[argparse.ArgumentParser]) -> None:
    """Add this feature's subcommands; `parents` carry --db/--quiet and --json."""
    p = sub.add_parser(
        "fans",
        parents=parents,
        help="an artist's fan types (passive/casual/diehard mix with 90%% intervals)",
    )
    p.add_argument("--artist", required=True, metavar="ARTIST_ID", help="the artist's id")
    p.add_argument(
        "--label",
        metavar="LABEL",
        help="the label whose tracks of the artist to show (needed when the artist has "
        "tracks on more than one label)",
    )
    p.set_defaults(func=cmd_fans)


def payload_for(
    store: Store, artist_id: str, label: str | None = None
) -> tuple[str, dict[str, Any]]:
    """(artist name, the JSON answer for the artist's tracks on `label`); raises CliError for
    a user-caused problem, and when `label` is None and the artist has tracks on more than
    one label. Reads through the scoped queries with the operator's scope (every label)."""
    # Imported here: the parser is built for every subcommand, and --help should stay quick.
    from data.queries import Filters, operator_scope
    from data.queries import fans as queries
    from data.results import runs

    run = runs.latest(store, "fans")
    if run is None:
        raise CliError("no fan-type model on this store yet: run `labelradar refresh` first")
    scope = operator_scope(store)
    labels = (label,) if label is not None else ()
    artist = queries.fan_artists(store, scope, Filters(labels=labels, artist_ids=(artist_id,)))
    if artist.empty:
        on = f" on label {label!r}" if label is not None else ""
        raise CliError(f"unknown artist {artist_id!r}{on}: see the catalog for artist ids")
    if len(artist) > 1:
        raise CliError(
            f"artist {artist_id} has tracks on {len(artist)} labels "
            f"({', '.join(sorted(artist['label']))}): pass --label to choose one"
        )
    name = str(artist["artist_name"].iloc[0])
    mix = queries.fan_mix(store, scope, artist_id, str(artist["label"].iloc[0]))
    if mix.empty:
        raise CliError(
            f"artist {artist_id} ({name}) has no listener-level streams (no listener ids) "
            "in the modelled window, so it has no fan types"
        )
    model = queries.fan_model(store, scope)
    pmf = model["pmf"]
    return name, {
        "profiles": [
            {
                "name": p.name,
                "mean_streams": round(float(p.mean_streams), 2),
                "pmf": [
                    {"low": int(b.low), "high": int(b.high), "p": round(float(b.p), 6)}
                    for b in pmf[pmf.profile_idx == p.profile_idx].itertuples()
                ],
            }
            for p in model["profiles"].itertuples()
        ],
        "thresholds": [
            {
                "lower": t.lower_name,
                "upper": t.upper_name,
                "streams": None if t.streams != t.streams else round(float(t.streams), 1),
            }
            for t in model["thresholds"].itertuples()
        ],
        "mix": {
            m.profile: {
                "share": round(float(m.share), 4),
                "low": round(float(m.low), 4),
                "high": round(float(m.high), 4),
            }
            for m in mix.itertuples()
        },
        "listeners": int(mix.listeners.iloc[0]),
        "computed_at": run.computed_at,
        "data_through": run.data_through,
    }


def text_for(artist_id: str, name: str, p: dict[str, Any]) -> str:
    """The answer for a person: mix with intervals, profile means and thresholds."""
    lines = [f"{name} ({artist_id}): {p['listeners']:,} listeners with ids"]
    for name, m in p["mix"].items():
        lines.append(
            f"  {name:<10} {m['share'] * 100:5.1f} %  (90% interval "
            f"{m['low'] * 100:.1f}-{m['high'] * 100:.1f} %)"
        )
    lines.append("Profiles (mean streams per listener over the window):")
    for prof in p["profiles"]:
        lines.append(f"  {prof['name']:<10} {prof['mean_streams']:8.1f}")
    for t in p["thresholds"]:
        where = "never" if t["streams"] is None else f"above {t['streams']:.1f} streams"
        lines.append(f"  {t['upper']} more likely than {t['lower']}: {where}")
    lines.append(
        f"computed {p['computed_at']:%Y-%m-%d %H:%M} UTC, data through {p['data_through']}"
    )
    return "\n".join(lines)


def cmd_fans(args: argparse.Namespace) -> int:
    with open_store_for(args, read_only=True) as store:
        name, payload = payload_for(store, args.artist, args.label)
    emit(args, payload, lambda: text_for(args.artist, name, payload))
    return EXIT_OK
