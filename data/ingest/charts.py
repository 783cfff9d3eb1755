"""Public Spotify daily-chart files as a catalog and a trend report.

The format: `Position, Track Name, Artist, Streams, URL, Date[, Region]` (URL and Region may
be missing; a file without Region is one country's chart, named by the caller). Each chart
file is mapped onto the two inputs `ingest` already knows, and loaded through the very same
path (validation, hashing, atomic load, aggregate backlog, bad-input policy):

- a catalog of its tracks: a track is keyed by its Spotify track id (from the URL), else by
  artist + title; it gets a stable placeholder ISRC in the reserved range
  (PLACEHOLDER_ISRC_PREFIX) and `catalog.isrc_placeholder = true`. Artist ids are a slug of
  the name plus a hash of it. Charts carry no release date: the track's first charted day
  stands in for it (an upper bound of the real one).
- a trend report with one row per chart row, in the same order, so a problem's line is the
  chart file's line: dsp `spotify`, the country in upper case (`global` becomes WORLDWIDE),
  `unknown` for every listener dimension and for the source.

A chart only lists a track on the days it is in a country's top 200: a day without the
track is censored, not zero, and no row is invented for it.
"""

from __future__ import annotations

import csv
import hashlib
import re
import shutil
import tempfile
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import duckdb

from data.ingest.errors import IngestError, LoadResult, fail
from data.ingest.load import Part, load_files
from data.ingest.specs import TERRITORY_CODES
from data.ingest.validation import CATALOG, TREND
from data.progress import ProgressFn
from data.store import Store
from data.vocab import PLACEHOLDER_ISRC_PREFIX, UNKNOWN_SOURCE, WORLDWIDE

DSP = "spotify"
REQUIRED = ("Position", "Track Name", "Artist", "Streams", "Date")
_TRACK_URL = re.compile(r"open\.spotify\.com/track/([A-Za-z0-9]{10,40})")
_ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_TREND_COLUMNS = (
    "date",
    "dsp",
    "isrc",
    "country",
    "age_band",
    "gender",
    "subscription",
    "device",
    "os",
    "source",
    "streams",
)
_UNKNOWN_DIMENSIONS = ("unknown",) * 5 + (UNKNOWN_SOURCE,)


