"""Where a generated store's ground truth lives (recorded in the store by `labelradar demo`)."""

from __future__ import annotations

from pathlib import Path

from data.store import open_store


def ground_truth_dir(db: str | Path) -> Path:
    """`<demo files>/ground_truth` of the SYNTHETIC store at `db`; fails for a real store."""
    with open_store(db, read_only=True) as store:
        files = store.get_meta("demo_files")
    if not files:
        raise SystemExit(f"{db} is not a generated demo store: it has no ground truth")
    return Path(files) / "ground_truth"
