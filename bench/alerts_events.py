"""Grouped alert events on the real Spotify daily charts (2017): feed rows vs raw alerts.

    python bench/alerts_events.py [--realdata ../shared/realdata] [--top 12]

Builds the store `labelradar demo --real` builds (in a temporary folder; the files are read
where they lie, never copied), runs the health and alerts jobs, and counts per label the
raw alerts (the obvious feed: one row per alert) against the event rows of the grouped
feed. Target on spotify_daily_us_2017: at least 5x fewer event rows than alerts. Also
printed: the bound of any grouping that never joins two different days (alerts per
distinct alert day), and the events with the most alerts.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from analytics.alerts.events import group_events
from app.alerts import job as alerts_job
from app.health import job as health_job
from data import realdemo
from data.queries import alerts as alerts_queries
from data.results import alerts as alerts_results
from data.scope import Scope
from data.store import open_store

US_LABEL = "Real charts: US top 200 2017"
TARGET = 5.0


def _quiet(stage: str, fraction: float) -> None:
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--realdata", type=Path, default=realdemo.DEFAULT_ROOT)
    parser.add_argument("--top", type=int, default=12)
    args = parser.parse_args()
    missing = realdemo.missing_files(args.realdata)
    if missing:
        print(f"real data absent ({missing[0]}): nothing measured")
        return
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "real.duckdb"
        realdemo.build_real_store(db, args.realdata)
        with open_store(db) as store:
            health_job.run(store, _quiet)
            started = time.perf_counter()
            summary = alerts_job.run(store, _quiet, refit=True)
            seconds = time.perf_counter() - started
            inputs = alerts_results.event_inputs(store.cursor())
            active = alerts_results.active_artists(store.cursor())
            started = time.perf_counter()
            group_events(*inputs, active_artists=active)
            print(f"grouping alone: {time.perf_counter() - started:.3f} s")
            labels = sorted(
                r[0]
                for r in store.cursor().execute("SELECT DISTINCT label FROM catalog").fetchall()
            )
            print(
                f"alerts job (detection + grouping) {seconds:.1f} s: {summary['alerts']} "
                f"alerts, {summary['events']} events over both labels"
            )
            for label in labels:
                scope = Scope("bench", "admin", frozenset({label}))
                alerts = alerts_queries.alerts_feed(store, scope)
                events = alerts_queries.events_feed(store, scope)
                ratio = len(alerts) / max(len(events), 1)
                days = alerts.event_date.nunique()
                verdict = ""
                if label == US_LABEL:
                    verdict = (
                        f"  target >= {TARGET:.0f}x: {'MET' if ratio >= TARGET else 'NOT MET'}"
                    )
                print(
                    f"\n== {label}: {len(alerts)} alerts (one row each) -> {len(events)} event "
                    f"rows = {ratio:.2f}x fewer{verdict}"
                )
                print(
                    f"   scopes {events.scope.value_counts().to_dict()}; alerts on "
                    f"{days} distinct days: one row per day at best = "
                    f"{len(alerts) / max(days, 1):.2f}x; artists with alerts "
                    f"{alerts.artist_id.nunique()}; rows holding one alert "
                    f"{int((events.alerts == 1).sum())}"
                )
                for e in (
                    events.sort_values(["alerts", "date"], ascending=False)
                    .head(args.top)
                    .itertuples()
                ):
                    print(
                        f"   {e.date:%Y-%m-%d} {e.kind:<8} {e.subject[:40]:<40} "
                        f"{e.alerts:>3} alerts {len(e.tracks):>3} tracks {e.artists:>3} artists"
                    )


if __name__ == "__main__":
    main()