def placeholder_isrc(key: str) -> str:
    """A stable ISRC-shaped id for a track key: the reserved prefix, 3 letters or digits and
    7 digits from a hash of the key (collisions are checked on import)."""
    n = int.from_bytes(hashlib.sha256(key.encode("utf-8")).digest()[:12], "big")
    digits = n % 10**7
    n //= 10**7
    code = "".join(_ALNUM[(n // 36**i) % 36] for i in range(3))
    return f"{PLACEHOLDER_ISRC_PREFIX}{code}{digits:07d}"


def artist_id(name: str) -> str:
    """A stable artist id from the artist's name: a readable slug and a hash of the name."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:40] or "artist"
    return f"{slug}.{hashlib.sha256(name.encode('utf-8')).hexdigest()[:8]}"


def track_key(row: dict[str, str]) -> str | None:
    """The track's identity: its Spotify id from the URL, else artist + title."""
    found = _TRACK_URL.search(row.get("URL") or "")
    if found:
        return "spotify:" + found.group(1)
    artist, title = (row.get("Artist") or "").strip(), (row.get("Track Name") or "").strip()
    if not artist or not title:
        return None  # the trend row gets no ISRC and is rejected by the trend rules
    return "title:" + artist.casefold() + "\x1f" + title.casefold()


def territory(region: str) -> str:
    """The trend report's country for a chart region (`global` is the worldwide territory)."""
    region = region.strip()
    return WORLDWIDE if region.lower() == "global" else region.upper()


@dataclass
class _Track:
    isrc: str
    title: str
    artist: str
    first_date: str


def _convert(path: Path, region: str | None, out_dir: Path) -> tuple[Path, dict[str, _Track]]:
    """Write the trend report (one row per chart row) and collect the tracks."""
    tracks: dict[str, _Track] = {}
    owner: dict[str, str] = {}  # isrc -> key, to refuse a placeholder collision
    trend = out_dir / path.name
    try:
        with (
            path.open(newline="", encoding="utf-8") as src,
            trend.open("w", newline="", encoding="utf-8") as dst,
        ):
            reader = csv.DictReader(src)
            header = reader.fieldnames or []
            missing = [c for c in REQUIRED if c not in header]
            if missing:
                raise fail(
                    path,
                    "not a Spotify daily-chart file: missing column(s) " + ", ".join(missing),
                    headline="missing columns",
                )
            if "Region" not in header and not region:
                raise fail(
                    path,
                    "the file has no Region column: name its country with --region (e.g. us)",
                    headline="no region",
                )
            writer = csv.writer(dst, lineterminator="\n")
            writer.writerow(_TREND_COLUMNS)
            for row in reader:
                key = track_key(row)
                isrc = placeholder_isrc(key) if key else ""
                date = (row.get("Date") or "").strip()
                if key:
                    if owner.setdefault(isrc, key) != key:
                        raise fail(path, f"placeholder ISRC collision for {isrc}")
                    known = tracks.get(isrc)
                    if known is None:
                        tracks[isrc] = _Track(
                            isrc, row["Track Name"].strip(), row["Artist"].strip(), date
                        )
                    elif date and (not known.first_date or date < known.first_date):
                        known.first_date = date
                country = territory(row.get("Region") or region or "")
                streams = (row.get("Streams") or "").strip()
                writer.writerow((date, DSP, isrc, country, *_UNKNOWN_DIMENSIONS, streams))
    except UnicodeDecodeError as exc:
        raise fail(path, "not UTF-8 text", headline="unreadable file") from exc
    except csv.Error as exc:
        raise fail(path, f"malformed CSV ({exc})", headline="malformed CSV") from exc
    return trend, tracks


# The converted files' columns, named as the chart file names them (a problem found in the
# converted catalog or trend file is reported against the user's file, not a temporary one).
CHART_COLUMNS = {
    "isrc": "Track Name / Artist (or URL)",
    "track_title": "Track Name",
    "artist_id": "Artist",
    "artist_name": "Artist",
    "release_date": "Date",
    "date": "Date",
    "streams": "Streams",
    "country": "Region",
}


def _in_chart_terms(exc: IngestError, path: Path) -> IngestError:
    """`exc` (raised on a converted file) said of the chart file `path` and its columns."""
    problems = [
        replace(p, column=CHART_COLUMNS.get(p.column, p.column)) if p.column else p
        for p in exc.problems
    ]
    return IngestError(path, problems, exc.total, headline=exc.headline)


def _refuse_other_labels(store: Store, path: Path, tracks: dict[str, _Track], label: str) -> None:
    """A chart's tracks already in the catalog under another label are not moved: the label
    decides who may see a track, and a re-import with a mistyped --label moved every one of
    them (and their streams) to a new label, saying only "already loaded". Moving tracks is
    a catalog delivery's job (`labelradar catalog`)."""
    if not tracks:
        return
    rows = (
        store.cursor()
        .execute(
            "SELECT label, count(*), min(track_title) FROM catalog "
            "WHERE list_contains(?, isrc) AND label <> ? GROUP BY label ORDER BY 2 DESC, 1",
            [list(tracks), label],
        )
        .fetchall()
    )
    if rows:
        other, n, example = rows[0]
        raise fail(
            path,
            f"{sum(r[1] for r in rows)} of its tracks are already in the catalog under another "
            f"label ({n} under {other!r}, e.g. {example!r}): import it with --label {other!r}, "
            "or move the tracks with a catalog delivery (`labelradar catalog`)",
            headline="tracks on another label",
        )


def _write_catalog(store: Store, tracks: dict[str, _Track], label: str, out: Path) -> None:
    """The chart's tracks as a catalog file; a track already in the store keeps the earlier
    of its two first charted days."""
    earlier: dict[str, str] = {}
    if tracks:
        rows = (
            store.cursor()
            .execute(
                "SELECT isrc, strftime(release_date, '%Y-%m-%d') FROM catalog "
                "WHERE list_contains(?, isrc)",
                [list(tracks)],
            )
            .fetchall()
        )
        earlier = dict(rows)
    with out.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(
            ("isrc", "track_title", "artist_id", "artist_name", "label", "release_date")
        )
        for t in sorted(tracks.values(), key=lambda t: t.isrc):
            dates = [d for d in (t.first_date, earlier.get(t.isrc)) if d]
            first = min(dates) if dates else ""
            writer.writerow((t.isrc, t.title, artist_id(t.artist), t.artist, label, first))


def _flag_placeholders(cur: duckdb.DuckDBPyConnection) -> None:
    """The placeholder flag is derived from the reserved ISRC prefix."""
    cur.execute(
        "UPDATE catalog SET isrc_placeholder = true "
        "WHERE starts_with(isrc, ?) AND NOT isrc_placeholder",
        [PLACEHOLDER_ISRC_PREFIX],
    )


def import_spotify_charts(
    store: Store,
    path: str | Path,
    *,
    label: str,
    region: str | None = None,
    accept_valid: bool = False,
    actor: str = "cli",
    progress: ProgressFn | None = None,
    defer_aggregates: bool = False,
    rejects_dir: Path | None = None,
) -> tuple[LoadResult, LoadResult]:
    """Load one chart file: its catalog (upsert) and its trend report, in one transaction.
    Returns both loads' results. Raises IngestError when the file breaks a rule: nothing of
    it is written then (no catalog row either). The rejects file of `accept_valid` goes
    beside the chart file, or into `rejects_dir` (for a read-only folder)."""
    path = Path(path)
    if not label.strip():
        raise fail(path, "a label is required (--label NAME)", headline="no label")
    if not path.is_file():
        raise fail(path, "file not found", headline="file not found")
    if region is not None and territory(region) not in TERRITORY_CODES:
        # once, before anything is written (it was one problem per row, after the catalog)
        raise fail(
            path,
            f"--region {region!r} is not a country code (e.g. us, gb) or `global`",
            headline="unknown region",
        )
    with tempfile.TemporaryDirectory(prefix="labelradar-charts-") as tmp:
        out_dir = Path(tmp)
        trend, tracks = _convert(path, region, out_dir)
        _refuse_other_labels(store, path, tracks, label.strip())
        catalog_file = out_dir / f"{path.stem}.catalog.csv"
        _write_catalog(store, tracks, label.strip(), catalog_file)
        parts = [
            Part(catalog_file, CATALOG, accept_valid=accept_valid, ignore_extra=False),
            Part(
                trend,
                TREND,
                accept_valid=accept_valid,
                ignore_extra=False,
                progress=progress,
                defer_aggregates=defer_aggregates,
            ),
        ]
        try:
            # One transaction: a chart file that breaks a rule leaves no catalog row behind
            catalog, result = load_files(store, parts, actor=actor, then=_flag_placeholders)
        except IngestError as exc:
            raise _in_chart_terms(exc, path) from exc
        finally:
            # rows refused under --accept-valid go beside the chart file, as for `ingest`
            rejects = trend.with_name(trend.name + ".rejects.csv")
            if rejects.exists():
                target = (rejects_dir or path.parent) / (path.name + ".rejects.csv")
                shutil.move(str(rejects), target)
    return catalog, result


def import_files(
    store: Store,
    paths: Sequence[str | Path],
    *,
    label: str,
    region: str | None = None,
    accept_valid: bool = False,
    actor: str = "cli",
    rejects_dir: Path | None = None,
) -> list[LoadResult]:
    """Import several chart files as one delivery (one aggregate refresh at the end, also
    when a later file fails: what loaded is complete). Returns the trend loads' results."""
    from data.ingest import refresh_aggregates

    results = []
    try:
        for p in paths:
            _, trend = import_spotify_charts(
                store,
                p,
                label=label,
                region=region,
                accept_valid=accept_valid,
                actor=actor,
                defer_aggregates=True,
                rejects_dir=rejects_dir,
            )
            results.append(trend)
    finally:
        refresh_aggregates(store)
    return results


__all__ = ["IngestError", "import_files", "import_spotify_charts", "placeholder_isrc"]
