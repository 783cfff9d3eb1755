"""Write the synthetic world as spec-format files plus ground truth, and load it.

The files go through the same ingest and validation as any delivery. The ground truth is
written beside them (ground_truth/) for tests and bench/ evaluations; nothing of it is
loaded into the store, where the only trace is `store_meta.synthetic = true`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gzip
import json
import os
import shutil
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from data.progress import ProgressFn
from data.synth.config import SynthConfig
from data.synth.render import Renderer
from data.synth.segments import world_segment_truth
from data.synth.world import DOW, DSPS, World, build_world
from data.vocab import AGE_BANDS, GENDERS

CSV_DSPS = ("tidal",)  # delivered as gzip CSV, to exercise that path too

# None contains its account's name (new passwords may not).
DEMO_PASSWORDS = {
    "admin": "labelradar-chief",
    "nora": "labelradar-harbor",
    "hugo": "labelradar-northern",
    "vera": "labelradar-viewer",
}


@dataclass
class DemoFiles:
    """What the generator wrote."""

    root: Path
    catalog: Path
    trend_reports: list[Path]
    campaigns: Path
    ground_truth: Path
    rows: int = 0
    listener_rows: int = 0


@dataclass
class DemoSummary:
    """What `build_demo_store` made, for the CLI and tests."""

    db_path: str
    files_dir: str
    ground_truth_dir: str
    size: str
    seed: int
    labels: list[str]
    artists: int
    tracks: int
    countries: int
    days: int
    trend_rows: int
    listener_rows: int
    events: int
    campaigns: int
    seconds: float
    accounts: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return asdict(self)


def _noop(stage: str, fraction: float) -> None:
    return None


def write_ground_truth(world: World, root: Path) -> Path:
    """Everything planted, as CSV / Parquet / JSON under root/ground_truth."""
    gt = root / "ground_truth"
    gt.mkdir(parents=True, exist_ok=True)
    artists = world.artists.copy()
    fans = world.fans
    realized = (
        pd.crosstab(fans.artist_idx, fans.fan_type, normalize="index")
        .reindex(columns=["passive", "casual", "diehard"], fill_value=0.0)
        .add_prefix("share_")
    )
    artists = artists.join(realized, how="left")
    artists["listeners"] = fans.groupby("artist_idx").size().reindex(artists.index).fillna(0)
    artists.to_csv(gt / "artists.csv", index=False)
    c = world.countries
    shares = pd.DataFrame(
        {
            "artist_id": np.repeat(world.artists.artist_id.to_numpy(), len(c)),
            "country": np.tile(c, len(world.artists)),
            "expected_share": world.artist_country_expected.ravel(),
            "actual_share": world.artist_country.ravel(),
        }
    )
    planted = set(zip(world.underserved.artist_id, world.underserved.country, strict=True))
    shares["underserved"] = [
        (a, k) in planted for a, k in zip(shares.artist_id, shares.country, strict=True)
    ]
    shares.to_csv(gt / "artist_countries.csv", index=False)
    world.underserved.to_csv(gt / "underserved.csv", index=False)
    world.communities.to_csv(gt / "communities.csv", index=False)
    world.events.to_csv(gt / "events.csv", index=False)
    tracks = world.tracks.drop(columns=["artist_idx"])
    tracks["event_free"] = ~tracks.isrc.isin(
        set(world.events.isrc) if not world.events.empty else set()
    )
    tracks.to_csv(gt / "tracks.csv", index=False)
    lst = world.listeners
    listeners = pd.DataFrame(
        {
            "listener_id": lst.listener_id,
            "community": lst.community,
            "country": np.array(c)[lst.country_idx],
            "age_band": np.array(AGE_BANDS)[lst.age_idx],
            "gender": np.array(GENDERS)[lst.gender_idx],
        }
    )
    listeners.to_parquet(gt / "listeners.parquet", index=False)
    pd.DataFrame(
        {
            "listener_id": lst.listener_id.to_numpy()[fans.listener_idx],
            "artist_id": world.artists.artist_id.to_numpy()[fans.artist_idx],
            "fan_type": fans.fan_type,
            "streams": fans.streams,
        }
    ).to_parquet(gt / "fans.parquet", index=False)
    world.campaign_truth.to_csv(gt / "campaigns_truth.csv", index=False)
    world_segment_truth(world).to_csv(gt / "segment_uplift.csv", index=False)
    world.country_response.to_csv(gt / "country_response.csv", index=False)
    pd.DataFrame(
        {"weekday": ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"], "multiplier": DOW}
    ).to_csv(gt / "day_of_week.csv", index=False)
    cfg = asdict(world.cfg)
    cfg["end_date"] = str(world.cfg.end_date)
    meta = {
        "synthetic": True,
        "seed": world.seed,
        "config": cfg,
        "start_date": str(world.cfg.start_date),
        "end_date": str(world.cfg.end_date),
    }
    (gt / "world.json").write_text(json.dumps(meta, indent=2))
    (gt / "README.txt").write_text(
        "SYNTHETIC DATA. Ground truth planted by data/synth (Label Radar's demo generator).\n"
        "artists.csv: community, popularity, planted fan mixture (mix_*) and realised shares "
        "(share_*);\nartist_countries.csv / underserved.csv: country shares and planted "
        "under-served countries;\nevents.csv: planted track events with date, kind and cause;\n"
        "fans.parquet: each listener-artist pair's fan type; campaigns_truth.csv: true lift;\n"
        "segment_uplift.csv: each campaign's planted lift per age band x gender x subscription;\n"
        "country_response.csv: the campaign response curve per country (Hill: relative uplift = "
        "ceiling x s^hill / (s^hill + half_saturation_usd^hill); plateau_usd where the marginal "
        "uplift per dollar falls to 10 % of its best); day_of_week.csv.\n"
    )
    return gt


def _string_table(table: pa.Table) -> pa.Table:
    return pa.table(
        {
            name: (col.cast(pa.string()) if pa.types.is_dictionary(col.type) else col)
            for name, col in zip(table.column_names, table.columns, strict=True)
        }
    )


def write_files(world: World, root: Path, progress: ProgressFn = _noop) -> DemoFiles:
    """Catalog and campaigns as CSV, trend reports as one file per DSP (Parquet or CSV.gz)."""
    root.mkdir(parents=True, exist_ok=True)
    t = world.tracks
    catalog = root / "catalog.csv"
    pd.DataFrame(
        {
            "isrc": t.isrc,
            "track_title": t.track_title,
            "artist_id": t.artist_id,
            "artist_name": t.artist_name,
            "label": t.label,
            "genre": t.genre,
            "release_date": pd.to_datetime(t.release_date).dt.strftime("%Y-%m-%d"),
        }
    ).to_csv(catalog, index=False)
    campaigns = root / "campaigns.csv"
    camp = world.campaigns.copy()
    for col in ("start_date", "end_date"):
        camp[col] = pd.to_datetime(camp[col]).dt.strftime("%Y-%m-%d")
    camp.to_csv(campaigns, index=False)

    renderer = Renderer(world, world.seed)
    paths = {d: root / f"trends_{d}.{'csv.gz' if d in CSV_DSPS else 'parquet'}" for d in DSPS}
    writers: dict[str, pq.ParquetWriter | pacsv.CSVWriter] = {}
    rows = 0
    listener_rows = 0

    with contextlib.ExitStack() as files:

        def emit(table: pa.Table) -> None:
            nonlocal rows
            rows += table.num_rows
            codes = table.column("dsp").combine_chunks().indices.to_numpy(zero_copy_only=False)
            plain = _string_table(table)
            for i, dsp in enumerate(DSPS):
                mask = codes == i
                if not mask.any():
                    continue
                part = plain.filter(pa.array(mask))
                if dsp not in writers:
                    if dsp in CSV_DSPS:
                        fh = files.enter_context(gzip.open(paths[dsp], "wb", compresslevel=3))
                        writers[dsp] = pacsv.CSVWriter(fh, part.schema)
                    else:
                        writers[dsp] = pq.ParquetWriter(paths[dsp], part.schema, compression="zstd")
                    # Writers close (flushing footers) before their files do: LIFO order.
                    files.callback(writers[dsp].close)
                writers[dsp].write_table(part)

        n_tracks = len(world.tracks)
        chunk = 150
        for i, table in enumerate(renderer.baseline_rows(chunk)):
            emit(table)
            progress("generating trend rows", min(1.0, (i + 1) * chunk / n_tracks) * 0.85)
        for table in renderer.component_rows():
            emit(table)
        progress("generating listener-level rows", 0.9)
        listener_table = renderer.listener_rows()
        listener_rows = listener_table.num_rows
        emit(listener_table)
    progress("writing ground truth", 0.95)
    gt = write_ground_truth(world, root)
    progress("files written", 1.0)
    written = [p for d, p in paths.items() if d in writers]
    return DemoFiles(root, catalog, written, campaigns, gt, rows, listener_rows)


def build_demo_store(
    db_path: str | Path,
    size: str = "tiny",
    seed: int = 0,
    *,
    out_dir: str | Path | None = None,
    progress: ProgressFn | None = None,
    config: SynthConfig | None = None,
    today: dt.date | None = None,
) -> DemoSummary:
    """Generate the demo world, load it into a new store at db_path, add demo accounts.

    The store is built under a temporary name and moved into place only when complete, so
    an interrupted build never leaves a half-loaded store behind. An existing store at
    db_path is replaced.
    """
    from data import ingest, state, users
    from data.store import open_store

    progress = progress or _noop
    started = time.perf_counter()
    cfg = config or SynthConfig.preset(size)
    db_path = Path(db_path)
    root = Path(out_dir) if out_dir else db_path.parent / "demo" / f"{cfg.size}-seed{seed}"
    if root.exists():
        shutil.rmtree(root)

    def stage(lo: float, hi: float) -> ProgressFn:
        return lambda text, f: progress(text, lo + (hi - lo) * f)

    stage(0.0, 0.05)("planting the synthetic world", 0.0)
    world = build_world(cfg, seed)
    files = write_files(world, root, stage(0.05, 0.55))

    building = db_path.with_name(db_path.name + ".building")
    for leftover in (building, Path(str(building) + ".wal")):
        leftover.unlink(missing_ok=True)
    # The state database is that of the published path; a rebuilt demo starts afresh.
    state.reset_default_state(db_path)
    store = open_store(building, state_url=state.default_state_url(db_path))
    try:
        load = stage(0.55, 0.97)
        ingest.load_catalog(store, files.catalog, actor="demo")
        for i, path in enumerate(files.trend_reports):
            n = len(files.trend_reports)
            ingest.load_trend_report(
                store,
                path,
                actor="demo",
                today=today,
                defer_aggregates=True,
                progress=lambda text, f, i=i, n=n, name=path.name: load(
                    f"loading {name}: {text}", (i + f) / n
                ),
            )
        ingest.refresh_aggregates(store, progress=lambda t, f: load(t, 1.0))
        ingest.load_campaigns(store, files.campaigns, actor="demo")
        labels = sorted(world.artists.label.unique())
        accounts = _demo_accounts(labels)
        for name, (role, labs) in accounts.items():
            if users.get_user(store, name) is None:  # a shared state database keeps its own
                users.add_user(store, name, DEMO_PASSWORDS[name], role, labs, actor="demo")
        store.set_meta("synthetic", "true")
        store.set_meta("demo_size", cfg.size)
        store.set_meta("demo_seed", str(seed))
        store.set_meta("demo_files", str(root.resolve()))
        store.set_meta("generated_at", dt.datetime.now(dt.UTC).isoformat(timespec="seconds"))
        store.cursor().execute("CHECKPOINT")
    except BaseException:
        store.close()
        for leftover in (building, Path(str(building) + ".wal")):  # a failed build leaves none
            leftover.unlink(missing_ok=True)
        raise
    store.close()
    os.replace(building, db_path)
    Path(str(db_path) + ".wal").unlink(missing_ok=True)
    progress("demo store ready", 1.0)
    return DemoSummary(
        db_path=str(db_path),
        files_dir=str(root),
        ground_truth_dir=str(files.ground_truth),
        size=cfg.size,
        seed=seed,
        labels=labels,
        artists=len(world.artists),
        tracks=len(world.tracks),
        countries=len(world.countries),
        days=len(world.dates),
        trend_rows=files.rows,
        listener_rows=files.listener_rows,
        events=len(world.events),
        campaigns=len(world.campaigns),
        seconds=round(time.perf_counter() - started, 1),
        accounts={n: f"{r} of {', '.join(ls)}" for n, (r, ls) in accounts.items()},
    )


def _demo_accounts(labels: list[str]) -> dict[str, tuple[str, list[str]]]:
    """admin on every label; nora manages the first label, hugo the second; vera views both."""
    first, second = labels[0], labels[1 % len(labels)]
    return {
        "admin": ("admin", labels),
        "nora": ("manager", [first]),
        "hugo": ("manager", [second]),
        "vera": ("viewer", sorted({first, second})),
    }
