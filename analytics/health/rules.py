"""The data-health rules, per DSP (feed) and day.

- missing_day: a day between the feed's first and last delivered day with no rows at all.
- partial_day: far fewer tracks or countries than usual: below `partial_share` (50 %) of
  the median of the feed's previous `window` delivered days (at least `min_history` of
  them). A median ignores the odd bad day in the window, and comparing with earlier days
  only means a feed that slowly grows or shrinks is never flagged for it. The shortfall must
  also exceed `noise_sds` Poisson standard deviations (sqrt of the usual count): a feed of a
  dozen tracks varies by several from day to day without anything being wrong.
- duplicate: the same rows delivered twice: another load holds exactly the same rows (same
  count and same order-free hash of their values) for that feed and day.
- late: the day arrived more than `late_days` after the feed had already delivered a later
  day (a hole filled afterwards). A history loaded in one go is not late: all its days
  arrive together.

Every flagged cell is an artifact of the delivery, not a market event: change detection
treats it as missing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

KINDS = ("missing_day", "partial_day", "duplicate", "late")
ISSUE_COLUMNS = ["dsp", "date", "kind", "detail"]
COVERAGE_COLUMNS = [
    "dsp",
    "date",
    "tracks",
    "countries",
    "streams",
    "expected_tracks",
    "expected_countries",
]


@dataclass(frozen=True)
class HealthConfig:
    partial_share: float = 0.5  # below this share of the usual count is a partial day
    window: int = 28  # delivered days the usual count is the median of
    min_history: int = 7  # fewer earlier days: no judgement yet
    noise_sds: float = 3.0  # a partial day is also this many sqrt(usual) below the usual
    late_days: float = 2.0  # days after a later day arrived that still count as on time


@dataclass(frozen=True)
class HealthInputs:
    """coverage: dsp, date, tracks, countries, streams (delivered days only).
    cells: load_id, dsp, date, rows, fingerprint, loaded_at, file_name (one row per load
    and delivered day)."""

    coverage: pd.DataFrame
    cells: pd.DataFrame
    config: HealthConfig = field(default_factory=HealthConfig)


@dataclass(frozen=True)
class HealthModel:
    issues: pd.DataFrame  # ISSUE_COLUMNS, one row per (dsp, date, kind)
    coverage: pd.DataFrame  # COVERAGE_COLUMNS, every day of each feed's span (0 = missing)
    data_through: dt.date | None


def _fill_days(feed: pd.DataFrame) -> pd.DataFrame:
    """Every day of the feed's span; days without rows have zero counts."""
    days = pd.date_range(feed.date.min(), feed.date.max(), freq="D")
    out = feed.set_index("date").reindex(days)
    out.index.name = "date"
    out["dsp"] = feed.dsp.iloc[0]
    for col in ("tracks", "countries", "streams"):
        out[col] = out[col].fillna(0).astype("int64")
    return out.reset_index()


def _usual(counts: pd.Series, delivered: pd.Series, cfg: HealthConfig) -> pd.Series:
    """The median of the previous `window` delivered days (NaN with too little history)."""
    past = counts.where(delivered)
    return past.shift(1).rolling(cfg.window, min_periods=cfg.min_history).median()


def _coverage_issues(feed: pd.DataFrame, cfg: HealthConfig) -> tuple[pd.DataFrame, list]:
    full = _fill_days(feed)
    delivered = full.tracks > 0
    full["expected_tracks"] = _usual(full.tracks.astype(float), delivered, cfg)
    full["expected_countries"] = _usual(full.countries.astype(float), delivered, cfg)
    issues = []
    for r in full.itertuples(index=False):
        day = r.date.date()
        if r.tracks == 0:
            issues.append((r.dsp, day, "missing_day", "no rows delivered for this day"))
            continue
        short = []
        for one, many, n, usual in (
            ("track", "tracks", r.tracks, r.expected_tracks),
            ("country", "countries", r.countries, r.expected_countries),
        ):
            if (
                not np.isnan(usual)
                and n < cfg.partial_share * usual
                and usual - n > cfg.noise_sds * np.sqrt(usual)
            ):
                # the usual count is a median (205.5): said as a count, as a reader counts
                short.append(f"{n} {one if n == 1 else many} against a usual {usual:.0f}")
        if short:
            issues.append((r.dsp, day, "partial_day", "; ".join(short)))
    return full, issues


def _duplicates(cells: pd.DataFrame) -> list:
    issues = []
    if cells.empty:
        return issues
    groups = cells.sort_values("load_id").groupby(["dsp", "date", "rows", "fingerprint"])
    for (dsp, date, rows, _), g in groups:
        if len(g) > 1:
            first = g.iloc[0]
            again = ", ".join(f"load {int(x)}" for x in g.load_id.iloc[1:])
            issues.append(
                (
                    dsp,
                    pd.Timestamp(date).date(),
                    "duplicate",
                    f"{again} repeat(s) the {int(rows)} rows of load {int(first.load_id)} "
                    f"({first.file_name})",
                )
            )
    return issues


def _late(cells: pd.DataFrame, cfg: HealthConfig) -> list:
    issues = []
    if cells.empty:
        return issues
    first = cells.groupby(["dsp", "date"], as_index=False).loaded_at.min()
    for dsp, feed in first.groupby("dsp"):
        feed = feed.sort_values("date", ascending=False)
        # the earliest arrival of any later day of this feed
        later = feed.loaded_at.cummin().shift(1)
        lag = (feed.loaded_at - later).dt.total_seconds() / 86400.0
        for r, days in zip(feed.itertuples(index=False), lag, strict=True):
            if not np.isnan(days) and days > cfg.late_days:
                issues.append(
                    (
                        dsp,
                        pd.Timestamp(r.date).date(),
                        "late",
                        f"arrived {days:.1f} days after a later day of this feed",
                    )
                )
    return issues


def fit(inputs: HealthInputs) -> HealthModel:
    """Every issue of every feed, and the coverage per feed and day."""
    cfg = inputs.config
    cov = inputs.coverage.copy()
    if cov.empty:
        return HealthModel(
            pd.DataFrame(columns=ISSUE_COLUMNS), pd.DataFrame(columns=COVERAGE_COLUMNS), None
        )
    cov["date"] = pd.to_datetime(cov.date)
    frames, issues = [], []
    for _, feed in cov.groupby("dsp", sort=True):
        full, found = _coverage_issues(feed.sort_values("date"), cfg)
        frames.append(full)
        issues += found
    cells = inputs.cells.copy()
    if not cells.empty:
        cells["loaded_at"] = pd.to_datetime(cells.loaded_at)
    issues += _duplicates(cells) + _late(cells, cfg)
    table = (
        pd.DataFrame(issues, columns=ISSUE_COLUMNS)
        .drop_duplicates(["dsp", "date", "kind"])
        .sort_values(["date", "dsp", "kind"])
        .reset_index(drop=True)
    )
    coverage = pd.concat(frames, ignore_index=True)[COVERAGE_COLUMNS]
    coverage["date"] = coverage.date.dt.date
    return HealthModel(table, coverage, cov.date.max().date())
