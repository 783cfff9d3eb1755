"""`labelradar forecast`: a track's or an artist's persisted daily stream forecast.

Operator access over all labels: the same scoped reads as the page, with the scope of every
label (`operator_scope`)."""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd

from analytics.forecast.model import ForecastParams
from analytics.forecast.totals import TotalFactors
from app.cli.support import EXIT_OK, CliError, emit, open_store_for
from data.queries import Filters, operator_scope
from data.queries import catalog as catalog_queries
from data.queries import forecast as queries
from data.results import runs as model_runs
from data.store import Store

MODEL = "global quantile gradient-boosted trees (p10/p50/p90)"
HORIZON = ForecastParams().horizon
MIN_DAYS = ForecastParams().min_days

# The top-level keys of the subcommand's --json answer ("isrc" or "artist_id" besides).
JSON_KEYS: dict[str, tuple[str, ...]] = {
    "forecast": ("trained_through", "model", "daily", "total"),
}
# Arguments that make the subcommand answer on a store ({isrc}: any track with a week of data).
EXAMPLE_ARGS: dict[str, list[str]] = {"forecast": ["--isrc", "{isrc}", "--days", "30"]}


def register(sub: argparse._SubParsersAction, parents: list[argparse.ArgumentParser]) -> None:
    """Add this feature's subcommand; `parents` carry --db/--quiet and --json."""
    p = sub.add_parser(
        "forecast",
        parents=parents,
        help="daily stream forecast (p10/p50/p90) of a track or an artist's total",
    )
    who = p.add_mutually_exclusive_group(required=True)
    who.add_argument("--isrc", metavar="ISRC")
    who.add_argument("--artist", metavar="ARTIST_ID")
    p.add_argument(
        "--days", type=int, default=HORIZON, metavar="N", help=f"days ahead, 1-{HORIZON}"
    )
    p.set_defaults(func=cmd_forecast)


QUANTILE_NAMES = ("p10", "p50", "p90")


def _daily(store: Store, args: argparse.Namespace) -> tuple[pd.DataFrame, dict[str, float]]:
    """The forecast's daily rows and its stored horizon total; one-line errors for unknown
    ids and too little data."""
    scope = operator_scope(store)
    if args.isrc is not None:
        status = queries.forecast_track_status(store, scope, args.isrc)
        if status.empty:
            raise CliError(f"unknown track {args.isrc!r}: see the catalog for ISRCs")
        if pd.isna(status["days_of_data"].iloc[0]):
            raise CliError(
                f"track {args.isrc!r} has too little data for a forecast: it needs at least "
                f"{MIN_DAYS} days of streams"
            )
        stored = {q: float(status[f"total_{q}"].iloc[0]) for q in QUANTILE_NAMES}
        return queries.forecast_track_daily(store, scope, args.isrc), stored
    known = catalog_queries.artists(store, scope, Filters(artist_ids=(args.artist,)))
    if known.empty or pd.isna(known["artist_name"].iloc[0]):
        raise CliError(f"unknown artist {args.artist!r}: see the catalog for artist ids")
    daily = queries.forecast_artist_daily(store, scope, args.artist)
    if daily.empty:
        raise CliError(
            f"artist {args.artist!r} has too little data for a forecast: it needs at least "
            f"{MIN_DAYS} days of streams"
        )
    totals = queries.forecast_artists(store, scope, Filters(artist_ids=(args.artist,)))
    return daily, {q: float(totals[f"total_{q}"].iloc[0]) for q in QUANTILE_NAMES}


def _total(
    daily: pd.DataFrame, stored: dict[str, float], days: int, kind: str, factors: TotalFactors
) -> dict[str, float]:
    """The stored (held-out calibrated) total for the whole horizon; for fewer days the
    same calibration applied to those days' summed quantiles."""
    if days >= HORIZON:
        return {q: round(stored[q], 1) for q in QUANTILE_NAMES}
    head = daily.head(days)
    summed = np.array([[float(head[q].sum()) for q in QUANTILE_NAMES]])
    out = factors.apply(summed, np.array([kind]))[0]
    return {q: round(float(v), 1) for q, v in zip(QUANTILE_NAMES, out, strict=True)}


def cmd_forecast(args: argparse.Namespace) -> int:
    if not 1 <= args.days <= HORIZON:
        raise CliError(f"--days must be between 1 and {HORIZON}")
    with open_store_for(args, read_only=True) as store:
        run = model_runs.latest(store, "forecast")
        if run is None:
            raise CliError(
                "the forecast model has not been computed on this store: "
                "run `labelradar refresh` (or `labelradar refresh --only forecast`) first"
            )
        daily, stored = _daily(store, args)
    kind = "track" if args.isrc is not None else "artist"
    factors = TotalFactors.from_dict(run.params.get("total_calibration"))
    total = _total(daily, stored, args.days, kind, factors)
    daily = daily.head(args.days)
    rows = [
        {
            "date": pd.Timestamp(r.date).date().isoformat(),
            "p10": round(float(r.p10), 1),
            "p50": round(float(r.p50), 1),
            "p90": round(float(r.p90), 1),
        }
        for r in daily.itertuples(index=False)
    ]
    who = {"isrc": args.isrc} if args.isrc is not None else {"artist_id": args.artist}
    through = run.data_through.isoformat() if run.data_through else None
    payload = {**who, "trained_through": through, "model": MODEL, "daily": rows, "total": total}

    def text() -> str:
        name = args.isrc or args.artist
        lines = [
            f"Forecast for {name}, {len(rows)} days after {through} ({MODEL}):",
            f"total {total['p50']:,.0f} streams (80 % interval "
            f"{total['p10']:,.0f} – {total['p90']:,.0f})",
            f"{'date':<12}{'p10':>12}{'p50':>12}{'p90':>12}",
        ]
        lines += [
            f"{r['date']:<12}{r['p10']:>12,.0f}{r['p50']:>12,.0f}{r['p90']:>12,.0f}" for r in rows
        ]
        return "\n".join(lines)

    emit(args, payload, text)
    return EXIT_OK
