"""A demo store of REAL public chart data (not synthetic), from ../shared/realdata
(or $LABELRADAR_REALDATA).

Both daily Spotify chart extracts are imported through the chart importer, each as its own
label. The store is marked `store_meta.real_charts = true` and `synthetic = false`: pages
show a "real public chart data" badge instead of the synthetic one. The files are only read
where they lie (their licences do not allow shipping them).
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

from data import users
from data.ingest.charts import import_files
from data.state import reset_default_state
from data.store import open_store


def _default_root() -> Path:
    """$LABELRADAR_REALDATA, else the first `shared/realdata` beside the repository or one of
    its parents (a git worktree sits deeper than the main checkout)."""
    if os.environ.get("LABELRADAR_REALDATA"):
        return Path(os.environ["LABELRADAR_REALDATA"])
    repo = Path(__file__).resolve().parents[1]
    for parent in repo.parents:
        if (parent / "shared" / "realdata").is_dir():
            return parent / "shared" / "realdata"
    return repo.parent / "shared" / "realdata"


DEFAULT_ROOT = _default_root()
# (folder, file, label, region of a file without a Region column)
SOURCES = (
    ("spotify_daily_coldplay_2017", "coldplay.csv", "Real charts: Coldplay 2017", None),
    ("spotify_daily_us_2017", "us_data.csv", "Real charts: US top 200 2017", "us"),
)
# The same accounts as the synthetic demo (README), on the real labels.
REAL_PASSWORDS = {"admin": "labelradar-chief", "nora": "labelradar-harbor"}


@dataclass(frozen=True)
class RealDemoSummary:
    db_path: str
    labels: list[str]
    files: list[str]
    tracks: int
    trend_rows: int
    seconds: float


def missing_files(root: Path | None = None) -> list[Path]:
    """The chart files the real demo needs that are not there."""
    root = root or DEFAULT_ROOT
    return [root / d / f for d, f, _, _ in SOURCES if not (root / d / f).is_file()]


def build_real_store(db: Path, root: Path | None = None) -> RealDemoSummary:
    """Import the real chart files into a new store at `db` (which must not exist)."""
    root = root or DEFAULT_ROOT
    started = dt.datetime.now()
    reset_default_state(db)  # a new store starts with fresh workflow state
    with open_store(db) as store:
        for folder, name, label, region in SOURCES:
            # the real files have a few rows without title and artist: they are set aside
            import_files(
                store,
                [root / folder / name],
                label=label,
                region=region,
                actor="demo",
                accept_valid=True,
                rejects_dir=db.parent,
            )
        labels = [label for _, _, label, _ in SOURCES]
        for name, role, labs in (("admin", "admin", labels), ("nora", "manager", labels[:1])):
            if users.get_user(store, name) is None:  # a shared state database keeps its own
                users.add_user(store, name, REAL_PASSWORDS[name], role, labs, actor="demo")
        store.set_meta("synthetic", "false")
        store.set_meta("real_charts", "true")
        cur = store.cursor()
        tracks = cur.execute("SELECT count(*) FROM catalog").fetchone()[0]
        rows = cur.execute("SELECT count(*) FROM trend_facts").fetchone()[0]
    return RealDemoSummary(
        str(db),
        labels,
        [str(root / d / f) for d, f, _, _ in SOURCES],
        int(tracks),
        int(rows),
        (dt.datetime.now() - started).total_seconds(),
    )
